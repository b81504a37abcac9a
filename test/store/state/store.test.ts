import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateFileError, mergeResources, openStateStore, type StateStore, unusable } from "../../../src/store/state/store.ts";
import { encodeTask } from "../../../src/store/state/codec.ts";
import { APPLICATION_ID, MIGRATIONS } from "../../../src/store/state/schema.ts";
import { CHECKPOINT_EVERY_ROWS } from "../../../src/store/state/writer.ts";
import { FakeSource, bareTask, bareWorker, fullTask, fullWorker, memoryLog, plainState, plainTask } from "./fake-source.ts";

const dirs: string[] = [];
const open: StateStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempPath(name = "state.db"): string {
  const dir = mkdtempSync(join(tmpdir(), "luigid-state-"));
  dirs.push(dir);
  return join(dir, name);
}

function openStore(path: string, options: Partial<Parameters<typeof openStateStore>[1]> = {}): StateStore {
  const store = openStateStore(path, { log: memoryLog(), ...options });
  open.push(store);
  return store;
}

function closeStore(store: StateStore): void {
  open.splice(open.indexOf(store), 1);
  store.close();
}

/** Publishes what the fake engine changed, as SchedulerService.run does, and waits for the commit. */
async function commit(store: StateStore, source: FakeSource): Promise<void> {
  store.listener.onChange([], source.drainChanges(), source);
  await store.listener.flush();
}

describe("round trip", () => {
  test("a new file restores nothing; everything committed comes back after a reopen", async () => {
    const path = tempPath();
    const first = openStore(path);
    expect(first.restored).toBeNull();
    const source = new FakeSource();
    source.putWorker(fullWorker("w1"));
    source.putWorker(bareWorker("w2"));
    source.putTask(fullTask("A"));
    source.putTask(bareTask("B"));
    source.putTask({ ...fullTask("C"), priority: Infinity, params: { n: NaN } });
    source.paused = true;
    source.resources = { db: 3, cpu: Infinity };
    source.batchers.push({ worker: "w1", family: "Snapshot", entry: { batchedArgs: ["version"], maxBatchSize: Infinity } });
    source.touchMeta();
    await commit(first, source);
    closeStore(first);

    const second = openStore(path);
    expect(plainState(second.restored!)).toEqual(source.exportState());
    expect(second.restored!.tasks.map((t) => t.id)).toEqual(["A", "B", "C"]);
    expect(second.restored!.workers.map((w) => w.id)).toEqual(["w1", "w2"]);
  });

  test("ids with lone UTF-16 surrogates come back as they were, each its own record, beside a U+FFFD look-alike", async () => {
    const path = tempPath();
    const first = openStore(path);
    const source = new FakeSource();
    const ids = ["A\ud800", "A\udc00", "A\ufffd", "\udce9t\u00e9.csv"];
    for (const id of ids) source.putTask(bareTask(id));
    source.putWorker(bareWorker("w\ud800"));
    source.putWorker(bareWorker("w\ufffd"));
    await commit(first, source);
    source.putTask({ ...bareTask("A\ud800"), status: "DONE" });
    source.deleteTask("A\udc00");
    await commit(first, source);
    closeStore(first);
    const restored = openStore(path).restored!;
    expect(restored.tasks.map((t) => [t.id, t.status])).toEqual([
      ["A\ud800", "DONE"],
      ["A\ufffd", "PENDING"],
      ["\udce9t\u00e9.csv", "PENDING"],
    ]);
    expect(restored.workers.map((w) => w.id)).toEqual(["w\ud800", "w\ufffd"]);
  });

  test("updates keep insertion order; a task deleted and re-created moves to the end", async () => {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    for (const id of ["A", "B", "C"]) source.putTask(bareTask(id));
    await commit(store, source);
    source.putTask({ ...bareTask("A"), status: "DONE" });
    await commit(store, source);
    // B pruned and added again within one commit: a new insertion number.
    source.deleteTask("B");
    source.putTask(bareTask("B", 1_800_000_100));
    await commit(store, source);
    closeStore(store);
    const restored = openStore(path).restored!;
    expect(restored.tasks.map((t) => [t.id, t.status])).toEqual([
      ["A", "DONE"],
      ["C", "PENDING"],
      ["B", "PENDING"],
    ]);
  });

  test("task rows are the engine's insertion numbers: a new task is appended, and no index on the id is kept up", async () => {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    for (const id of ["A", "B", "C"]) source.putTask(bareTask(id));
    source.deleteTask("B");
    await commit(store, source);
    source.putTask({ ...bareTask("A"), status: "DONE" });
    source.putTask(bareTask("B"));
    await commit(store, source);
    closeStore(store);
    const db = new Database(path, { readonly: true });
    const rows = db.query<{ seq: number; id: string }, []>("SELECT seq, id FROM tasks ORDER BY seq").all();
    const indexes = db.query("PRAGMA index_list(tasks)").all();
    db.close();
    expect(rows.map((r) => [r.seq, r.id])).toEqual([[1, "A"], [3, "C"], [4, "B"]]);
    expect(indexes).toEqual([]);
    const restored = openStore(path).restored!;
    expect(restored.taskSeqs).toEqual([1, 3, 4]);
    expect(restored.tasks.map((t) => [t.id, t.status])).toEqual([["A", "DONE"], ["C", "PENDING"], ["B", "PENDING"]]);
  });

  test("a schema 1 file (tasks keyed by id) is upgraded in place: its tasks keep their row numbers and order", () => {
    const path = tempPath();
    const db = new Database(path, { create: true });
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    db.exec(MIGRATIONS.find((m) => m.version === 1)!.sql);
    db.exec("PRAGMA user_version = 1");
    db.exec("PRAGMA journal_mode = WAL");
    const insert = db.query("INSERT INTO tasks (seq, id, born, doc) VALUES (?1, ?2, ?3, ?4)");
    for (const [seq, id] of [[12, "C"], [5, "A"], [9, "B"]] as const) insert.run(seq, id, 1_800_000_000, encodeTask(bareTask(id)));
    db.close();
    const log = memoryLog();
    const store = openStore(path, { log });
    expect(store.restored!.tasks.map((t) => t.id)).toEqual(["A", "B", "C"]);
    expect(store.restored!.taskSeqs).toEqual([5, 9, 12]);
    expect(log.lines).toContain(`INFO Upgrading state file ${path} from schema 1 to 2`);
    closeStore(store);
    const after = new Database(path, { readonly: true });
    const version = after.query<{ user_version: number }, []>("PRAGMA user_version").get()!.user_version;
    const indexes = after.query("PRAGMA index_list(tasks)").all();
    after.close();
    expect(version).toBe(2);
    expect(indexes).toEqual([]);
  });

  test("pruned tasks and workers leave the file", async () => {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    source.putTask(bareTask("keep"));
    source.putTask(bareTask("gone"));
    source.putWorker(bareWorker("w-keep"));
    source.putWorker(bareWorker("w-gone"));
    await commit(store, source);
    source.deleteTask("gone");
    source.deleteWorker("w-gone");
    await commit(store, source);
    expect(store.stats()!.rowsDeleted).toBe(2);
    closeStore(store);
    const restored = openStore(path).restored!;
    expect(restored.tasks.map((t) => t.id)).toEqual(["keep"]);
    expect(restored.workers.map((w) => w.id)).toEqual(["w-keep"]);
  });

  test("the store lets go of the restored state once the engine has it", async () => {
    const path = tempPath();
    const source = new FakeSource();
    source.putTask(bareTask("A"));
    const first = openStore(path);
    await commit(first, source);
    closeStore(first);
    const second = openStore(path);
    expect(second.restored!.tasks).toHaveLength(1);
    second.releaseRestored();
    expect(second.restored).toBeNull();
  });

  test(":memory: is a store that keeps nothing and touches no file", async () => {
    const store = openStore(":memory:");
    expect(store.restored).toBeNull();
    const source = new FakeSource();
    source.putTask(bareTask("A"));
    await commit(store, source);
    expect(store.stats()).toBeNull();
    expect(existsSync(":memory:")).toBe(false);
  });

  test("a missing parent directory is created", () => {
    const path = join(tempPath(), "..", "deeper", "still", "state.db");
    openStore(path);
    expect(existsSync(path)).toBe(true);
  });
});

describe("scheduler-wide state", () => {
  test("batchers come from taskBatchers() when the engine has it, without copying the whole state", async () => {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    const rows = [{ worker: "w1", family: "F", entry: { batchedArgs: ["day"], maxBatchSize: Infinity } }];
    const lean = Object.assign(source, {
      taskBatchers: () => rows.values(),
      exportState: () => {
        throw new Error("exportState copies 100k tasks; not for a pause");
      },
    });
    lean.paused = true;
    lean.touchMeta();
    await commit(store, lean);
    closeStore(store);
    const restored = openStore(path).restored!;
    expect(restored.batchers).toEqual(rows);
    expect(restored.paused).toBe(true);
  });
});

describe("group commit", () => {
  test("flushes waiting at the same moment share one transaction, and none resolves before COMMIT", async () => {
    const store = openStore(tempPath());
    const source = new FakeSource();
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      source.putTask(bareTask(`T${i}`));
      store.listener.onChange([], source.drainChanges(), source);
      waits.push(store.listener.flush());
    }
    let resolved = 0;
    for (const wait of waits) void wait.then(() => resolved++);
    await Promise.resolve();
    expect(resolved).toBe(0);
    expect(store.stats()!.commits).toBe(0);
    await Promise.all(waits);
    expect(store.stats()!.commits).toBe(1);
    expect(store.stats()!.rowsWritten).toBe(50);
  });

  test("a flush with nothing to write resolves without a transaction", async () => {
    const store = openStore(tempPath());
    store.listener.onChange([], { tasks: new Set(), deletedTaskSeqs: [], workers: new Set(), meta: false }, new FakeSource());
    await store.listener.flush();
    expect(store.stats()!.commits).toBe(0);
  });

  test("a task changed many times between commits is written once, as it is now", async () => {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    for (const status of ["PENDING", "RUNNING", "DONE"]) {
      source.putTask({ ...bareTask("A"), status });
      store.listener.onChange([], source.drainChanges(), source);
    }
    await store.listener.flush();
    expect(store.stats()!.rowsWritten).toBe(1);
    closeStore(store);
    expect(openStore(path).restored!.tasks[0]!.status).toBe("DONE");
  });

  test("a failed commit rejects its waiters and is retried by the next flush", async () => {
    const path = tempPath();
    const log = memoryLog();
    const store = openStore(path, { log });
    const source = new FakeSource();
    source.putTask(bareTask("A"));
    const real = source.getTask.bind(source);
    let broken = true;
    source.getTask = (id) => {
      if (broken) throw new Error("disk on fire");
      return real(id);
    };
    await expect(commit(store, source)).rejects.toThrow("disk on fire");
    expect(log.lines.some((l) => l.startsWith("ERROR state file commit failed"))).toBe(true);
    broken = false;
    await store.listener.flush();
    closeStore(store);
    expect(openStore(path).restored!.tasks.map((t) => t.id)).toEqual(["A"]);
  });

  test("a process killed right after its flush resolved has everything it acknowledged", () => {
    const path = tempPath();
    const child = Bun.spawnSync([process.execPath, join(import.meta.dir, "crash-child.ts"), path, "95"]);
    expect(child.stdout.toString()).toContain("acknowledged");
    expect(child.signalCode).toBe("SIGKILL");
    expect(existsSync(`${path}-wal`)).toBe(true);
    const restored = openStore(path).restored!;
    expect(restored.tasks.map((t) => t.id)).toEqual(Array.from({ length: 95 }, (_, i) => `T${i}`));
    expect(plainTask(restored.tasks[94]!)).toEqual(fullTask("T94"));
    expect(restored.workers).toEqual([fullWorker("w1")]);
    expect(restored.paused).toBe(true);
    expect(restored.resources).toEqual({ db: 2 });
  });
});

describe("files that are not ours", () => {
  /** Asserts that opening fails with `message` and that the directory is exactly as before. */
  function expectRefused(path: string, message: RegExp): void {
    const dir = join(path, "..");
    const before = readFileSync(path);
    const listing = readdirSync(dir).sort();
    let error: unknown;
    try {
      openStore(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(listing);
  }

  test("a Luigi pickle", () => {
    const path = tempPath("state.pickle");
    writeFileSync(path, Buffer.from([0x80, 0x04, 0x95, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7d, 0x94, 0x2e]));
    expectRefused(path, /is a Luigi pickle/);
  });

  test("a text file", () => {
    const path = tempPath();
    writeFileSync(path, "hello, this is not a database at all\n".repeat(10));
    expectRefused(path, /not an SQLite database/);
  });

  test("another application's SQLite database", () => {
    const path = tempPath();
    const other = new Database(path, { create: true });
    other.exec("CREATE TABLE tasks (id TEXT, doc TEXT); INSERT INTO tasks VALUES ('x', '{}')");
    other.close();
    expectRefused(path, /another application/);
  });

  test("a state file from a newer luigid", () => {
    const path = tempPath();
    closeStore(openStore(path));
    const db = new Database(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    expectRefused(path, /newer luigid/);
  });

  /** A cleanly closed state file with 300 tasks (about 60 pages). */
  async function filledStateFile(): Promise<string> {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    for (let i = 0; i < 300; i++) source.putTask(fullTask(`T${i}`));
    await commit(store, source);
    closeStore(store);
    return path;
  }

  test("our file with damaged pages", async () => {
    const path = await filledStateFile();
    const bytes = readFileSync(path);
    expect(bytes.readInt32BE(68)).toBe(APPLICATION_ID);
    // Scribble over the middle of the file, keeping the header intact.
    for (let i = 4096; i < bytes.length; i += 4096) bytes.fill(0x5a, i + 100, i + 1500);
    writeFileSync(path, bytes);
    expectRefused(path, /is corrupt/);
  });

  test("our file cut short", async () => {
    const path = await filledStateFile();
    writeFileSync(path, readFileSync(path).subarray(0, 3 * 4096));
    expectRefused(path, /is corrupt/);
  });

  test("a row whose document does not decode", async () => {
    const path = tempPath();
    closeStore(openStore(path));
    const db = new Database(path);
    db.exec(`INSERT INTO tasks (id, doc) VALUES ('T1', '["T1", 5]')`);
    db.close();
    expectRefused(path, /corrupt .*record "T1": task: expected a list of 32 fields/);
  });

  test("SQLite's corruption codes read as corrupt; permission and I/O errors do not", () => {
    const sqlite = (code: string) => Object.assign(new Error("boom"), { code });
    expect(unusable("/s.db", sqlite("SQLITE_CORRUPT")).message).toMatch(/^state file \/s.db is corrupt \(boom\)/);
    expect(unusable("/s.db", sqlite("SQLITE_NOTADB")).message).toMatch(/is corrupt/);
    expect(unusable("/s.db", sqlite("SQLITE_CORRUPT_INDEX")).message).toMatch(/is corrupt/);
    expect(unusable("/s.db", sqlite("SQLITE_CANTOPEN")).message).toBe("cannot use state file /s.db: boom (SQLITE_CANTOPEN)");
    expect(unusable("/s.db", sqlite("SQLITE_IOERR_SHORT_READ")).message).not.toMatch(/corrupt/);
    expect(unusable("/s.db", sqlite("SQLITE_READONLY")).message).not.toMatch(/corrupt/);
  });

  test("a directory", () => {
    const path = tempPath();
    Bun.spawnSync(["mkdir", path]);
    expect(() => openStore(path)).toThrow(/not a regular file/);
  });

  test("a zero-byte file becomes a new state file", () => {
    const path = tempPath();
    writeFileSync(path, "");
    expect(openStore(path).restored).toBeNull();
    expect(statSync(path).size).toBeGreaterThan(0);
  });
});

describe("one luigid per file", () => {
  test("a second store on the same file in this process is refused", () => {
    const path = tempPath();
    openStore(path);
    expect(() => openStore(path)).toThrow(/is in use by another process/);
  });

  test("a second process is refused while the first holds the file, and may start once it died", async () => {
    const path = tempPath();
    const holder = Bun.spawn([process.execPath, join(import.meta.dir, "crash-child.ts"), path, "3", "hold"], { stdout: "pipe" });
    const reader = holder.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("acknowledged");
    expect(() => openStateStore(path, { log: memoryLog() })).toThrow(/is in use by another process/);
    holder.kill("SIGKILL");
    await holder.exited;
    expect(openStore(path).restored!.tasks.map((t) => t.id)).toEqual(["T0", "T1", "T2"]);
  });
});

describe("resources across restarts", () => {
  test("runtime changes survive unless the operator edited that resource in the config", () => {
    const stored = { db: 5, cpu: 1, added: 9, dropped: 2 };
    const storedConfig = { db: 3, cpu: 4, dropped: 2 };
    const config = { db: 3, cpu: 8, fresh: 1 };
    expect(mergeResources(stored, storedConfig, config)).toEqual({ db: 5, added: 9, cpu: 8, fresh: 1 });
  });

  test("the merge applies at open and the config in force is remembered", async () => {
    const path = tempPath();
    const store = openStore(path, { configResources: { db: 1 } });
    const source = new FakeSource();
    source.resources = { db: 4 };
    source.touchMeta();
    await commit(store, source);
    closeStore(store);
    const again = openStore(path, { configResources: { db: 1 } });
    expect(again.restored!.resources).toEqual({ db: 4 });
    closeStore(again);
    expect(openStore(path, { configResources: { db: 2 } }).restored!.resources).toEqual({ db: 2 });
  });
});

describe("file size", () => {
  test("a steady add/finish/prune workload does not grow the file", async () => {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    const sizes: number[] = [];
    // 900 rows a round: a checkpoint every `cycle` rounds; the sizes settle once the WAL has been reused.
    const cycle = Math.ceil(CHECKPOINT_EVERY_ROWS / 900);
    for (let round = 0; round < 4 * cycle; round++) {
      for (let i = 0; i < 300; i++) source.putTask(fullTask(`R${round}-T${i}`));
      await commit(store, source);
      for (let i = 0; i < 300; i++) source.putTask({ ...fullTask(`R${round}-T${i}`), status: "DONE" });
      await commit(store, source);
      if (round > 0) for (let i = 0; i < 300; i++) source.deleteTask(`R${round - 1}-T${i}`);
      await commit(store, source);
      sizes.push(statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0));
    }
    const settled = sizes.slice(2 * cycle);
    expect(Math.max(...settled)).toBeLessThanOrEqual(Math.min(...settled) * 1.5);
    closeStore(store);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(openStore(path).restored!.tasks).toHaveLength(300);
  });

  test("after a mass prune, the freed pages go back to the file system", async () => {
    const path = tempPath();
    const store = openStore(path);
    const source = new FakeSource();
    const fat = { pad: "x".repeat(2000) };
    for (let i = 0; i < 3000; i++) source.putTask({ ...fullTask(`T${i}`), params: fat });
    await commit(store, source);
    closeStore(store);
    const full = statSync(path).size;
    const again = openStore(path);
    for (let i = 0; i < 3000; i++) source.deleteTask(`T${i}`);
    await commit(again, source);
    // The free pages are looked at every few hundred commits.
    for (let i = 0; i < 500; i++) {
      source.putTask(bareTask("small"));
      await commit(again, source);
    }
    closeStore(again);
    expect(statSync(path).size).toBeLessThan(full / 4);
    expect(openStore(path).restored!.tasks.map((t) => t.id)).toEqual(["small"]);
  });
});
