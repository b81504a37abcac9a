/**
 * Writes the engine's `history` events into Luigi's tables, off the RPC path.
 *
 * onChange only copies events into a queue; a short timer writes the queue in
 * one transaction. An RPC therefore never waits for SQLite, and a failing
 * database costs a logged warning, never a failed RPC (server.md §4.4). close()
 * writes whatever is still queued.
 *
 * The task id → record id map is Luigi's (§4.4): the first event of a task id in
 * this process inserts a `tasks` row, later ones append to it; after a restart
 * the map is empty, so the next run of the same task gets a new row instead of
 * overwriting an old one.
 * @module
 */
import type { Database, Statement } from "bun:sqlite";
import type { EngineEvent } from "../../engine/events.ts";
import type { Seconds } from "../../engine/types.ts";
import type { EngineListener } from "../../rpc/service.ts";
import { formatTs } from "./timestamp.ts";

/** One event waiting to be written. */
export interface QueuedEvent {
  taskId: string;
  family: string;
  params: Record<string, unknown>;
  status: "PENDING" | "RUNNING" | "DONE" | "FAILED";
  at: Seconds;
  host: string | null;
}

export interface RecorderOptions {
  /** How long the first queued event may wait for company before the batch is written. */
  delayMs?: number;
  /** A queue this long is written at once, so memory stays bounded under a flood. */
  maxQueue?: number;
  /** Where write failures go (Luigi: WARNING "Error saving Task history"). */
  warn?: (message: string, error: unknown) => void;
}

/** Parameter values are stored as the worker sent them; anything not a string as its JSON text. */
export function parameterText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export class HistoryRecorder implements EngineListener {
  readonly name = "task-history";
  private queue: QueuedEvent[] = [];
  private readonly records = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly delayMs: number;
  private readonly maxQueue: number;
  private readonly warn: (message: string, error: unknown) => void;
  private readonly insertTask: Statement;
  private readonly insertParameter: Statement;
  private readonly touchTask: Statement;
  private readonly insertEvent: Statement;

  constructor(
    private readonly db: Database,
    { delayMs = 20, maxQueue = 50_000, warn = (m, e) => console.warn(m, e) }: RecorderOptions = {},
  ) {
    this.delayMs = delayMs;
    this.maxQueue = maxQueue;
    this.warn = warn;
    this.insertTask = db.prepare("INSERT INTO tasks (task_id, name, host) VALUES (?, ?, ?)");
    this.insertParameter = db.prepare("INSERT OR REPLACE INTO task_parameters (task_id, name, value) VALUES (?, ?, ?)");
    this.touchTask = db.prepare("UPDATE tasks SET host = COALESCE(?, host) WHERE id = ?");
    this.insertEvent = db.prepare("INSERT INTO task_events (task_id, event_name, ts) VALUES (?, ?, ?)");
  }

  onChange(events: readonly EngineEvent[]): void {
    let added = false;
    for (const event of events) {
      if (event.type !== "history") continue;
      const { task } = event;
      this.queue.push({ taskId: task.id, family: task.family, params: task.params, status: event.status, at: event.at, host: event.host });
      added = true;
    }
    if (!added) return;
    if (this.queue.length >= this.maxQueue) this.writePending();
    else this.schedule();
  }

  /** Events queued and not yet written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Writes everything queued, now, in one transaction (one per event if the
   * batch fails, so a single bad event loses only itself). Returns the number
   * of events written. Readers call this first so pages show every answered RPC.
   */
  writePending(): number {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    if (batch.length === 0) return 0;
    this.queue = [];
    try {
      this.commit(batch);
      return batch.length;
    } catch (batchError) {
      let written = 0;
      for (const event of batch) {
        try {
          this.commit([event]);
          written++;
        } catch (error) {
          this.warn("Error saving Task history", error ?? batchError);
        }
      }
      return written;
    }
  }

  /** Retention deleted these records: the next event of their task ids starts a new record. */
  forgetRecords(recordIds: ReadonlySet<number>): void {
    if (recordIds.size === 0) return;
    for (const [taskId, recordId] of this.records) if (recordIds.has(recordId)) this.records.delete(taskId);
  }

  close(): void {
    if (this.closed) return;
    this.writePending();
    this.closed = true;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.writePending();
    }, this.delayMs);
    // The queue is written by close() at shutdown; the timer must not keep the process up.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** One transaction; the in-memory map learns new record ids only once they are committed. */
  private commit(events: readonly QueuedEvent[]): void {
    const created = new Map<string, number>();
    this.db.transaction(() => {
      for (const event of events) {
        let recordId = created.get(event.taskId) ?? this.records.get(event.taskId);
        // A remembered record may have been pruned or deleted by hand: start a new one
        // rather than failing every later event of the task as Luigi does.
        if (recordId !== undefined && this.touchTask.run(event.host, recordId).changes === 0) recordId = undefined;
        if (recordId === undefined) {
          recordId = Number(this.insertTask.run(event.taskId, event.family, event.host).lastInsertRowid);
          for (const [name, value] of Object.entries(event.params)) this.insertParameter.run(recordId, name, parameterText(value));
          created.set(event.taskId, recordId);
        }
        this.insertEvent.run(recordId, event.status, formatTs(event.at));
      }
    })();
    for (const [taskId, recordId] of created) this.records.set(taskId, recordId);
  }
}
