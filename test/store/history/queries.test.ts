import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../../src/lib/clock.ts";
import { runsOf } from "../../../src/store/history/runs.ts";
import { type HistoryStore, openHistory } from "../../../src/store/history/store.ts";
import { formatTs } from "../../../src/store/history/timestamp.ts";
import { facts, historyEvent } from "./events.ts";

const T0 = 1_800_000_000;
const HOUR = 3600;
let store: HistoryStore;
let dir: string;

// The same queries on an in-memory database (this thread) and on a file (the history thread).
for (const where of ["memory", "file"] as const) {
describe(`queries (${where})`, () => {
  beforeEach(async () => {
    process.env.TZ = "Etc/UTC";
    dir = mkdtempSync(join(tmpdir(), "luigid-history-q-"));
    const url = where === "memory" ? "sqlite://" : `sqlite:///${join(dir, "h.db")}`;
    store = openHistory({ enabled: true, dbConnection: url, retentionDays: null }, { clock: new FakeClock(T0) })!;
    const a1 = facts("A_1", "A", { day: "1", kind: "x" });
    const a2 = facts("A_2", "A", { day: "2", kind: "x" });
    const b = facts("B", "B", { n: 5 });
    store.recorder.onChange([
      historyEvent(a1, "PENDING", T0 - 30 * HOUR), // an old record: outside the default 24 h
      historyEvent(a1, "RUNNING", T0 - 30 * HOUR + 1, "h1"),
      historyEvent(a1, "DONE", T0 - 30 * HOUR + 11),
      historyEvent(a2, "PENDING", T0 - 2 * HOUR),
      historyEvent(b, "PENDING", T0 - 2 * HOUR + 1),
      historyEvent(a2, "RUNNING", T0 - 2 * HOUR + 2, "h2"),
      historyEvent(b, "RUNNING", T0 - 2 * HOUR + 3, "h3"),
      historyEvent(a2, "FAILED", T0 - 2 * HOUR + 4), // interleaved with B: Luigi's id+1 rule would pair wrongly
      historyEvent(b, "DONE", T0 - HOUR),
    ]);
    await store.sync();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("latest: records active since the cut-off, each once, newest activity first", async () => {
    const page = await store.read("latest", formatTs(T0 - 24 * HOUR), 100);
    expect(page.total).toBe(2);
    expect(page.records.map((r) => [r.id, r.name, r.host, r.last?.status])).toEqual([
      [3, "B", "h3", "DONE"],
      [2, "A", "h2", "FAILED"],
    ]);
    expect((await store.read("latest", null, 100)).records.map((r) => r.id)).toEqual([3, 2, 1]);
    const limited = await store.read("latest", null, 1);
    expect([limited.records.length, limited.total]).toEqual([1, 3]);
  });

  test("by name (oldest first) and by parameters (values compare as text)", async () => {
    expect((await store.read("byName", "A", {}, 100)).records.map((r) => r.id)).toEqual([1, 2]);
    expect((await store.read("byName", "A", { day: "2" }, 100)).records.map((r) => r.id)).toEqual([2]);
    expect((await store.read("byName", "A", { day: "2", kind: "y" }, 100)).records).toEqual([]);
    expect((await store.read("byName", "B", { n: 5 }, 100)).records.map((r) => r.id)).toEqual([3]);
    expect(await store.read("byName", "nope", {}, 100)).toEqual({ records: [], total: 0 });
  });

  test("by id and by task id: parameters by name, events newest first, runs with durations", async () => {
    const a2 = (await store.read("byId", 2))!;
    expect(a2.params).toEqual([
      { name: "day", value: "2" },
      { name: "kind", value: "x" },
    ]);
    expect(a2.events.map((e) => e.status)).toEqual(["FAILED", "RUNNING", "PENDING"]);
    expect(a2.runs).toEqual([{ recordId: 2, started: formatTs(T0 - 2 * HOUR + 2), ended: formatTs(T0 - 2 * HOUR + 4), outcome: "FAILED", seconds: 2 }]);
    expect(a2.lastRun?.seconds).toBe(2);
    expect((await store.read("byTaskId", "A_2"))?.id).toBe(2);
    expect(await store.read("byId", 99)).toBeNull();
    expect(await store.read("byTaskId", "nope")).toBeNull();
  });

  test("families and per-family runs, paired within each record", async () => {
    expect(await store.read("families")).toEqual([
      { name: "A", records: 2 },
      { name: "B", records: 1 },
    ]);
    const a = await store.read("familyRuns", "A");
    expect(a.runs.map((r) => [r.recordId, r.outcome, r.seconds])).toEqual([
      [1, "DONE", 10],
      [2, "FAILED", 2],
    ]);
    expect(Object.keys(a.statusResults).sort()).toEqual(["DONE", "FAILED", "PENDING", "RUNNING"]);
    expect(a.taskResults[0]).toEqual({ id: "1", taskName: "A", task_id: "1", status: "PENDING", datetime: formatTs(T0 - 30 * HOUR), timestamp: T0 - 30 * HOUR });
    expect((await store.read("familyRuns", "B")).runs.map((r) => r.seconds)).toEqual([HOUR - 3]);
  });
});
}

test("a run that never reported stays open; DONE without RUNNING is no run", async () => {
  const e = (id: number, status: string, ts: number) => ({ id, recordId: 1, status, ts: formatTs(ts) });
  expect(runsOf([e(1, "DONE", T0)])).toEqual([]);
  const runs = runsOf([e(3, "RUNNING", T0 + 5), e(1, "RUNNING", T0), e(2, "PENDING", T0 + 3), e(4, "DONE", T0 + 8)]);
  expect(runs.map((r) => [r.outcome, r.seconds])).toEqual([
    [null, null],
    ["DONE", 3],
  ]);
});
