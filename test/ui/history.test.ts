/**
 * The history pages in a real browser (Debian chromium via playwright-core):
 * every page renders its runs, and the relative links lead where they should,
 * also under a reverse-proxy sub-path.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { type Browser, chromium, type Page } from "playwright-core";
import { registerHistoryRoutes } from "../../src/http/history/routes.tsx";
import { systemClock } from "../../src/lib/clock.ts";
import { type HistoryStore, openHistory } from "../../src/store/history/store.ts";
import { facts, historyEvent } from "../store/history/events.ts";

const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");
let store: HistoryStore;
let server: ReturnType<typeof Bun.serve>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  store = openHistory({ enabled: true, dbConnection: "sqlite://", retentionDays: null }, { clock: systemClock })!;
  const now = Date.now() / 1000;
  const load = facts("Load_2024_01_01_aa", "Load", { date: "2024-01-01", table: "<events>" });
  const report = facts("etl/Report_x", "etl/Report", { kind: "daily" });
  const events = [historyEvent(load, "PENDING", now - 600)];
  // Five runs of Load: three successes, two failures, of growing length.
  for (let i = 0; i < 5; i++) {
    const start = now - 500 + i * 90;
    events.push(historyEvent(load, "RUNNING", start, "etl-1"), historyEvent(load, i % 2 ? "FAILED" : "DONE", start + 10 + i * 15));
  }
  events.push(historyEvent(report, "PENDING", now - 100), historyEvent(report, "RUNNING", now - 90, "etl-2"), historyEvent(report, "DONE", now - 30));
  store.recorder.onChange(events);
  const app = new Hono();
  registerHistoryRoutes(app, () => store);
  // The same pages behind a proxy that strips /luigi/.
  const proxied = new Hono();
  proxied.all("/luigi/*", (c) => {
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice("/luigi".length);
    return app.fetch(new Request(url, c.req.raw));
  });
  proxied.all("*", (c) => app.fetch(c.req.raw));
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: proxied.fetch });
  base = `http://127.0.0.1:${server.port}`;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.stop(true);
  store?.close();
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
  await page.getByRole("link", { name: "Load" }).click();
  await page.waitForURL(/\/history\/by_id\/1$/);
  expect(await page.locator("table.runs > tbody > tr").count()).toBe(5);
  expect(await page.locator("table.actions > tbody > tr").count()).toBe(11);
  await page.getByRole("link", { name: 'All "Load" runs' }).click();
  await page.waitForURL(/\/history\/by_name\/Load$/);
  expect(await rows(page).count()).toBe(1);
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
  expect(await page.locator("svg.chart rect").count()).toBe(5);
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
