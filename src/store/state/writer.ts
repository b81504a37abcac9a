/**
 * Follows the engine into the state file with group commit.
 *
 * onChange only notes which ids changed. The first flush() after a change
 * schedules one commit a few turns of the event loop later (COMMIT_AFTER_TURNS);
 * every request that flushes before it runs waits on the same commit. Not on
 * the next turn: the requests whose bytes arrive while this turn's requests
 * are being handled join the same commit, and busy workers otherwise fall into
 * lockstep with the commits (each commit releases a wave of replies, whose
 * next requests arrive together and get a commit of their own). The commit writes the
 * *current* record of every dirty id (deleting those the engine no longer
 * has) in one transaction and resolves the waiters after COMMIT, so a reply
 * never leaves before what it acknowledged is in the file, and a burst of
 * requests costs one transaction, not one each.
 * @module
 */
import type { Database, Statement } from "bun:sqlite";
import { closeSync, fsync, openSync } from "node:fs";
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { EngineState, TaskRecord, WorkerRecord } from "../../engine/types.ts";
import type { EngineListener } from "../../rpc/service.ts";
import { type BatcherRow, encodeBatchers, encodeResources, encodeTask, encodeWorker } from "./codec.ts";
import { META, rowKey } from "./schema.ts";

/** What the writer reads from the engine: the Engine class satisfies it. */
export interface StateSource {
  getTask(id: string): TaskRecord | undefined;
  /** The task's insertion number (Engine.taskSeq): its row in the tasks table. */
  taskSeq(id: string): number | undefined;
  getWorker(id: string): WorkerRecord | undefined;
  isPaused(): boolean;
  resourceCapacities(): Record<string, number>;
  /** The task batchers, when the engine can list them without copying everything. */
  taskBatchers?(): Iterable<BatcherRow>;
  /** Otherwise the batchers come from here: a copy of the whole state, costly at 100k tasks. */
  exportState(): EngineState;
}

export interface StateLog {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface WriterStats {
  commits: number;
  rowsWritten: number;
  rowsDeleted: number;
  /** Wall milliseconds of the last commit. */
  lastCommitMs: number;
  failedCommits: number;
  /** WAL checkpoints run, and the wall milliseconds of the last (what the requests in flight waited). */
  checkpoints: number;
  lastCheckpointMs: number;
}

/** Commits between two checks of the free-page count. */
const VACUUM_CHECK_EVERY = 500;

/**
 * WAL checkpoints run when the writer is idle, not inside a commit: SQLite's
 * automatic one (every 1,000 WAL pages) copied pages back and synced the file
 * inside whichever COMMIT crossed the mark, so the requests waiting on that
 * commit paid for it (p99). Here a checkpoint runs once no commit happened for
 * a whole idle period, or, under sustained load, after this many commits or
 * task rows written (a row dirties at most a page or two, and rows written
 * together share pages), or this much row text (rows of ~100 KB, whose
 * overflow pages are the row's size: a fuzzing run with such rows under
 * sustained load grew the WAL to 1.5 GB on the other two bounds), which bounds
 * the WAL to ~64 MB (JOURNAL_SIZE_LIMIT trims it back afterwards) and copies
 * each hot page once per checkpoint
 * instead of once per 1,000-page slice. The requests in flight wait out each
 * checkpoint (see queueCheckpoint for how its fsyncs are kept short), and most
 * of a checkpoint's time is the database file's fsync, whatever the pages:
 * at 10^6 tasks one after 4,000 rows took 10-15 ms and one after 16,000 rows
 * 17-20 ms, so fewer, larger checkpoints stall the requests less in all
 * (scripts/bench/run.ts, pending: add_task p99 during the fill 3.8-4.1 ms
 * against 4.4-5.0 ms with 4,000 rows and 1,000 commits).
 */
export const CHECKPOINT_EVERY_COMMITS = 4000;
export const CHECKPOINT_EVERY_ROWS = 16000;
/** Characters of encoded rows (tasks and workers), a lower bound of the bytes of WAL pages they fill. */
export const CHECKPOINT_EVERY_ROW_TEXT = 32 * 1024 * 1024;
const CHECKPOINT_IDLE_MS = 200;

/**
 * Turns of the event loop between the first flush after a change and its
 * commit. Each turn costs a waiting request only the time to handle what
 * arrived meanwhile. 8 busy workers (scripts/bench/run.ts --scenario schedule,
 * 8 alternating runs each on a quiet 2-core machine): 2 turns median 10,923
 * RPC/s, 3 turns median 11,380 RPC/s; 2 turns made a third fewer commits than 1.
 */
const COMMIT_AFTER_TURNS = 3;

type Upsert = Statement<unknown, [string, number, string]>;

/**
 * Writes the rows of the workers table, keyed by id, keeping `seq` unless the
 * record was re-created. Statements come from db.query(), whose cache
 * Database.close() finalizes: a statement left open would keep the file
 * locked after close.
 */
class WorkerRows {
  private readonly update: Upsert;
  private readonly insert: Upsert;
  private readonly remove: Statement<unknown, [string]>;

  constructor(db: Database) {
    this.update = db.query(
      `INSERT INTO workers (id, born, doc) VALUES (?1, ?2, ?3)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc WHERE workers.born = excluded.born`,
    );
    this.insert = db.query("INSERT INTO workers (id, born, doc) VALUES (?1, ?2, ?3)");
    this.remove = db.query("DELETE FROM workers WHERE id = ?1");
  }

  put(id: string, born: number, doc: string): void {
    const key = rowKey(id);
    if (this.update.run(key, born, doc).changes > 0) return;
    // Same id, other creation time: the engine dropped and re-created it, so it goes last.
    this.remove.run(key);
    this.insert.run(key, born, doc);
  }

  delete(id: string): number {
    return this.remove.run(rowKey(id)).changes;
  }
}

/**
 * Writes the rows of the tasks table, keyed by the engine's insertion number
 * (schema.ts says why not by id): a new task's row goes at the end of the
 * table, a changed one is rewritten where it is, and a task deleted and
 * created again between two commits loses its old row and gets a new one.
 */
class TaskRows {
  private readonly upsert: Statement<unknown, [number, string, string]>;
  private readonly remove: Statement<unknown, [number]>;

  constructor(db: Database) {
    this.upsert = db.query("INSERT INTO tasks (seq, id, doc) VALUES (?1, ?2, ?3) ON CONFLICT (seq) DO UPDATE SET doc = excluded.doc");
    this.remove = db.query("DELETE FROM tasks WHERE seq = ?1");
  }

  put(seq: number, id: string, doc: string): void {
    this.upsert.run(seq, rowKey(id), doc);
  }

  delete(seq: number): number {
    return this.remove.run(seq).changes;
  }
}

export class StateWriter implements EngineListener {
  readonly name = "state";
  readonly stats: WriterStats = { commits: 0, rowsWritten: 0, rowsDeleted: 0, lastCommitMs: 0, failedCommits: 0, checkpoints: 0, lastCheckpointMs: 0 };

  private dirtyTasks = new Set<string>();
  /** Rows of deleted tasks (ChangeSet.deletedTaskSeqs), removed before the dirty tasks are written. */
  private deletedTasks: number[] = [];
  private dirtyWorkers = new Set<string>();
  private dirtyMeta = false;
  private source: StateSource | null = null;
  private scheduled: Promise<void> | null = null;
  private closed = false;
  /** Commits since the last WAL checkpoint, and at the last idle check. */
  private uncheckpointed = 0;
  private uncheckpointedAtLastTick = 0;
  private rowsSinceCheckpoint = 0;
  private rowTextSinceCheckpoint = 0;
  private checkpointQueued = false;
  private walFd: number | null = null;
  private readonly idleCheckpoints: Timer;

  private readonly tasks: TaskRows;
  private readonly workers: WorkerRows;
  private readonly putMeta: Statement<unknown, [string, string]>;
  private readonly commitTransaction: () => void;

  constructor(
    private readonly db: Database,
    private readonly log: StateLog,
  ) {
    this.tasks = new TaskRows(db);
    this.workers = new WorkerRows(db);
    this.putMeta = db.query("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
    this.commitTransaction = db.transaction(() => this.writeDirty());
    db.exec("PRAGMA wal_autocheckpoint = 0");
    this.idleCheckpoints = setInterval(() => this.checkpointWhenIdle(), CHECKPOINT_IDLE_MS);
    this.idleCheckpoints.unref();
  }

  onChange(_events: readonly EngineEvent[], changes: ChangeSet, engine: StateSource): void {
    this.source = engine;
    for (const id of changes.tasks) this.dirtyTasks.add(id);
    for (const seq of changes.deletedTaskSeqs) this.deletedTasks.push(seq);
    for (const id of changes.workers) this.dirtyWorkers.add(id);
    if (changes.meta) this.dirtyMeta = true;
  }

  flush(): Promise<void> {
    if (this.scheduled) return this.scheduled;
    if (!this.isDirty()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error("the state store is closed"));
    this.scheduled = new Promise<void>((resolve, reject) => {
      let turns = 0;
      const turn = () => {
        if (++turns < COMMIT_AFTER_TURNS) return void setImmediate(turn);
        this.scheduled = null;
        try {
          this.commitNow();
          resolve();
        } catch (error) {
          reject(error);
        }
      };
      setImmediate(turn);
    });
    return this.scheduled;
  }

  /** Writes everything dirty at once (shutdown, tests). Throws when the commit fails. */
  commitNow(): void {
    if (!this.isDirty()) return;
    const started = performance.now();
    try {
      this.commitTransaction();
    } catch (error) {
      this.stats.failedCommits++;
      this.log.error(`state file commit failed, the change will be retried: ${(error as Error).message}`);
      throw error;
    }
    // Emptied only after COMMIT: a failed commit leaves the ids dirty for the next one.
    // New Sets, not clear(): JSC's clear() gives the Set new storage that the
    // old storage points on to, so once one storage has aged into the old
    // generation every young collection kept every later one alive. Clearing
    // this long-lived pair on each commit left ~460 bytes a call for full
    // collections only (in process, 30k calls at 100k tasks: 19 MB against 5).
    this.dirtyTasks = new Set();
    this.deletedTasks = [];
    this.dirtyWorkers = new Set();
    this.dirtyMeta = false;
    this.stats.commits++;
    this.stats.lastCommitMs = performance.now() - started;
    if (this.stats.commits % VACUUM_CHECK_EVERY === 0) this.reclaimFreePages();
    if (
      ++this.uncheckpointed >= CHECKPOINT_EVERY_COMMITS ||
      this.rowsSinceCheckpoint >= CHECKPOINT_EVERY_ROWS ||
      this.rowTextSinceCheckpoint >= CHECKPOINT_EVERY_ROW_TEXT
    )
      this.queueCheckpoint();
  }

  /** Shutdown: the final commit. The store closes the database afterwards (and checkpoints). */
  close(): void {
    if (this.closed) return;
    clearInterval(this.idleCheckpoints);
    this.commitNow();
    this.closed = true;
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }

  private checkpointWhenIdle(): void {
    const idle = this.uncheckpointed === this.uncheckpointedAtLastTick;
    this.uncheckpointedAtLastTick = this.uncheckpointed;
    if (idle && this.uncheckpointed > 0) this.queueCheckpoint();
  }

  /**
   * A checkpoint first fsyncs the WAL, then copies it into the database file
   * and fsyncs that: two waits on the disk that the requests in flight wait
   * out too (16–18 ms on a VM at 100k tasks). The WAL's is done beforehand,
   * off this thread (fs.fsync runs on the I/O pool), so that the checkpoint's
   * own finds almost nothing left to write. The checkpoint runs in the fsync's
   * callback, or on the next turn when the WAL cannot be opened: either way
   * after the replies waiting on the commit that asked for it.
   */
  private queueCheckpoint(): void {
    if (this.checkpointQueued) return;
    this.checkpointQueued = true;
    const fd = this.walFile();
    if (fd === null) setImmediate(() => this.checkpoint());
    // Whatever the fsync's outcome, the checkpoint syncs what it needs itself.
    else fsync(fd, () => this.checkpoint());
  }

  /** A descriptor on the -wal file, opened once it exists (SQLite keeps the file while the connection is open). */
  private walFile(): number | null {
    if (this.walFd === null && !this.closed) {
      try {
        this.walFd = openSync(`${this.db.filename}-wal`, "r");
      } catch {
        return null;
      }
    }
    return this.walFd;
  }

  /** PASSIVE: with the exclusive lock nobody else reads, so it copies the whole WAL back. */
  private checkpoint(): void {
    this.checkpointQueued = false;
    if (this.closed) return; // the store checkpoints (TRUNCATE) as it closes
    this.uncheckpointed = 0;
    this.uncheckpointedAtLastTick = 0;
    this.rowsSinceCheckpoint = 0;
    this.rowTextSinceCheckpoint = 0;
    const started = performance.now();
    try {
      this.db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      this.stats.checkpoints++;
      this.stats.lastCheckpointMs = performance.now() - started;
    } catch (error) {
      this.log.warning(`state file checkpoint failed: ${(error as Error).message}`);
    }
  }

  private isDirty(): boolean {
    return this.dirtyMeta || this.dirtyTasks.size > 0 || this.deletedTasks.length > 0 || this.dirtyWorkers.size > 0;
  }

  private writeDirty(): void {
    const source = this.source;
    if (!source) return;
    let written = 0;
    let deleted = 0;
    for (const seq of this.deletedTasks) deleted += this.tasks.delete(seq);
    for (const id of this.dirtyTasks) {
      const task = source.getTask(id);
      // A dirty id the engine no longer has was deleted: its row went with deletedTasks.
      if (!task) continue;
      const doc = encodeTask(task);
      this.tasks.put(source.taskSeq(id)!, id, doc);
      this.rowTextSinceCheckpoint += doc.length;
      written++;
    }
    for (const id of this.dirtyWorkers) {
      const worker = source.getWorker(id);
      if (worker) {
        const doc = encodeWorker(worker);
        this.workers.put(id, worker.started, doc);
        this.rowTextSinceCheckpoint += doc.length;
        written++;
      } else deleted += this.workers.delete(id);
    }
    if (this.dirtyMeta) {
      this.putMeta.run(META.paused, JSON.stringify(source.isPaused()));
      this.putMeta.run(META.resources, encodeResources(source.resourceCapacities()));
      const batchers = source.taskBatchers ? [...source.taskBatchers()] : source.exportState().batchers;
      this.putMeta.run(META.batchers, encodeBatchers(batchers));
    }
    // Task rows only: worker rows sit together on a page or two, so however often they are
    // rewritten they add no pages for a checkpoint to copy (the commit count bounds their frames).
    this.rowsSinceCheckpoint += this.dirtyTasks.size;
    this.stats.rowsWritten += written;
    this.stats.rowsDeleted += deleted;
  }

  /**
   * Pruned tasks leave free pages behind; SQLite reuses them, and with
   * auto_vacuum=INCREMENTAL we also hand a large surplus back to the file system.
   */
  private reclaimFreePages(): void {
    try {
      const free = this.db.query<{ freelist_count: number }, []>("PRAGMA freelist_count").get()?.freelist_count ?? 0;
      const total = this.db.query<{ page_count: number }, []>("PRAGMA page_count").get()?.page_count ?? 0;
      if (free > 1024 && free * 4 > total) this.db.exec("PRAGMA incremental_vacuum");
    } catch (error) {
      this.log.warning(`state file vacuum failed: ${(error as Error).message}`);
    }
  }
}
