/**
 * The visualiser when things go wrong, in a real browser against the compiled
 * binary: the scheduler stops (the page must say so, not keep showing old
 * data as live) and comes back; a phone-width window; a family name far
 * longer than a table cell.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { rpc, startBinary, tempDir } from "../support/index.ts";
import { launchBrowser, openVisualiser, screenshot } from "./browser.ts";

const SLOW = 60_000;
let browser: Browser;
const home = tempDir("luigid-ui-outage-");

beforeAll(async () => {
  browser = await launchBrowser();
}, SLOW);

afterAll(async () => {
  await browser?.close();
  home.remove();
});

test(
  "the scheduler stops: within seconds a banner says so and the live dot goes grey; it comes back: the banner goes and new data shows",
  async () => {
    const args = ["--state-path", home.join("state.db")];
    let server = await startBinary({ args });
    await rpc(server.url, "add_task", { worker: "w", task_id: "Before_1", family: "Before" });
    const { page, close } = await openVisualiser(browser, server.url);
    try {
      await page.waitForSelector('[data-task-id="Before_1"]');
      expect(await page.locator('[data-testid="unreachable"]').count()).toBe(0);
      await server.stop();
      await page.waitForSelector('[data-testid="unreachable"]', { timeout: 8000 });
      expect(await page.getAttribute(".topbar .live .dot", "class")).toBe("dot down");
      await screenshot(page, "scheduler-down");
      server = await startBinary({ args: [...args, "--port", String(server.port)] });
      await rpc(server.url, "add_task", { worker: "w", task_id: "After_1", family: "After" });
      await page.waitForSelector('[data-testid="unreachable"]', { state: "detached", timeout: 10_000 });
      await page.waitForSelector('[data-task-id="After_1"]', { timeout: 5000 });
      expect(await page.getAttribute(".topbar .live .dot", "class")).toBe("dot");
    } finally {
      await close();
      await server.stop();
    }
  },
  SLOW,
);

test(
  "a 400 px window: the bar wraps, the pause switch and help stay on screen, every view link is in the bar, the page never scrolls sideways",
  async () => {
    await using server = await startBinary();
    await rpc(server.url, "add_task", { worker: "w", task_id: "Phone_1", family: "Phone" });
    const { page, close } = await openVisualiser(browser, server.url, "", { width: 400, height: 800 });
    try {
      await page.waitForSelector('[data-task-id="Phone_1"]');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
      for (const selector of ['[data-testid="pause-toggle"]', ".topbar .help"]) {
        const box = (await page.locator(selector).boundingBox())!;
        expect([selector, box.x >= 0 && box.x + box.width <= 400]).toEqual([selector, true]);
      }
      expect(await page.locator(".topbar nav a").allTextContents()).toEqual(["Task List", "Dependency Graph", "Timeline", "Workers", "Resources"]);
      // The links' row is inside the bar, not spilling under the page below it.
      const [bar, nav] = [(await page.locator(".topbar").boundingBox())!, (await page.locator(".topbar nav").boundingBox())!];
      expect(nav.y + nav.height).toBeLessThanOrEqual(bar.y + bar.height);
      await screenshot(page, "phone-tasks");
    } finally {
      await close();
    }
  },
  SLOW,
);

test(
  "a 300-character family name wraps inside its cell: the table's last column stays on screen",
  async () => {
    await using server = await startBinary();
    const family = `Extract${"VeryLongFamilyName".repeat(17)}`;
    await rpc(server.url, "add_task", { worker: "w", task_id: `${family}_1`, family });
    const { page, close } = await openVisualiser(browser, server.url);
    try {
      await page.waitForSelector(`[data-task-id="${family}_1"]`);
      const lastHeader = (await page.locator("table.tasks thead th").last().boundingBox())!;
      expect(lastHeader.x + lastHeader.width).toBeLessThanOrEqual(1400);
      await screenshot(page, "long-family");
    } finally {
      await close();
    }
  },
  SLOW,
);
