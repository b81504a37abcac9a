/**
 * Where the recorder's batches go: to the history thread (a file database), or
 * straight into SQLite on this thread (an in-memory database, which another
 * thread cannot open, and the fallback when the thread cannot start).
 * @module
 */
import type { FromWriter, ToWriter } from "./protocol.ts";
import type { HistoryWriter, PruneResult, QueuedEvent } from "./writer.ts";

export interface WriteSink {
  /** Hands a batch over; never throws, never waits for SQLite. */
  write(events: QueuedEvent[]): void;
  /** Resolves once every batch handed over so far is committed. */
  sync(): Promise<void>;
  /** Retention: deletes records last active before `cutoff`. */
  prune(cutoff: string): Promise<PruneResult>;
  /** Writes what is in flight and releases the database. */
  close(): Promise<void>;
  /** Where writes happen, for the startup log. */
  readonly where: string;
  /** Events handed over and not yet committed. */
  readonly inFlight: number;
}

export class InlineSink implements WriteSink {
  readonly where = "the main thread";
  readonly inFlight = 0;
  constructor(private readonly writer: HistoryWriter) {}
  write(events: QueuedEvent[]): void {
    this.writer.write(events);
  }
  async sync(): Promise<void> {}
  async prune(cutoff: string): Promise<PruneResult> {
    return this.writer.prune(cutoff);
  }
  async close(): Promise<void> {}
}

type Request = { kind: "sync" } | { kind: "prune"; cutoff: string } | { kind: "close" };

/**
 * The history thread. Batches stay "in flight" until the thread confirms their
 * commit; if the thread dies or never starts, they are replayed into the
 * fallback, so a failing thread costs speed, not rows.
 */
export class ThreadSink implements WriteSink {
  private worker: Worker | null = null;
  private fallback: WriteSink | null = null;
  /** Batches sent and not yet confirmed, as sent (JSON text), with their sizes. */
  private readonly inflight = new Map<number, { text: string; count: number }>();
  private inflightEvents = 0;
  private readonly requests = new Map<number, { request: Request; resolve: (result: PruneResult) => void }>();
  private seq = 0;
  private nextId = 0;

  constructor(
    private readonly path: string,
    /** Worker specifiers to try in order (the compiled binary names embedded files differently). */
    private readonly candidates: string[],
    private readonly makeFallback: () => WriteSink,
    private readonly warn: (message: string, error?: unknown) => void,
  ) {
    this.spawn();
  }

  get inFlight(): number {
    return this.inflightEvents;
  }

  get where(): string {
    return this.fallback ? `${this.fallback.where} (the history thread failed)` : "the history thread";
  }

  write(events: QueuedEvent[]): void {
    if (this.fallback) return this.fallback.write(events);
    const seq = ++this.seq;
    const text = JSON.stringify(events);
    this.inflight.set(seq, { text, count: events.length });
    this.inflightEvents += events.length;
    this.post({ type: "write", seq, events: text });
  }

  sync(): Promise<void> {
    return this.ask({ kind: "sync" }).then(() => undefined);
  }

  prune(cutoff: string): Promise<PruneResult> {
    return this.ask({ kind: "prune", cutoff });
  }

  async close(): Promise<void> {
    await this.ask({ kind: "close" });
    this.worker?.terminate();
    this.worker = null;
    await this.fallback?.close();
  }

  private ask(request: Request): Promise<PruneResult> {
    if (this.fallback) return this.runOnFallback(request);
    return new Promise((resolve) => {
      const id = ++this.nextId;
      this.requests.set(id, { request, resolve });
      this.post(request.kind === "prune" ? { type: "prune", id, cutoff: request.cutoff } : { type: request.kind, id });
    });
  }

  private runOnFallback(request: Request): Promise<PruneResult> {
    const fallback = this.fallback!;
    if (request.kind === "prune") return fallback.prune(request.cutoff);
    return fallback.sync().then(() => ({ deleted: 0, forgotten: [] }));
  }

  private post(message: ToWriter): void {
    this.worker?.postMessage(message);
  }

  private spawn(): void {
    const spec = this.candidates.shift();
    if (spec === undefined) return this.giveUp(new Error("no history thread could be started"));
    let worker: Worker;
    try {
      worker = new Worker(spec);
    } catch {
      return this.spawn();
    }
    this.worker = worker;
    // The thread must not keep the process alive; shutdown closes it explicitly.
    (worker as { unref?: () => void }).unref?.();
    let ready = false;
    worker.onmessage = (event: MessageEvent<FromWriter>) => {
      const message = event.data;
      if (message.type === "ready") ready = true;
      else if (message.type === "failed") this.giveUp(new Error(message.message));
      else if (message.type === "written") this.confirm(message.seq);
      else if (message.type === "warn") this.warn(message.message, message.error);
      else if (message.type === "done") {
        const waiting = this.requests.get(message.id);
        this.requests.delete(message.id);
        waiting?.resolve(message.result);
      }
    };
    worker.onerror = (event) => {
      if (this.worker !== worker) return;
      worker.terminate();
      this.worker = null;
      if (!ready) {
        this.spawn();
        this.replay();
      } else this.giveUp(event.error ?? new Error(event.message));
    };
    worker.postMessage({ type: "open", path: this.path } satisfies ToWriter);
  }

  private confirm(seq: number): void {
    const batch = this.inflight.get(seq);
    if (!batch) return;
    this.inflight.delete(seq);
    this.inflightEvents -= batch.count;
  }

  /** Sends everything not yet confirmed to the current thread again, in order. */
  private replay(): void {
    if (!this.worker) return;
    for (const [seq, { text }] of [...this.inflight].sort((a, b) => a[0] - b[0])) this.post({ type: "write", seq, events: text });
    for (const [id, { request }] of this.requests) {
      this.post(request.kind === "prune" ? { type: "prune", id, cutoff: request.cutoff } : { type: request.kind, id });
    }
  }

  /** Writes on this thread from now on; nothing in flight is lost. */
  private giveUp(reason: unknown): void {
    if (this.fallback) return;
    this.warn("task history thread unavailable; writing history on the main thread", reason);
    this.worker?.terminate();
    this.worker = null;
    const fallback = this.makeFallback();
    this.fallback = fallback;
    for (const [, { text }] of [...this.inflight].sort((a, b) => a[0] - b[0])) fallback.write(JSON.parse(text) as QueuedEvent[]);
    this.inflight.clear();
    this.inflightEvents = 0;
    const waiting = [...this.requests.values()];
    this.requests.clear();
    for (const { request, resolve } of waiting) void this.runOnFallback(request).then(resolve);
  }
}
