/**
 * The durable scheduler state: opens (or creates) the SQLite file at
 * `state_path`, reads back what the engine had, and hands the server a
 * listener that follows every change into the file.
 *
 * Guarantees: a reply leaves only after its change is committed (writer.ts);
 * a file that is not ours or does not decode is refused, never touched
 * (file-check.ts); one luigid per file, enforced by SQLite's exclusive lock,
 * which the kernel releases if the process dies, even by SIGKILL.
 *
 * `:memory:` means "no durable state": nothing is read or written.
 * @module
 */
import { Database } from "bun:sqlite";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { EngineState } from "../../engine/types.ts";
import type { EngineListener } from "../../rpc/service.ts";
import { DecodeError, decodeBatchers, decodeResources, decodeTaskForEngine, decodeWorker, encodeResources } from "./codec.ts";
import { StateFileError, inspectStateFile } from "./file-check.ts";
import { APPLICATION_ID, META, MIGRATIONS, SCHEMA_VERSION, rowKey } from "./schema.ts";
import { type StateLog, type StateSource, StateWriter, type WriterStats } from "./writer.ts";

export { StateFileError } from "./file-check.ts";
export type { StateLog, StateSource, WriterStats } from "./writer.ts";

export const IN_MEMORY = ":memory:";

export interface StateStoreOptions {
  log: StateLog;
  /**
   * The `[resources]` capacities this run starts with. A capacity changed at
   * runtime (update_resource) survives a restart unless the operator changed
   * that resource in the config since; then the config wins.
   */
  configResources?: Record<string, number>;
}

/** The listener the server adds to its SchedulerService. */
export interface StateListener extends EngineListener {
  onChange(events: readonly EngineEvent[], changes: ChangeSet, engine: StateSource): void;
  flush(): Promise<void>;
  close(): void;
}

export interface StateStore {
  readonly path: string;
  /** What the engine had at the last commit; null for a new (or `:memory:`) store, or once released. */
  readonly restored: EngineState | null;
  /** Forgets `restored` once the engine has it, so that tasks pruned later can be freed. */
  releaseRestored(): void;
  readonly listener: StateListener;
  readonly stats: () => WriterStats | null;
  /** Final commit, WAL checkpoint, release of the lock. Idempotent; the same as `listener.close()`. */
  close(): void;
}

/**
 * How a commit reaches the disk. With WAL, NORMAL survives any crash of the
 * process (SIGKILL, OOM): committed pages are in the OS once COMMIT returns.
 * Only an OS crash or power cut can lose the last commits. FULL closes that
 * gap too, at one fsync per group commit: about half the throughput
 * (scripts/bench/restart-throughput.ts; figures in the README).
 */
const SYNCHRONOUS = "NORMAL";
/** Keep the -wal file from staying at its high-water mark after a big burst. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** A restarting luigid may meet its predecessor still letting go of the lock. */
const BUSY_TIMEOUT_MS = 1000;

export function openStateStore(path: string, options: StateStoreOptions): StateStore {
  if (path === IN_MEMORY) return memoryStore();
  const verdict = inspectStateFile(path);
  if (verdict.kind === "new") createStateFile(path, verdict.emptyFile, options);
  else options.log.info(`Attempting to load state from ${path}`);

  let db: Database;
  try {
    db = new Database(path, { readwrite: true, create: false, strict: true });
  } catch (error) {
    throw new StateFileError(path, `cannot open state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Before the first read: exclusive mode keeps the lock for the life of the
    // connection and means no -shm file is ever needed.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    const state = readAndLock(db, path, options);
    let restored = verdict.kind === "new" ? null : state;
    db.exec(`PRAGMA synchronous = ${SYNCHRONOUS}`);
    db.exec(`PRAGMA journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    const writer = new StateWriter(db, options.log);
    if (restored) {
      options.log.info(
        `Loaded state from ${path}: ${restored.tasks.length} tasks, ${restored.workers.length} workers${restored.paused ? ", paused" : ""}`,
      );
    }
    const close = onceOnly(() => {
      try {
        writer.close();
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        options.log.info(`Saved state in ${path}`);
      } finally {
        db.close();
      }
    });
    // The service closes its listeners at shutdown: that is the store's close.
    const listener: StateListener = {
      name: writer.name,
      onChange: (events, changes, engine) => writer.onChange(events, changes, engine),
      flush: () => writer.flush(),
      close,
    };
    return {
      path,
      get restored() {
        return restored;
      },
      releaseRestored: () => {
        const large = (restored?.tasks.length ?? 0) >= FULL_GC_AFTER_RESTORE;
        restored = null;
        // The restore's garbage (rows, parsed documents, replaced sets) is collected
        // here, before the first request, not in pauses during the first get_work calls.
        if (large) Bun.gc(true);
      },
      listener,
      stats: () => writer.stats,
      close,
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Builds a new file beside the target and links it into place: a crash
 * mid-creation leaves no half-made file at `path`, and link() (unlike rename)
 * fails instead of replacing a file another luigid created meanwhile.
 */
function createStateFile(path: string, replaceEmptyFile: boolean, options: StateStoreOptions): void {
  const temp = `${path}.new-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(temp, { force: true });
    const db = new Database(temp, { create: true, strict: true });
    try {
      db.exec("PRAGMA auto_vacuum = INCREMENTAL"); // only possible before the first table
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.transaction(() => migrate(db, 0))();
      db.exec("PRAGMA journal_mode = WAL");
    } finally {
      db.close();
    }
    fsyncPath(temp);
    try {
      // A zero-byte file holds nothing to lose; anything else is never replaced.
      if (replaceEmptyFile) renameSync(temp, path);
      else linkSync(temp, path);
      options.log.info(`No prior state file exists at ${path}. Starting with empty state`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // Someone else created it first: theirs is checked like any existing file.
      inspectStateFile(path);
    }
    fsyncPath(dirname(path));
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    throw new StateFileError(path, `cannot create state file ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(temp, { force: true });
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function migrate(db: Database, from: number): void {
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    db.exec(migration.sql);
    db.exec(`PRAGMA user_version = ${migration.version}`);
  }
}

function schemaVersion(db: Database): number {
  return db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0;
}

/**
 * Takes the write lock, migrates, reads everything back. All in one
 * transaction: if anything fails, nothing was written.
 */
function readAndLock(db: Database, path: string, options: StateStoreOptions): EngineState {
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
      throw new StateFileError(path, `state file ${path} is in use by another process (is another luigid running?)`, { cause: error });
    }
    throw unusable(path, error);
  }
  try {
    const integrity = db.query<{ quick_check: string }, []>("PRAGMA quick_check(1)").get()?.quick_check;
    if (integrity !== "ok") throw new DecodeError(`integrity check: ${integrity}`);
    const version = schemaVersion(db);
    if (version < SCHEMA_VERSION) {
      options.log.info(`Upgrading state file ${path} from schema ${version} to ${SCHEMA_VERSION}`);
      migrate(db, version);
    }
    const state = readState(db, options.configResources);
    if (options.configResources) {
      const put = db.query<unknown, [string, string]>("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
      put.run(META.configResources, encodeResources(options.configResources));
      put.run(META.resources, encodeResources(state.resources));
    }
    db.exec("COMMIT");
    return state;
  } catch (error) {
    try {
      db.exec("ROLLBACK");
    } catch {}
    throw unusable(path, error);
  }
}

/** SQLite's verdicts on the file itself; anything else (permissions, I/O, a full disk) is about its surroundings. */
const CORRUPTION_CODES = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_FORMAT"]);

/** Why an existing state file could not be read: corrupt, or unusable where it is. */
export function unusable(path: string, error: unknown): StateFileError {
  if (error instanceof StateFileError) return error;
  const message = (error as Error).message;
  const code = (error as { code?: string }).code ?? "";
  const corrupt = error instanceof DecodeError || [...CORRUPTION_CODES].some((c) => code === c || code.startsWith(`${c}_`));
  if (corrupt) {
    return new StateFileError(
      path,
      `state file ${path} is corrupt (${message}); luigid never overwrites it: move it away, or restore a backup, or pass another --state-path`,
      { cause: error },
    );
  }
  return new StateFileError(path, `cannot use state file ${path}: ${message}${code ? ` (${code})` : ""}`, { cause: error });
}

/**
 * A forced full collection costs ~60 ms per 100,000 live tasks: worth it only
 * for restores large enough that their garbage would otherwise be collected
 * in pauses of tens of ms while the first requests are served.
 */
const FULL_GC_AFTER_RESTORE = 250_000;
/** Rows read and decoded at a time at restore. */
const READ_PAGE = 100_000;

function readState(db: Database, configResources: Record<string, number> | undefined): EngineState {
  const meta = new Map(db.query<{ key: string; value: string }, []>("SELECT key, value FROM meta").all().map((row) => [row.key, row.value]));
  // In pages by seq: all() is ~15% faster than iterate(), and a page's documents are
  // garbage once decoded (10^6 rows held at once cost ~1 GB of peak).
  const decodeAll = <T extends { id: string }>(table: "tasks" | "workers", decode: (text: string) => T, seqs?: number[]): T[] => {
    const page = db.query<{ seq: number; id: string; doc: string }, [number]>(`SELECT seq, id, doc FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ${READ_PAGE}`);
    const out: T[] = [];
    for (let after = -Infinity; ; ) {
      const rows = page.all(after);
      for (const row of rows) {
        out.push(decodeRow(row.id, row.doc, decode));
        seqs?.push(row.seq);
      }
      if (rows.length < READ_PAGE) return out;
      after = rows[rows.length - 1]!.seq;
    }
  };
  // The engine keeps each task's row number as its own, and the writer addresses the row by it.
  const taskSeqs: number[] = [];
  const tasks = decodeAll("tasks", decodeTaskForEngine, taskSeqs);
  const workers = decodeAll("workers", decodeWorker);
  const stored = meta.has(META.resources) ? decodeResources(meta.get(META.resources)!, "resources") : {};
  const storedConfig = meta.has(META.configResources) ? decodeResources(meta.get(META.configResources)!, "config_resources") : {};
  return {
    tasks,
    taskSeqs,
    workers,
    batchers: meta.has(META.batchers) ? decodeBatchers(meta.get(META.batchers)!) : [],
    paused: meta.get(META.paused) === "true",
    resources: configResources ? mergeResources(stored, storedConfig, configResources) : stored,
  };
}

function decodeRow<T extends { id: string }>(id: string, doc: string, decode: (text: string) => T): T {
  let record: T;
  try {
    record = decode(doc);
  } catch (error) {
    throw new DecodeError(`record ${JSON.stringify(id.slice(0, 200))}: ${(error as Error).message}`);
  }
  if (rowKey(record.id) !== id) throw new DecodeError(`record ${JSON.stringify(id.slice(0, 200))} holds the document of ${JSON.stringify(record.id.slice(0, 200))}`);
  return record;
}

/**
 * Runtime capacities survive a restart; the config wins for every resource
 * the operator changed (added, edited or removed) since the last run.
 */
export function mergeResources(
  stored: Record<string, number>,
  storedConfig: Record<string, number>,
  config: Record<string, number>,
): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const [name, capacity] of Object.entries(stored)) {
    if (storedConfig[name] === config[name]) merged[name] = capacity;
  }
  for (const [name, capacity] of Object.entries(config)) if (!(name in merged)) merged[name] = capacity;
  return merged;
}

function memoryStore(): StateStore {
  const listener: StateListener = {
    name: "state",
    onChange(): void {},
    flush: () => Promise.resolve(),
    close(): void {},
  };
  return { path: IN_MEMORY, restored: null, releaseRestored() {}, listener, stats: () => null, close() {} };
}

function onceOnly(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
