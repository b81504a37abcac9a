import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { registerHistoryRoutes } from "../../../src/http/history/routes.tsx";
import { FakeClock } from "../../../src/lib/clock.ts";
import { type HistoryStore, openHistory } from "../../../src/store/history/store.ts";
import { facts, historyEvent } from "../history/events.ts";

const T0 = 1_800_000_000;
const HOUR = 3600;
let store: HistoryStore;
let app: Hono;

beforeEach(() => {
  process.env.TZ = "Etc/UTC";
  store = openHistory({ enabled: true, dbConnection: "sqlite://", retentionDays: null }, { clock: new FakeClock(T0) })!;
  const load = facts("Load_1", "Load", { date: "2024-01-01", note: "<b>&'\"" });
  const slash = facts("ns/Job_x", "ns/Job", { x: "a+b" });
  const old = facts("Old", "Old");
  store.recorder.onChange([
    historyEvent(old, "PENDING", T0 - 48 * HOUR),
    historyEvent(load, "PENDING", T0 - 60),
    historyEvent(load, "RUNNING", T0 - 50, "etl-1"),
    historyEvent(load, "DONE", T0 - 20),
    historyEvent(slash, "PENDING", T0 - 10),
    historyEvent(slash, "RUNNING", T0 - 9, "etl-2"),
    historyEvent(slash, "FAILED", T0 - 8),
  ]);
  app = new Hono();
  registerHistoryRoutes(app, () => store);
});
afterEach(() => store.close());

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

const recordIds = (html: string) => [...html.matchAll(/data-record-id="(\d+)"/g)].map((m) => Number(m[1]));

describe("pages", () => {
  test("/history: the past 24 h by default, newest first, with relative by_id links", async () => {
    const { status, type, body } = await get("/history");
    expect(status).toBe(200);
    expect(type).toContain("text/html");
    expect(body).toStartWith("<!DOCTYPE html>");
    expect(body).toContain("<title>Luigi History Viewer</title>");
    expect(recordIds(body)).toEqual([3, 2]);
    expect(body).toContain('href="history/by_id/2"');
    expect(body).toContain('href="history/by_id/3"');
    expect(body).toContain("0:00:30.000 (DONE)");
    // Escaped, never raw.
    expect(body).toContain("&lt;b>&amp;'&quot;");
    expect(body).not.toContain("<b>");
    expect(recordIds((await get("/history?days=99999999999999")).body)).toEqual([3, 2, 1]);
    const all = await get("/history?days=all");
    expect(recordIds(all.body)).toEqual([3, 2, 1]);
    expect(all.body).toContain('<option value="all" selected');
  });

  test("/history/by_id and /history/by_task_id show Info, Parameters, Runs and Actions", async () => {
    const { status, body } = await get("/history/by_id/2");
    expect(status).toBe(200);
    for (const text of ["<h3>Info</h3>", "<h3>Parameters</h3>", "<h3>Actions</h3>", "etl-1", "Load_1", "2027-01-15 07:59:10", "0:00:30.000"]) expect(body).toContain(text);
    expect(body).toContain('href="../../history/by_name/Load"');
    expect(body.indexOf(">DONE<")).toBeLessThan(body.indexOf(">PENDING<")); // newest first
    const byTask = await get("/history/by_task_id/ns%2FJob_x");
    expect(byTask.status).toBe(200);
    expect(byTask.body).toContain("etl-2");
    expect(byTask.body).toContain('href="../../history/by_name/ns%2FJob"');
  });

  test("names come from the raw path: slashes, %-escapes and + survive", async () => {
    expect(recordIds((await get("/history/by_name/ns/Job")).body)).toEqual([3]);
    expect(recordIds((await get("/history/by_name/ns%2FJob")).body)).toEqual([3]);
    expect(recordIds((await get("/history/by_name/%4Coad")).body)).toEqual([2]);
    const empty = await get("/history/by_name/");
    expect([empty.status, recordIds(empty.body)]).toEqual([200, []]);
    expect(recordIds((await get(`/history/by_params/ns/Job?data=${encodeURIComponent('{"x":"a+b"}')}`)).body)).toEqual([3]);
    expect(recordIds((await get(`/history/by_params/Load?data=${encodeURIComponent('{"date":"2024-01-02"}')}`)).body)).toEqual([]);
    const deep = await get("/history/by_name/ns/Job");
    expect(deep.body).toContain('href="../../../history/by_id/3"');
  });

  test("/tasklist pills and /tasklist/{name} chart", async () => {
    const list = await get("/tasklist");
    expect(list.body).toContain("[ Task History ]");
    expect(list.body).toContain('href="tasklist/ns%2FJob"');
    const chart = await get("/tasklist/Load");
    expect(chart.status).toBe(200);
    expect(chart.body).toContain("Load History");
    expect(chart.body).toContain('fill="#669900"');
    expect(chart.body).toContain("DONE in 0:00:30.000");
    expect(chart.body).toContain('id="luigi-chart-data"');
    const none = await get("/tasklist/Old");
    expect(none.body).toContain("No completed runs.");
  });

  test("errors: unknown id 404, malformed data 400 with the reason, wrong method 405, trailing slash 404", async () => {
    for (const path of ["/history/by_id/999", "/history/by_id/abc", "/history/by_task_id/nope"]) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.type).toContain("text/html");
    }
    const bad = await get("/history/by_params/Load?data=%7Bnot-json");
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("data is not valid JSON");
    const arr = await get("/history/by_params/Load?data=%5B1%5D");
    expect([arr.status, arr.body.includes("must be a JSON object")]).toEqual([400, true]);
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "v"])));
    const tooMany = await get(`/history/by_params/Load?data=${encodeURIComponent(many)}`);
    expect([tooMany.status, tooMany.body.includes("at most 32 parameters")]).toEqual([400, true]);
    expect((await get("/history?days=-1")).status).toBe(400);
    expect((await get("/history?limit=0")).status).toBe(400);
    expect((await app.request("/history", { method: "POST" })).status).toBe(405);
    expect((await get("/history/")).status).toBe(404);
    expect((await get("/history/by_id/%E0%A4%A")).status).toBe(400);
  });

  test("limit and the Show more link", async () => {
    const page = await get("/history?days=all&limit=1");
    expect(recordIds(page.body)).toEqual([3]);
    expect(page.body).toContain("Showing 1 of 3 records.");
    expect(page.body).toContain('href="history?days=all&amp;limit=1000"');
  });
});

describe("JSON", () => {
  test("every page has the same data as JSON", async () => {
    const recent = JSON.parse((await get("/history?format=json")).body);
    expect(recent.records.map((r: { id: number }) => r.id)).toEqual(recordIds((await get("/history")).body));
    expect(recent.records[1]).toEqual({
      id: 2,
      task_id: "Load_1",
      name: "Load",
      host: "etl-1",
      params: { date: "2024-01-01", note: "<b>&'\"" },
      last_action: "2027-01-15 07:59:40.000000",
      status: "DONE",
      last_run: { record_id: 2, started: "2027-01-15 07:59:10.000000", ended: "2027-01-15 07:59:40.000000", outcome: "DONE", seconds: 30 },
    });
    const detail = JSON.parse((await get("/history/by_id/2?format=json")).body);
    expect(detail.events.map((e: { status: string }) => e.status)).toEqual(["DONE", "RUNNING", "PENDING"]);
    expect(detail.runs).toHaveLength(1);
    const byName = JSON.parse((await get("/history/by_name/ns/Job?format=json")).body);
    expect([byName.name, byName.total]).toEqual(["ns/Job", 1]);
    const families = JSON.parse((await get("/tasklist?format=json")).body);
    expect(families.families.map((f: { name: string }) => f.name)).toEqual(["Load", "Old", "ns/Job"]);
    const runs = JSON.parse((await get("/tasklist/Load?format=json")).body);
    expect(runs.runs[0].seconds).toBe(30);
    expect(Object.keys(runs.status_results).sort()).toEqual(["DONE", "PENDING", "RUNNING"]);
    const missing = await app.request("/history/by_id/999?format=json");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("NOT_FOUND");
  });
});

test("history off: every route is a 404 that says how to turn it on", async () => {
  const off = new Hono();
  registerHistoryRoutes(off, () => null);
  for (const path of ["/history", "/history/by_id/1", "/tasklist", "/tasklist/X", "/history/by_params/X?data={}"]) {
    const res = await off.request(path);
    expect([path, res.status]).toEqual([path, 404]);
    expect(await res.text()).toContain("record_task_history = true");
  }
});

test("hostile paths and data never make a 5xx", async () => {
  const fc = await import("fast-check");
  const prefixes = ["/history/by_name/", "/history/by_id/", "/history/by_task_id/", "/history/by_params/", "/tasklist/"];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...prefixes), fc.string({ unit: "binary", maxLength: 40 }), fc.option(fc.string({ maxLength: 40 })), async (prefix, name, data) => {
      const query = data === null ? "" : `?data=${encodeURIComponent(data)}`;
      const res = await app.request(`${prefix}${encodeURIComponent(name)}${query}`);
      expect([200, 400, 404]).toContain(res.status);
      await res.arrayBuffer();
    }),
    { numRuns: 300 },
  );
});
