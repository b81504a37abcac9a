/**
 * The visualiser in a real browser (Debian's chromium, playwright-core)
 * against the compiled binary, with data created through the RPC API:
 * every tab renders it, the actions change the server's state, new tasks
 * appear without a reload, hostile strings stay text, Luigi's deep links
 * land. Screenshots of each view go to test-artifacts/ui/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { type RunningBinary, rpc, startBinary, tempDir } from "../support/index.ts";
import { launchBrowser, openVisualiser, screenshot } from "./browser.ts";
import { HOSTILE, HOSTILE_SCRIPT, IDS, seed, WORKER_A, WORKER_B } from "./seed.ts";

const SLOW = 60_000;
const history = tempDir("luigid-ui-history-");
const CFG = `[scheduler]\nrecord_task_history = true\n\n[task_history]\ndb_connection = sqlite:///${history.join("history.db")}\n\n[resources]\nwarehouse = 2\n`;

let browser: Browser;
let server: RunningBinary;

/** A CSS attribute selector for any value (ids here contain quotes and brackets). */
const attr = (name: string, value: string) => `[${name}=${JSON.stringify(value)}]`;

type Listed = Record<string, { status: string }>;
const statusOf = async (id: string): Promise<string | undefined> => {
  for (const status of ["PENDING", "RUNNING", "DONE", "FAILED", "DISABLED"]) {
    const listed = await rpc<Listed>(server.url, "task_list", { status, upstream_status: "", search: "" });
    if (listed[id]) return listed[id]?.status;
  }
  return undefined;
};

let keepAlive: ReturnType<typeof setInterval> | undefined;
/** Workers the keep-alive pings (a ping also drains a worker's messages, which one test reads). */
const alive = new Set([WORKER_A, WORKER_B]);

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startBinary({ cfg: CFG })]);
  await seed(server.url);
  // Real workers ping; without it the scheduler would forget them after 60 s and fail their tasks.
  keepAlive = setInterval(() => {
    for (const worker of alive) rpc(server.url, "ping", { worker }).catch(() => {});
  }, 5000);
}, SLOW);

afterAll(async () => {
  clearInterval(keepAlive);
  await browser?.close();
  await server?.stop();
  history.remove();
});

describe("rendering the scheduler's data", () => {
  test(
    "task list: status boxes count Luigi's categories, the table lists the tasks, families are grouped",
    async () => {
      const { page, errors, foreign, close } = await openVisualiser(browser, server.url);
      try {
        await page.waitForSelector(`${attr("data-task-id", IDS.report)}`);
        const count = (key: string) => page.textContent(`[data-testid="count-${key}"]`);
        expect(await count("FAILED")).toBe("2");
        expect(await count("RUNNING")).toBe("1");
        expect(await count("DONE")).toBe("2");
        expect(await count("DISABLED")).toBe("2");
        expect(await count("UPSTREAM_FAILED")).toBe("1");
        expect(await count("UPSTREAM_DISABLED")).toBe("1");
        expect(await page.textContent('[data-testid="table-info"]')).toContain("of 11 entries");
        const reportRow = page.locator(`${attr("data-task-id", IDS.report)}`);
        expect(await reportRow.textContent()).toContain("UPSTREAM_FAILED");
        expect(await reportRow.textContent()).toContain("date=2026-11-21");
        // Families: "etl" folder with etl.* inside; the rest under Others.
        expect(await page.locator(".folder-head").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("etl"), expect.stringContaining("Others")]));
        expect(await page.getAttribute('[data-testid="history-link"]', "href")).toBe("../../history");
        await screenshot(page, "tasks");
        expect(errors).toEqual([]);
        expect(foreign).toEqual([]);
      } finally {
        await close();
      }
    },
    SLOW,
  );

  test(
    "filters: a status box, a family and the filter box narrow the table (on the server) and live in the hash",
    async () => {
      const { page, close } = await openVisualiser(browser, server.url);
      try {
        await page.click('button[data-category="FAILED"]');
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="task-table"] tbody tr[data-task-id]').length === 2);
        expect(decodeURIComponent(await page.evaluate(() => location.hash))).toContain('statuses=["FAILED"]');
        expect(await page.textContent('[data-testid="filter-callout"]')).toContain("Displaying Failed tasks");

        await page.click('button[data-category="FAILED"]');
        await page.fill("#task-filter", "table=orders");
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="task-table"] tbody tr[data-task-id]').length === 1);
        expect(await page.locator("tbody tr[data-task-id]").getAttribute("data-task-id")).toBe(IDS.extractA);
        expect(await page.evaluate(() => location.hash)).toContain("search__search=table%3Dorders");

        await page.fill("#task-filter", "");
        await page.click(".folder-head:has-text('etl')");
        await page.click('button[data-family="etl.Extract"]');
        await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-task-id]").length === 2);
        expect(await page.evaluate(() => location.hash)).toContain("family=etl.Extract");
        await screenshot(page, "tasks-filtered");
      } finally {
        await close();
      }
    },
    SLOW,
  );

  test(
    "Luigi's deep links open the same views: graph with hideDone, the tab=resource alias, sorting",
    async () => {
      const { page, close } = await openVisualiser(browser, server.url, `#tab=graph&taskId=${encodeURIComponent(IDS.report)}&hideDone=1`);
      try {
        await page.waitForSelector(`[data-testid="graph-svg"] g.node${attr("data-task-id", IDS.load)}`);
        const ids = await page.locator('[data-testid="graph-svg"] g.node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-task-id")));
        expect(ids).toContain(IDS.clean);
        expect(ids).not.toContain(IDS.extractA); // DONE, hidden
        expect(await page.isChecked("text=Hide Done >> input")).toBe(true);
        await page.click(`g.node${attr("data-task-id", IDS.clean)}`);
        expect(await page.textContent('[data-testid="node-panel"]')).toContain("etl.Clean(date=2026-11-21)");
        await screenshot(page, "graph");

        await page.goto(`${server.url}/static/visualiser/index.html#tab=graph&taskId=${encodeURIComponent(IDS.disabled)}&invert=1`);
        await page.waitForSelector(`g.node${attr("data-task-id", IDS.blocked)}`);

        await page.goto(`${server.url}/static/visualiser/index.html#tab=graph&taskId=nope`);
        expect(await (await page.waitForSelector('[data-testid="graph-missing"]')).textContent()).toContain("Couldn't find task nope");

        await page.goto(`${server.url}/static/visualiser/index.html#tab=resource`);
        await page.waitForSelector('[data-resource="warehouse"]');

        await page.goto(`${server.url}/static/visualiser/index.html#tab=tasks&order=3,desc&length=25`);
        await page.waitForFunction(() => document.querySelectorAll("tbody tr[data-task-id]").length === 11);
        const priorities = await page.locator("tbody tr td.num").allTextContents();
        expect(priorities.map(Number)).toEqual([...priorities.map(Number)].sort((a, b) => b - a));
      } finally {
        await close();
      }
    },
    SLOW,
  );

  test(
    "workers, resources and timeline tabs show the running task",
    async () => {
      const { page, close } = await openVisualiser(browser, server.url, "#tab=workers");
      try {
        const card = page.locator(`${attr("data-worker-id", WORKER_A)}`);
        await card.locator(`tr${attr("data-task-id", IDS.clean)}`).waitFor();
        expect(await card.textContent()).toContain("Root Task");
        expect(await card.textContent()).toContain("etl.Report(date=2026-11-21)");
        expect(await card.textContent()).toContain("40%");
        expect(await page.locator(`${attr("data-worker-id", WORKER_B)}`).textContent()).toContain("Workers: 1");
        await screenshot(page, "workers");

        await page.keyboard.press("5");
        await page.waitForSelector('[data-resource="warehouse"]');
        const resource = page.locator('[data-resource="warehouse"]');
        expect(await resource.textContent()).toContain("1/2");
        await resource.locator("button.link").click();
        await resource.locator(`tr${attr("data-task-id", IDS.clean)}`).waitFor();
        expect(decodeURIComponent(await page.evaluate(() => location.hash))).toContain('resources=["warehouse"]');
        await screenshot(page, "resources");

        await page.goto(`${server.url}/static/visualiser/index.html#tab=timeline&taskId=${encodeURIComponent(IDS.report)}`);
        await page.waitForSelector(`[data-testid="timeline"] ${attr("data-task-id", IDS.clean)}`);
        await screenshot(page, "timeline");
      } finally {
        await close();
      }
    },
    SLOW,
  );

  test(
    "keyboard: number keys switch tabs (keeping each tab's state), / focuses the filter, [ hides the sidebar, ? lists shortcuts",
    async () => {
      const { page, close } = await openVisualiser(browser, server.url, `#tab=graph&taskId=${encodeURIComponent(IDS.load)}`);
      try {
        await page.waitForSelector(`g.node${attr("data-task-id", IDS.load)}`);
        await page.keyboard.press("1");
        await page.waitForSelector('[data-testid="task-table"]');
        await page.keyboard.press("/");
        expect(await page.evaluate(() => document.activeElement?.id)).toBe("task-filter");
        await page.keyboard.type("orders");
        await page.waitForFunction(() => location.hash.includes("search__search=orders"));
        await page.keyboard.press("Escape");
        await page.click("body", { position: { x: 5, y: 600 } });
        await page.keyboard.press("[");
        expect(await page.isVisible(".sidebar")).toBe(false);
        await page.keyboard.press("[");
        expect(await page.isVisible(".sidebar")).toBe(true);
        // The graph tab link still carries the task id typed before (Luigi lost it, server.md §5.10).
        await page.keyboard.press("2");
        await page.waitForSelector(`g.node${attr("data-task-id", IDS.load)}`);
        await page.keyboard.press("?");
        expect(await page.textContent(".modal")).toContain("Keyboard shortcuts");
        await page.keyboard.press("Escape");
        expect(await page.locator(".modal").count()).toBe(0);
      } finally {
        await close();
      }
    },
    SLOW,
  );

  test(
    "hostile ids, params, messages and errors render as text and run nothing",
    async () => {
      const { page, errors, close } = await openVisualiser(browser, server.url, `#search__search=${encodeURIComponent("evil")}`);
      try {
        const row = page.locator(`tr${attr("data-task-id", IDS.hostile)}`);
        await row.waitFor();
        expect(await row.textContent()).toContain(HOSTILE);
        expect(await page.locator(`tr${attr("data-task-id", IDS.hostileScript)}`).textContent()).toContain(HOSTILE_SCRIPT);
        expect(await page.locator("table img, table script").count()).toBe(0);

        await row.locator('button[title="Show error"]').click();
        const trace = page.locator('[data-testid="error-trace"]');
        await trace.waitFor();
        expect(await trace.textContent()).toContain(HOSTILE_SCRIPT);
        expect(await trace.textContent()).toContain(`ValueError: ${HOSTILE}`);
        expect(await page.textContent(".modal")).toContain("luigi --module etl.tasks");
        await screenshot(page, "error-modal");
        await page.keyboard.press("Escape");

        await page.goto(`${server.url}/static/visualiser/index.html#tab=graph&taskId=${encodeURIComponent(IDS.hostile)}`);
        await page.waitForSelector("g.node.root");
        expect(await page.locator(".graph-title h2").textContent()).toContain(HOSTILE);
        expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    },
    SLOW,
  );
});

describe("actions change the server's state", () => {
  test(
    "forgive, re-enable, mark as done and the pause switch",
    async () => {
      const { page, close } = await openVisualiser(browser, server.url);
      try {
        const rowOf = (id: string) => page.locator(`tr${attr("data-task-id", id)}`);
        await rowOf(IDS.broken).waitFor();

        await rowOf(IDS.broken).locator('button[title="Forgive failures"]').click();
        await page.waitForFunction((id) => document.querySelector(`tr[data-task-id="${CSS.escape(id)}"]`)?.textContent?.includes("PENDING"), IDS.broken);
        expect(await statusOf(IDS.broken)).toBe("PENDING");

        await rowOf(IDS.flaky).locator('button[title="Re-enable"]').click();
        await page.waitForFunction((id) => document.querySelector(`tr[data-task-id="${CSS.escape(id)}"]`)?.textContent?.includes("FAILED"), IDS.flaky);
        expect(await statusOf(IDS.flaky)).toBe("FAILED");

        await rowOf(IDS.clean).locator('button[title="Mark as done"]').click();
        await page.waitForFunction((id) => document.querySelector(`tr[data-task-id="${CSS.escape(id)}"]`)?.textContent?.includes("DONE"), IDS.clean);
        expect(await statusOf(IDS.clean)).toBe("DONE");

        const toggle = page.locator('[data-testid="pause-toggle"]');
        expect(await toggle.textContent()).toContain("Running");
        await toggle.click();
        await page.waitForFunction(() => document.querySelector('[data-testid="pause-toggle"]')?.textContent?.includes("Paused"));
        expect(await rpc(server.url, "is_paused")).toEqual({ paused: true });
        await screenshot(page, "paused");
        await toggle.click();
        await page.waitForFunction(() => document.querySelector('[data-testid="pause-toggle"]')?.textContent?.includes("Running"));
        expect(await rpc(server.url, "is_paused")).toEqual({ paused: false });
      } finally {
        await close();
      }
    },
    SLOW,
  );

  test(
    "workers and resources: set processes, change a capacity, disable a worker",
    async () => {
      alive.delete(WORKER_B);
      await rpc(server.url, "ping", { worker: WORKER_B });
      const { page, close } = await openVisualiser(browser, server.url, "#tab=resources");
      try {
        const resource = page.locator('[data-resource="warehouse"]');
        await resource.waitFor();
        await resource.locator('button[title="Add 1 resource"]').click();
        await page.waitForFunction(() => document.querySelector('[data-resource="warehouse"]')?.textContent?.includes("/3"));
        const list = await rpc<Array<{ name: string; num_total: number }>>(server.url, "resource_list");
        expect(list.find((r) => r.name === "warehouse")?.num_total).toBe(3);

        await page.keyboard.press("4");
        const card = page.locator(`${attr("data-worker-id", WORKER_B)}`);
        await card.waitFor();
        await card.locator('button[title="Add 1 worker"]').click();
        await page.waitForFunction((w) => document.querySelector(`[data-worker-id="${CSS.escape(w)}"]`)?.textContent?.includes("1 unread message"), WORKER_B);
        const pinged = await rpc<{ rpc_messages: Array<{ name: string; kwargs: { n: number } }> }>(server.url, "ping", { worker: WORKER_B });
        expect(pinged.rpc_messages).toEqual([{ name: "set_worker_processes", kwargs: { n: 2 } }]);

        await card.locator("button.danger", { hasText: "Disable Worker" }).click();
        await page.locator(".modal button.danger").click();
        await page.waitForFunction((w) => document.querySelector(`[data-worker-id="${CSS.escape(w)}"]`)?.classList.contains("disabled"), WORKER_B);
        const workers = await rpc<Array<{ name: string; state: string }>>(server.url, "worker_list");
        expect(workers.find((w) => w.name === WORKER_B)?.state).toBe("disabled");
        await screenshot(page, "workers-after");
      } finally {
        await close();
      }
    },
    SLOW,
  );

  test(
    "status message modal follows progress live; a message sent to a running task gets its answer",
    async () => {
      const id = "Chatty_2026_11_21_c4a77c4a77";
      alive.delete(WORKER_A);
      await rpc(server.url, "ping", { worker: WORKER_A });
      await rpc(server.url, "add_task", { worker: WORKER_A, task_id: id, family: "Chatty", params: {}, accepts_messages: true, priority: 100 });
      const work = await rpc<{ task_id: string | null }>(server.url, "get_work", { worker: WORKER_A, host: "etl-1" });
      expect(work.task_id).toBe(id);
      await rpc(server.url, "set_task_status_message", { task_id: id, status_message: "step 1 of 3" });
      await rpc(server.url, "set_task_progress_percentage", { task_id: id, progress_percentage: 10 });
      const { page, close } = await openVisualiser(browser, server.url, `#family=Chatty`);
      try {
        const row = page.locator(`tr${attr("data-task-id", id)}`);
        await row.waitFor();
        await row.locator('button[title="Status message"]').click();
        await page.waitForFunction(() => document.querySelector(".modal")?.textContent?.includes("step 1 of 3"));
        await rpc(server.url, "set_task_status_message", { task_id: id, status_message: "step 2 of 3" });
        await rpc(server.url, "set_task_progress_percentage", { task_id: id, progress_percentage: 70 });
        await page.waitForFunction(() => document.querySelector(".modal")?.textContent?.includes("step 2 of 3") && document.querySelector(".modal .progress")?.textContent?.includes("70%"), undefined, { timeout: 3000 });
        await screenshot(page, "status-modal");
        await page.keyboard.press("Escape");

        await row.locator('button[title="Send message"]').click();
        await page.fill(".modal input[type=text]", "pause please");
        await page.check(".modal input[type=checkbox]");
        await page.click(".modal button.primary");
        let messageId: string | undefined;
        for (let i = 0; i < 50 && !messageId; i++) {
          const pinged = await rpc<{ rpc_messages: Array<{ name: string; kwargs: { task_id: string; message_id: string; content: string } }> }>(server.url, "ping", { worker: WORKER_A });
          const message = pinged.rpc_messages.find((m) => m.name === "dispatch_scheduler_message");
          if (message) {
            expect(message.kwargs).toMatchObject({ task_id: id, content: "pause please" });
            messageId = message.kwargs.message_id;
          } else await Bun.sleep(100);
        }
        expect(messageId).toBeDefined();
        await rpc(server.url, "add_scheduler_message_response", { task_id: id, message_id: messageId, response: "paused at row 7" });
        await page.waitForFunction(() => document.querySelector(".modal")?.textContent?.includes("paused at row 7"), undefined, { timeout: 5000 });
        await screenshot(page, "send-message-modal");
        await page.keyboard.press("Escape");

        // Luigi's D3 view labels an edge into a DONE task with the dependency's run time.
        await rpc(server.url, "mark_as_done", { task_id: id });
        const parent = "ChattyReport_2026_11_21_0000000000";
        await rpc(server.url, "add_task", { worker: WORKER_A, task_id: parent, family: "ChattyReport", deps: [id], status: "DONE" });
        await page.goto(`${server.url}/static/visualiser/index.html#tab=graph&taskId=${encodeURIComponent(parent)}`);
        await page.waitForSelector(`g.node${attr("data-task-id", id)}`);
        expect(await page.locator(".edge-label").allTextContents()).toEqual([expect.stringMatching(/^\d+(\.\d)?s$|^\d+m \d\ds$/)]);
      } finally {
        alive.add(WORKER_A);
        await close();
      }
    },
    SLOW,
  );

  test(
    "a task added through the API appears in an open page within 2 s, without a reload",
    async () => {
      const { page, close } = await openVisualiser(browser, server.url, "#length=25");
      try {
        await page.waitForSelector(`${attr("data-task-id", IDS.report)}`);
        await page.evaluate(() => {
          (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
        });
        const before = Number(await page.textContent('[data-testid="count-PENDING"]'));
        const id = "Fresh_2026_11_21_f0f0f0f0f0";
        await rpc(server.url, "add_task", { worker: WORKER_A, task_id: id, family: "Fresh", params: { n: "1" } });
        const added = Date.now();
        await page.waitForSelector(`tr${attr("data-task-id", id)}`, { timeout: 2000 });
        const took = Date.now() - added;
        expect(took).toBeLessThan(2000);
        expect(Number(await page.textContent('[data-testid="count-PENDING"]'))).toBe(before + 1);
        expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
      } finally {
        await close();
      }
    },
    SLOW,
  );
});
