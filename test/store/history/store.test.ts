import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../../src/lib/clock.ts";
import { pruneBefore } from "../../../src/store/history/retention.ts";
import { ensureSchema } from "../../../src/store/history/schema.ts";
import { InlineBackend, ThreadBackend } from "../../../src/store/history/backend.ts";
import { HistoryQueries } from "../../../src/store/history/queries.ts";
import { HistoryWriter } from "../../../src/store/history/writer.ts";
import { type HistoryStore, openHistory } from "../../../src/store/history/store.ts";
import { formatTs } from "../../../src/store/history/timestamp.ts";
import { facts, historyEvent } from "./events.ts";

const T0 = 1_800_000_000;
let dir: string;
let clock: FakeClock;
const opened: HistoryStore[] = [];
let useThread = true;

beforeEach(() => {
  useThread = true;
  process.env.TZ = "Etc/UTC";
  dir = mkdtempSync(join(tmpdir(), "luigid-history-"));
  clock = new FakeClock(T0);
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(file = "h.db", extra: { retentionDays?: number | null; warn?: (m: string, e: unknown) => void; log?: (m: string) => void; thread?: boolean } = {}): HistoryStore {
  const store = openHistory(
    { enabled: true, dbConnection: `sqlite:///${file}`, retentionDays: extra.retentionDays ?? null },
    { clock, cwd: dir, warn: extra.warn, log: extra.log ?? (() => {}), thread: extra.thread ?? useThread },
  )!;
  opened.push(store);
  return store;
}

/** What another process (or the test) sees in the file. */
function readBack(file = "h.db") {
  const db = new Database(join(dir, file), { readonly: true });
  try {
    return {
      tasks: db.query("SELECT id, task_id, name, host FROM tasks ORDER BY id").all(),
      params: db.query("SELECT task_id, name, value FROM task_parameters ORDER BY task_id, name").all(),
      events: db.query("SELECT task_id, event_name, ts FROM task_events ORDER BY id").all(),
    };
  } finally {
    db.close();
  }
}

describe("schema", () => {
  test("creates Luigi's tables and indexes exactly, once", async () => {
    await open().close();
    await open().close();
    const db = new Database(join(dir, "h.db"), { readonly: true });
    const objects = db.query<{ type: string; name: string; sql: string }, []>("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").all();
    db.close();
    expect(objects.map((o) => `${o.type} ${o.name}`)).toEqual([
      "index ix_task_events_task_id",
      "index ix_task_events_ts",
      "index ix_tasks_name",
      "index ix_tasks_task_id",
      "table task_events",
      "table task_parameters",
      "table tasks",
    ]);
    const tasks = objects.find((o) => o.name === "tasks")!.sql.replace(/\s+/g, " ");
    expect(tasks).toBe("CREATE TABLE tasks ( id INTEGER NOT NULL, task_id VARCHAR(200), name VARCHAR(128), host VARCHAR(128), PRIMARY KEY (id) )");
    const events = objects.find((o) => o.name === "task_events")!.sql.replace(/\s+/g, " ");
    expect(events).toContain("ts TIMESTAMP NOT NULL");
    expect(events).toContain("FOREIGN KEY(task_id) REFERENCES tasks (id)");
  });

  test("upgrades a very old file without tasks.task_id, as Luigi does", async () => {
    const db = new Database(join(dir, "old.db"));
    db.exec("CREATE TABLE tasks (id INTEGER NOT NULL, name VARCHAR(128), host VARCHAR(128), PRIMARY KEY (id))");
    db.exec("CREATE TABLE task_parameters (task_id INTEGER NOT NULL, name VARCHAR(128) NOT NULL, value VARCHAR(256), PRIMARY KEY (task_id, name))");
    const warnings = ensureSchema(db);
    expect(warnings).toEqual([
      "Upgrading DbTaskHistory schema: Adding tasks.task_id",
      "SQLite can not change column types. Please use a new database to pickup column type changes.",
    ]);
    const indexes = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'").all();
    expect(indexes.map((i) => i.name)).toEqual(["ix_task_id"]);
    expect(ensureSchema(db)).toHaveLength(1); // only the column-type note remains
    db.close();
  });
});

for (const thread of [true, false]) describe(`recording (${thread ? "on the history thread" : "inline"})`, () => {
  beforeEach(() => {
    useThread = thread;
  });
  test("one record per task id, events appended, host from get_work, every parameter kept", async () => {
    const store = open();
    const a = facts("A_1_abc", "A", { date: "2024-01-01", secret: "s3cr3t", n: 3, inf: Number.POSITIVE_INFINITY, flag: true, list: [1, "b"], none: null });
    store.recorder.onChange([historyEvent(a, "PENDING", T0), historyEvent(a, "RUNNING", T0 + 1, "vm1"), historyEvent(a, "DONE", T0 + 3.5)]);
    store.recorder.onChange([historyEvent(facts("B", "B"), "PENDING", T0 + 4)]);
    await store.sync();
    const back = readBack();
    expect(back.tasks).toEqual([
      { id: 1, task_id: "A_1_abc", name: "A", host: "vm1" },
      { id: 2, task_id: "B", name: "B", host: null },
    ]);
    expect(back.params).toEqual([
      { task_id: 1, name: "date", value: "2024-01-01" },
      { task_id: 1, name: "flag", value: "true" },
      { task_id: 1, name: "inf", value: "Infinity" },
      { task_id: 1, name: "list", value: '[1,"b"]' },
      { task_id: 1, name: "n", value: "3" },
      { task_id: 1, name: "none", value: null },
      { task_id: 1, name: "secret", value: "s3cr3t" },
    ]);
    expect(back.events).toEqual([
      { task_id: 1, event_name: "PENDING", ts: "2027-01-15 08:00:00.000000" },
      { task_id: 1, event_name: "RUNNING", ts: "2027-01-15 08:00:01.000000" },
      { task_id: 1, event_name: "DONE", ts: "2027-01-15 08:00:03.500000" },
      { task_id: 2, event_name: "PENDING", ts: "2027-01-15 08:00:04.000000" },
    ]);
  });

  test("onChange only queues; the timer writes the batch; close() writes the rest", async () => {
    const store = open("q.db");
    store.recorder.onChange([historyEvent(facts("A", "A"), "PENDING", T0)]);
    expect(store.recorder.pending).toBe(1);
    expect(readBack("q.db").events).toHaveLength(0);
    // Nobody asks: the batch timer (20 ms) hands the batch over and it gets committed on its own.
    for (let i = 0; i < 300 && readBack("q.db").events.length === 0; i++) await Bun.sleep(10);
    expect(readBack("q.db").events).toHaveLength(1);
    await store.sync();
    expect(store.recorder.pending).toBe(0);
    store.recorder.onChange([historyEvent(facts("A", "A"), "RUNNING", T0 + 1, "h")]);
    await store.close();
    // Every connection really closed: the last one checkpointed and removed the WAL.
    expect(existsSync(join(dir, "q.db-wal"))).toBe(false);
    expect(readBack("q.db").events.map((e) => (e as { event_name: string }).event_name)).toEqual(["PENDING", "RUNNING"]);
  });

  test("a restart starts a new record for the same task id; the old one is untouched", async () => {
    const a = facts("A", "A", { x: "1" });
    const first = open();
    first.recorder.onChange([historyEvent(a, "PENDING", T0), historyEvent(a, "RUNNING", T0 + 1, "h1"), historyEvent(a, "DONE", T0 + 2)]);
    await first.close();
    const second = open();
    second.recorder.onChange([historyEvent(a, "PENDING", T0 + 10), historyEvent(a, "RUNNING", T0 + 11, "h2")]);
    await second.close();
    const back = readBack();
    expect(back.tasks).toEqual([
      { id: 1, task_id: "A", name: "A", host: "h1" },
      { id: 2, task_id: "A", name: "A", host: "h2" },
    ]);
    expect(back.events.filter((e) => (e as { task_id: number }).task_id === 1)).toHaveLength(3);
    expect(back.events.filter((e) => (e as { task_id: number }).task_id === 2)).toHaveLength(2);
  });

  test("a write failure is logged and never thrown; later events still land", async () => {
    const warnings: string[] = [];
    const store = open("f.db", { warn: (m) => warnings.push(m) });
    await store.sync(); // the history thread has opened the file
    store.db.exec("ALTER TABLE task_events RENAME TO gone");
    store.recorder.onChange([historyEvent(facts("A", "A"), "PENDING", T0)]);
    await store.sync();
    expect(warnings).toEqual(["Error saving Task history"]);
    store.db.exec("ALTER TABLE gone RENAME TO task_events");
    store.recorder.onChange([historyEvent(facts("A", "A"), "RUNNING", T0 + 1, "h")]);
    await store.sync();
    expect(readBack("f.db").events).toEqual([{ task_id: 1, event_name: "RUNNING", ts: formatTs(T0 + 1) }]);
  });

  test("a record deleted behind our back is re-created instead of failing forever", async () => {
    const store = open();
    const a = facts("A", "A");
    store.recorder.onChange([historyEvent(a, "PENDING", T0)]);
    await store.sync();
    store.db.exec("DELETE FROM task_events; DELETE FROM tasks");
    store.recorder.onChange([historyEvent(a, "RUNNING", T0 + 1, "h")]);
    await store.sync();
    expect(readBack().tasks).toEqual([{ id: 1, task_id: "A", name: "A", host: "h" }]);
  });
});

describe("a history file written by Luigi", () => {
  test("is read and appended to", async () => {
    const db = new Database(join(dir, "luigi.db"));
    // What SQLAlchemy creates for luigi/db_task_history.py, with rows as Luigi writes them.
    db.exec(`
      CREATE TABLE tasks (id INTEGER NOT NULL, task_id VARCHAR(200), name VARCHAR(128), host VARCHAR(128), PRIMARY KEY (id));
      CREATE INDEX ix_tasks_task_id ON tasks (task_id);
      CREATE INDEX ix_tasks_name ON tasks (name);
      CREATE TABLE task_parameters (task_id INTEGER NOT NULL, name VARCHAR(128) NOT NULL, value TEXT, PRIMARY KEY (task_id, name), FOREIGN KEY(task_id) REFERENCES tasks (id));
      CREATE TABLE task_events (id INTEGER NOT NULL, task_id INTEGER, event_name VARCHAR(20), ts TIMESTAMP NOT NULL, PRIMARY KEY (id), FOREIGN KEY(task_id) REFERENCES tasks (id));
      CREATE INDEX ix_task_events_ts ON task_events (ts);
      CREATE INDEX ix_task_events_task_id ON task_events (task_id);
      INSERT INTO tasks VALUES (1, 'Load_2024_01_01_aa', 'Load', 'etl-1');
      INSERT INTO task_parameters VALUES (1, 'date', '2024-01-01');
      INSERT INTO task_events VALUES (1, 1, 'PENDING', '2027-01-15 07:00:00.000000');
      INSERT INTO task_events VALUES (2, 1, 'RUNNING', '2027-01-15 07:00:01.250000');
      INSERT INTO task_events VALUES (3, 1, 'FAILED', '2027-01-15 07:00:31.250000');
    `);
    db.close();
    const store = open("luigi.db");
    const old = (await store.read("byId", 1))!;
    expect(old).toMatchObject({ id: 1, taskId: "Load_2024_01_01_aa", name: "Load", host: "etl-1", params: [{ name: "date", value: "2024-01-01" }] });
    expect(old.events.map((e) => e.status)).toEqual(["FAILED", "RUNNING", "PENDING"]);
    expect(old.runs).toEqual([{ recordId: 1, started: "2027-01-15 07:00:01.250000", ended: "2027-01-15 07:00:31.250000", outcome: "FAILED", seconds: 30 }]);
    expect((await store.read("latest", formatTs(T0 - 86_400), 100)).records.map((r) => r.id)).toEqual([1]);

    const again = facts("Load_2024_01_01_aa", "Load", { date: "2024-01-01" });
    store.recorder.onChange([historyEvent(again, "PENDING", T0), historyEvent(again, "RUNNING", T0 + 1, "etl-2"), historyEvent(again, "DONE", T0 + 61)]);
    await store.close();
    const back = readBack("luigi.db");
    expect(back.tasks).toEqual([
      { id: 1, task_id: "Load_2024_01_01_aa", name: "Load", host: "etl-1" },
      { id: 2, task_id: "Load_2024_01_01_aa", name: "Load", host: "etl-2" },
    ]);
    expect(back.events).toHaveLength(6);
    expect(back.events[3]).toEqual({ task_id: 2, event_name: "PENDING", ts: "2027-01-15 08:00:00.000000" });
  });
});

describe("retention", () => {
  test("deletes whole records last active before the cut-off and forgets them", async () => {
    const logs: string[] = [];
    const store = open("r.db", { retentionDays: 2, log: (m) => logs.push(m) });
    const old = facts("Old", "Old", { k: "v" });
    const live = facts("Live", "Live");
    store.recorder.onChange([historyEvent(old, "PENDING", T0), historyEvent(live, "PENDING", T0), historyEvent(live, "RUNNING", T0 + 2.5 * 86_400, "h")]);
    clock.set(T0 + 3 * 86_400);
    expect(await store.applyRetention()).toBe(1);
    expect(logs).toEqual(["task history retention: deleted 1 records older than 2 days"]);
    let back = readBack("r.db");
    expect(back.tasks).toEqual([{ id: 2, task_id: "Live", name: "Live", host: "h" }]);
    expect(back.params).toEqual([]);
    expect(back.events).toHaveLength(2);
    // The next event of the pruned task id opens a fresh record.
    store.recorder.onChange([historyEvent(old, "PENDING", clock.now())]);
    await store.sync();
    back = readBack("r.db");
    expect(back.tasks.map((t) => (t as { task_id: string }).task_id)).toEqual(["Live", "Old"]);
    // …with its name and parameters, although they were sent with its first event only.
    expect(back.tasks[1]).toMatchObject({ name: "Old" });
    expect(back.params).toEqual([{ task_id: 3, name: "k", value: "v" }]);
  });

  test("the newest record stays even when stale, so a new record never takes an id a link already named", async () => {
    const store = open("ids.db", { retentionDays: 1 });
    store.recorder.onChange([historyEvent(facts("A", "A"), "PENDING", T0), historyEvent(facts("B", "B"), "PENDING", T0)]);
    clock.set(T0 + 3 * 86_400);
    expect(await store.applyRetention()).toBe(1);
    expect(readBack("ids.db").tasks.map((t) => (t as { id: number }).id)).toEqual([2]);
    store.recorder.onChange([historyEvent(facts("C", "C"), "PENDING", clock.now())]);
    await store.sync();
    expect(readBack("ids.db").tasks.map((t) => (t as { id: number }).id)).toEqual([2, 3]);
  });

  test("events left by records deleted by hand still age out when no record is left", () => {
    const db = new Database(":memory:");
    ensureSchema(db);
    db.run("INSERT INTO task_events (task_id, event_name, ts) VALUES (7, 'PENDING', '2020-01-01 00:00:00.000000')");
    expect([...pruneBefore(db, "2021-01-01 00:00:00.000000")]).toEqual([7]);
    expect(db.query("SELECT COUNT(*) AS n FROM task_events").get()).toEqual({ n: 0 });
  });

  test("is off by default and rejects a non-positive value", async () => {
    const store = open("n.db");
    expect(await store.applyRetention()).toBe(0);
    expect(() => openHistory({ enabled: true, dbConnection: "sqlite://", retentionDays: 0 }, { clock })).toThrow(/retention/);
    expect(openHistory({ enabled: false, dbConnection: null, retentionDays: null }, { clock })).toBeNull();
    expect(() => openHistory({ enabled: true, dbConnection: null, retentionDays: null }, { clock })).toThrow(/db_connection is not set/);
    expect(() => openHistory({ enabled: true, dbConnection: `sqlite:///${dir}/missing/dir/h.db`, retentionDays: null }, { clock })).toThrow(/cannot open/);
  });
});

describe("the history thread", () => {
  test("a file database is written on the history thread; memory inline", async () => {
    const store = open("t.db");
    store.recorder.onChange([historyEvent(facts("A", "A"), "PENDING", T0)]);
    await store.sync();
    expect(store.writer).toBe("the history thread");
    const memory = openHistory({ enabled: true, dbConnection: "sqlite://", retentionDays: null }, { clock })!;
    opened.push(memory);
    expect(memory.writer).toBe("the main thread");
  });

  test("when the thread cannot start, batches in flight are written on the main thread", async () => {
    const warnings: string[] = [];
    const db = new Database(join(dir, "fb.db"));
    ensureSchema(db);
    const backend = new ThreadBackend(join(dir, "fb.db"), 1, ["./no-such-thread.ts"], () => new InlineBackend(new HistoryWriter(db, () => {}, 1), new HistoryQueries(db)), (m) => warnings.push(m));
    const event = { taskId: "A", family: "A", params: { k: "v" }, status: "PENDING" as const, at: T0, host: null };
    backend.write([event]);
    backend.write([{ ...event, status: "RUNNING", host: "h" }]);
    await backend.sync();
    expect(backend.where).toBe("the main thread (the history thread failed)");
    expect(warnings).toEqual(["task history thread unavailable; using the main thread"]);
    expect((await backend.query("byTaskId", ["A"]))?.events.map((e) => e.status)).toEqual(["RUNNING", "PENDING"]);
    await backend.close();
    db.close();
    expect(readBack("fb.db").events.map((e) => (e as { event_name: string }).event_name)).toEqual(["PENDING", "RUNNING"]);
  });
});

describe("memory", () => {
  test("the task id cache is bounded; an evicted task still appends to its own record, never to an earlier run's", async () => {
    const db = new Database(join(dir, "c.db"));
    ensureSchema(db);
    // A record from before this process started, for the same task id: history, not to be appended to.
    db.exec("INSERT INTO tasks (id, task_id, name, host) VALUES (1, 'A', 'A', 'old-host')");
    const writer = new HistoryWriter(db, () => {}, 2, 2);
    const ev = (taskId: string, status: "PENDING" | "RUNNING", at: number) => ({ taskId, family: taskId, params: {}, status, at, host: null });
    writer.write([ev("A", "PENDING", T0), ev("B", "PENDING", T0), ev("C", "PENDING", T0)]); // the cache holds 2: A falls out
    writer.write([{ taskId: "A", status: "RUNNING", at: T0 + 1, host: "h" }]);
    const rows = db.query<{ id: number; task_id: string; host: string | null }, []>("SELECT id, task_id, host FROM tasks ORDER BY id").all();
    expect(rows).toEqual([
      { id: 1, task_id: "A", host: "old-host" },
      { id: 2, task_id: "A", host: "h" },
      { id: 3, task_id: "B", host: null },
      { id: 4, task_id: "C", host: null },
    ]);
    expect(db.query("SELECT task_id, event_name FROM task_events ORDER BY id").all()).toEqual([
      { task_id: 2, event_name: "PENDING" },
      { task_id: 3, event_name: "PENDING" },
      { task_id: 4, event_name: "PENDING" },
      { task_id: 2, event_name: "RUNNING" },
    ]);
    db.close();
  });
});
