/**
 * The history pages of the compiled binary in a real browser (Debian chromium
 * via playwright-core), after real runs through the RPC API: every page
 * renders its runs, and the relative links lead where they should, also
 * under a reverse-proxy sub-path.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { type RunningBinary, rpc, startBinary } from "../support/index.ts";

const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");
const WORKER = "Worker(salt=7, workers=1, host=etl-1, username=ui, pid=7)";
let server: RunningBinary;
let proxy: ReturnType<typeof Bun.serve>;
let browser: Browser;
let base: string;

function task(id: string, family: string, params: Record<string, string>, status: string) {
  return { task_id: id, status, worker: WORKER, family, params, deps: [], runnable: true, priority: family === "Load" ? 10 : 0 };
}

/** Real runs through the RPC API: Load fails twice and then succeeds; etl/Report succeeds once. */
async function workload(url: string): Promise<void> {
  const call = (method: string, data: Record<string, unknown>) => rpc(url, method, data);
  const load = ["Load_2024_01_01_aa", "Load", { date: "2024-01-01", table: "<events>" }] as const;
  const report = ["etl/Report_x", "etl/Report", { kind: "daily" }] as const;
  await call("add_worker", { worker: WORKER, info: [["host", "etl-1"]] });
  for (const outcome of ["FAILED", "FAILED", "DONE"]) {
    // After a failure a worker's re-add resets the task to PENDING at once (Luigi does the same).
    await call("add_task", task(...load, "PENDING"));
    expect((await call("get_work", { worker: WORKER, host: "etl-1", current_tasks: [] })) as { task_id: string }).toMatchObject({ task_id: load[0] });
    await Bun.sleep(30); // a visible duration
    await call("add_task", task(...load, outcome));
  }
  await call("add_task", task(...report, "PENDING"));
  expect((await call("get_work", { worker: WORKER, host: "etl-2", current_tasks: [] })) as { task_id: string }).toMatchObject({ task_id: report[0] });
  await call("add_task", task(...report, "DONE"));
}

beforeAll(async () => {
  server = await startBinary({ cfg: "[scheduler]\nrecord_task_history = true\n[task_history]\ndb_connection = sqlite:///history.db\n", args: ["--state-path", ":memory:"] });
  await workload(server.url);
  // The same binary behind a proxy that serves it under /luigi/.
  proxy = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const path = url.pathname.startsWith("/luigi/") ? url.pathname.slice("/luigi".length) : url.pathname;
      // Plain bodies only: fetch() decodes gzip but would keep the header.
      const upstream = await fetch(`${server.url}${path}${url.search}`, { headers: { "accept-encoding": "identity" } });
      return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers: { "content-type": upstream.headers.get("content-type") ?? "text/html" } });
    },
  });
  base = `http://127.0.0.1:${proxy.port}`;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  proxy?.stop(true);
  await server?.stop();
});

async function open(path: string, shot: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const res = await page.goto(`${base}${path}`);
  expect(res?.status()).toBe(200);
  await page.screenshot({ path: join(ARTIFACTS, `history-${shot}.png`), fullPage: true });
  return page;
}

const rows = (page: Page) => page.locator("table.records > tbody > tr");

test("recent runs, then a click through to a record and its family", async () => {
  const page = await open("/history", "recent");
  expect(await page.title()).toBe("Luigi History Viewer");
  expect(await rows(page).count()).toBe(2);
  expect(await rows(page).first().locator("td").first().innerText()).toBe("etl/Report");
  expect(await page.getByText("<events>").count()).toBe(1); // escaped text shows literally
  // The filter box narrows the rows as one types; clearing it brings them back.
  await page.locator("input.filter").fill("etl/report");
  expect(await rows(page).filter({ visible: true }).count()).toBe(1);
  await page.locator("input.filter").fill("");
  expect(await rows(page).filter({ visible: true }).count()).toBe(2);
  await page.getByRole("link", { name: "Load" }).click();
  await page.waitForURL(/\/history\/by_id\/1$/);
  expect(await page.locator("table.runs > tbody > tr").count()).toBe(3);
  expect(await page.locator("table.actions > tbody > tr").count()).toBe(9);
  await page.getByRole("link", { name: 'All "Load" runs' }).click();
  await page.waitForURL(/\/history\/by_name\/Load$/);
  expect(await rows(page).count()).toBe(1);
  await page.close();
}, 30_000);

test("the look-back choice applies as soon as it changes", async () => {
  const page = await open("/history", "look-back");
  await page.locator("select#days").selectOption("all");
  await page.waitForURL(/\/history\?days=all$/);
  expect(await rows(page).count()).toBe(2);
  await page.close();
}, 30_000);

test("every other page shows its runs", async () => {
  let page = await open("/history/by_task_id/etl%2FReport_x", "by-task-id");
  expect(await page.locator("table.info").innerText()).toContain("etl-2");
  await page.close();
  page = await open("/history/by_name/etl/Report", "by-name");
  expect(await rows(page).count()).toBe(1);
  await page.close();
  page = await open(`/history/by_params/Load?data=${encodeURIComponent('{"date":"2024-01-01"}')}`, "by-params");
  expect(await rows(page).count()).toBe(1);
  await page.close();
  page = await open("/tasklist", "tasklist");
  expect(await page.locator(".nav-pills a").allInnerTexts()).toEqual(["Load(1)", "etl/Report(1)"]);
  await page.locator(".nav-pills a", { hasText: "etl/Report" }).click();
  await page.waitForURL(/\/tasklist\/etl%2FReport$/);
  expect(await page.locator("h3").first().innerText()).toBe("etl/Report History");
  await page.close();
  page = await open("/tasklist/Load", "durations");
  expect(await page.locator("svg.chart rect").count()).toBe(3);
  expect(await page.locator('svg.chart rect[fill="#CC0000"]').count()).toBe(2);
  const box = await page.locator("svg.chart").boundingBox();
  expect(box!.height).toBeGreaterThan(200);
  await page.close();
}, 30_000);

test("relative links keep a reverse-proxy sub-path", async () => {
  const page = await open("/luigi/history/by_name/etl/Report", "proxied");
  await page.getByRole("link", { name: "etl/Report" }).click();
  await page.waitForURL(/\/luigi\/history\/by_id\/2$/);
  await page.getByRole("link", { name: "Durations", exact: true }).click();
  await page.waitForURL(`${base}/luigi/tasklist`);
  expect(await page.locator(".nav-pills a").count()).toBe(2);
  await page.close();
}, 30_000);

test("the top bar is the visualiser's: its views, History current, the same colours, links into it", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  expect((await page.goto(`${server.url}/history/by_name/Load`))?.status()).toBe(200);
  await page.screenshot({ path: join(ARTIFACTS, "history-topbar.png") });
  expect(await page.locator("header.topbar nav a").allInnerTexts()).toEqual(["Task List", "Dependency Graph", "Timeline", "Workers", "Resources", "History"]);
  expect(await page.locator('header.topbar nav a[aria-current="page"]').innerText()).toBe("History");
  const look = (selector: string) => page.locator(selector).first().evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).height, getComputedStyle(el).fontFamily]);
  const historyBar = await look("header.topbar");
  expect(historyBar[0]).toBe("rgb(20, 33, 46)"); // --top, ui/shell.css
  await page.getByRole("link", { name: "Dependency Graph" }).click();
  await page.waitForURL(`${server.url}/static/visualiser/index.html#tab=graph`);
  await page.locator("header.topbar nav a.active", { hasText: "Dependency Graph" }).waitFor();
  expect(await look("header.topbar")).toEqual(historyBar);
  // And back: the visualiser's History link (history is on) leads to the recent runs.
  await page.getByTestId("history-link").click();
  await page.waitForURL(`${server.url}/history`);
  expect(await page.locator("table.records > tbody > tr").count()).toBe(2);
  await page.close();
}, 30_000);
