/**
 * Follows the engine's `history` events without ever slowing an RPC.
 *
 * onChange only copies the events into a queue; a short timer hands the queue
 * to the backend as one batch: the history thread for a file database, which
 * commits it in one transaction while the scheduler goes on. No RPC waits for
 * history (there is no flush() here on purpose) and a failing database costs
 * a logged warning, never a failed RPC (server.md §4.4). close() writes
 * whatever is still queued.
 * @module
 */
import type { EngineEvent } from "../../engine/events.ts";
import type { EngineListener } from "../../rpc/service.ts";
import type { HistoryBackend } from "./backend.ts";
import { parameterText, type QueuedEvent } from "./writer.ts";

const ANNOUNCED_LIMIT = 100_000;

export interface RecorderOptions {
  /** How long the first queued event may wait for company before the batch is handed over.
   * Fewer, larger transactions cost the history thread far less (each commit rewrites whole index pages). */
  delayMs?: number;
  /** A queue this long is handed over at once, so memory stays bounded under a flood. */
  maxQueue?: number;
}

export class HistoryRecorder implements EngineListener {
  readonly name = "task-history";
  private queue: QueuedEvent[] = [];
  /**
   * Task ids whose family and parameters were already handed over (the writer has, or is creating,
   * their record). Bounded: a task id that falls out simply sends them again, which costs nothing.
   */
  private readonly announced = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closing: Promise<void> | null = null;
  private readonly delayMs: number;
  private readonly maxQueue: number;

  constructor(
    private readonly backend: HistoryBackend,
    { delayMs = 100, maxQueue = 20_000 }: RecorderOptions = {},
  ) {
    this.delayMs = delayMs;
    this.maxQueue = maxQueue;
  }

  onChange(events: readonly EngineEvent[]): void {
    let added = false;
    for (const event of events) {
      if (event.type !== "history") continue;
      const { task } = event;
      if (this.announced.has(task.id)) {
        this.queue.push({ taskId: task.id, status: event.status, at: event.at, host: event.host });
      } else {
        this.announced.add(task.id);
        if (this.announced.size > ANNOUNCED_LIMIT) this.announced.delete(this.announced.values().next().value as string);
        const params: Record<string, string | null> = {};
        // As text here, so nothing JSON cannot carry (a non-finite number) changes on the way to the thread.
        for (const name in task.params) params[name] = parameterText(task.params[name]);
        this.queue.push({ taskId: task.id, family: task.family, params, status: event.status, at: event.at, host: event.host });
      }
      added = true;
    }
    if (!added) return;
    if (this.queue.length >= this.maxQueue) this.handOver();
    else this.schedule();
  }

  /** Events received and not yet committed (queued here, or in flight to the history thread). */
  get pending(): number {
    return this.queue.length + this.backend.inFlight;
  }

  /** Hands the queue over now (for an in-memory database: writes it now). */
  handOver(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.backend.write(batch);
  }

  /** Resolves once every event received so far is committed: readers await it, so pages show every answered RPC. */
  async sync(): Promise<void> {
    this.handOver();
    await this.backend.sync();
  }

  /** Retention, in order with the writes. Resolves to the number of records deleted. */
  async prune(cutoff: string): Promise<number> {
    this.handOver();
    const deleted = await this.backend.prune(cutoff);
    // A deleted task's next event starts a new record, which needs the family and parameters again.
    if (deleted > 0) this.announced.clear();
    return deleted;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.handOver();
      await this.backend.close();
    })();
    return this.closing;
  }

  private schedule(): void {
    if (this.timer || this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.handOver();
    }, this.delayMs);
    // Shutdown hands over what is queued; the timer must not keep the process up.
    (this.timer as { unref?: () => void }).unref?.();
  }
}
