/**
 * The SQL side of recording: turns queued history events into Luigi's rows,
 * one transaction per batch. Runs on the history thread (history-thread.ts) for
 * a file database, or inline for an in-memory one; the logic is the same.
 *
 * The task id → record id map is Luigi's (server.md §4.4): the first event of a
 * task id in this process inserts a `tasks` row, later ones append to it; after
 * a restart the map is empty, so the next run of the same task gets a new row
 * instead of overwriting an old one.
 * @module
 */
import type { Database, Statement } from "bun:sqlite";
import type { Seconds } from "../../engine/types.ts";
import { pruneBefore } from "./retention.ts";
import { formatTs } from "./timestamp.ts";

/** One event to write, as it crosses to the history thread (plain data). */
export interface QueuedEvent {
  taskId: string;
  /** Family and parameters ride only on the first event of a task id (all a new record needs). */
  family?: string;
  /** Values already in their stored text form (parameterText). */
  params?: Record<string, string | null>;
  status: "PENDING" | "RUNNING" | "DONE" | "FAILED";
  at: Seconds;
  host: string | null;
}

/**
 * Parameter values are stored as the worker sent them. Luigi's workers send
 * strings; anything else (from other clients) is stored as its text: numbers
 * and booleans as written (`5`, `Infinity`, `true`), objects as JSON.
 */
export function parameterText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

interface OwnRecord {
  id: number;
  /** Kept so a record deleted by hand is re-created with its name. */
  family: string | null;
}

/** How many task ids the writer keeps in memory; older ones are found again in the database. */
export const RECORD_CACHE_SIZE = 100_000;

export class HistoryWriter {
  /**
   * task id → the record this process writes its events to. Luigi keeps this
   * map for the daemon's lifetime and it grows without bound (luigi#2299);
   * here it is a bounded cache, and a miss is looked up among the records this
   * process created (id >= firstOwnId), which gives exactly Luigi's rows.
   */
  private readonly records = new Map<string, OwnRecord>();
  /** Prepared on first use and dropped after a failure, so a table fixed by hand is picked up again. */
  private statements: Statements | null = null;

  constructor(
    private readonly db: Database,
    /** Where write failures go (Luigi: WARNING "Error saving Task history"). */
    private readonly warn: (message: string, error: unknown) => void,
    /** The first record id this process may create: rows below it belong to earlier runs and are never appended to. */
    private readonly firstOwnId: number,
    private readonly cacheSize: number = RECORD_CACHE_SIZE,
  ) {}

  /**
   * Writes a batch in one transaction, or, if that fails, each event in its
   * own, so a bad event loses only itself. Never throws. Returns events written.
   */
  write(events: readonly QueuedEvent[]): number {
    if (events.length === 0) return 0;
    try {
      this.commit(events);
      return events.length;
    } catch {
      this.statements = null;
      let written = 0;
      for (const event of events) {
        try {
          this.commit([event]);
          written++;
        } catch (error) {
          this.statements = null;
          this.warn("Error saving Task history", error);
        }
      }
      return written;
    }
  }

  /** Deletes records last active before `cutoff`; returns how many. */
  prune(cutoff: string): number {
    const deleted = pruneBefore(this.db, cutoff);
    // The cache may point at deleted records; what is still there is found again on a miss.
    if (deleted.size > 0) this.records.clear();
    return deleted.size;
  }

  /** One transaction; the map learns new record ids only once they are committed. */
  private commit(events: readonly QueuedEvent[]): void {
    const { insertTask, insertParameter, setHost, insertEvent, findOwn } = (this.statements ??= prepare(this.db));
    const created = new Map<string, OwnRecord>();
    const lookup = (taskId: string): OwnRecord | undefined => {
      const row = findOwn.get(taskId, this.firstOwnId) as { id: number; name: string | null } | null;
      return row ? { id: row.id, family: row.name } : undefined;
    };
    // Consecutive events share a second far more often than not: format the timestamp prefix once.
    let lastSecond = Number.NaN;
    let prefix = "";
    this.db.transaction(() => {
      for (const event of events) {
        const known = created.get(event.taskId) ?? this.records.get(event.taskId) ?? lookup(event.taskId);
        let recordId = known?.id;
        // A RUNNING event carries the host; a record deleted behind our back (by hand, or a
        // retention pass racing this batch) is re-created rather than failing forever as in Luigi.
        if (recordId !== undefined && event.host !== null && setHost.run(event.host, recordId).changes === 0) recordId = undefined;
        if (recordId === undefined) {
          const family = event.family ?? known?.family ?? null;
          recordId = Number(insertTask.run(event.taskId, family, event.host).lastInsertRowid);
          const params = event.params ?? {};
          for (const name in params) insertParameter.run(recordId, name, params[name] ?? null);
          created.set(event.taskId, { id: recordId, family });
        } else if (!this.records.has(event.taskId) && !created.has(event.taskId)) {
          created.set(event.taskId, { id: recordId, family: known?.family ?? null });
        }
        // Integer microseconds first: (at - second) * 1e6 would turn .8 into 800000.99….
        const total = Math.round(event.at * 1_000_000);
        const second = Math.floor(total / 1_000_000);
        if (second !== lastSecond) {
          lastSecond = second;
          prefix = formatTs(second).slice(0, 20);
        }
        insertEvent.run(recordId, event.status, prefix + String(total - second * 1_000_000).padStart(6, "0"));
      }
    })();
    for (const [taskId, record] of created) this.remember(taskId, record);
  }

  private remember(taskId: string, record: OwnRecord): void {
    this.records.set(taskId, record);
    // Oldest first out: Map iterates in insertion order.
    if (this.records.size > this.cacheSize) this.records.delete(this.records.keys().next().value as string);
  }
}

interface Statements {
  insertTask: Statement;
  insertParameter: Statement;
  setHost: Statement;
  insertEvent: Statement;
  findOwn: Statement;
}

function prepare(db: Database): Statements {
  return {
    insertTask: db.prepare("INSERT INTO tasks (task_id, name, host) VALUES (?, ?, ?)"),
    insertParameter: db.prepare("INSERT OR REPLACE INTO task_parameters (task_id, name, value) VALUES (?, ?, ?)"),
    setHost: db.prepare("UPDATE tasks SET host = ? WHERE id = ?"),
    insertEvent: db.prepare("INSERT INTO task_events (task_id, event_name, ts) VALUES (?, ?, ?)"),
    findOwn: db.prepare("SELECT id, name FROM tasks WHERE task_id = ? AND id >= ? ORDER BY id DESC LIMIT 1"),
  };
}
