/**
 * Where history's SQLite work happens: on the history thread (a file
 * database), or on this thread (an in-memory database, which another thread
 * cannot open, and the fallback when the thread cannot start). Either way the
 * recorder's batches and the pages' queries go through the same four calls.
 * @module
 */
import type { FromThread, ToThread } from "./protocol.ts";
import { type HistoryQueries, type QueryArgs, type QueryName, type QueryResult, runQuery } from "./queries.ts";
import type { HistoryWriter, QueuedEvent } from "./writer.ts";

export interface HistoryBackend {
  /** Hands a batch over; never throws, never waits for SQLite. */
  write(events: QueuedEvent[]): void;
  /** Runs a page's query after every batch handed over before it. */
  query<K extends QueryName>(name: K, args: QueryArgs<K>): Promise<QueryResult<K>>;
  /** Resolves once every batch handed over so far is committed. */
  sync(): Promise<void>;
  /** Retention: deletes records last active before `cutoff`; resolves to how many. */
  prune(cutoff: string): Promise<number>;
  /** Writes what is in flight and releases the database. */
  close(): Promise<void>;
  /** Where the work happens, for the startup log. */
  readonly where: string;
  /** Events handed over and not yet committed. */
  readonly inFlight: number;
}

const CLOSE_TIMEOUT_MS = 30_000;

export class InlineBackend implements HistoryBackend {
  readonly where = "the main thread";
  readonly inFlight = 0;
  constructor(
    private readonly writer: HistoryWriter,
    private readonly queries: HistoryQueries,
  ) {}
  write(events: QueuedEvent[]): void {
    this.writer.write(events);
  }
  async query<K extends QueryName>(name: K, args: QueryArgs<K>): Promise<QueryResult<K>> {
    return runQuery(this.queries, name, args);
  }
  async sync(): Promise<void> {}
  async prune(cutoff: string): Promise<number> {
    return this.writer.prune(cutoff);
  }
  async close(): Promise<void> {}
}

/** A request waiting for the thread's answer, kept so it can be re-sent or run on the fallback. */
type Pending =
  | { kind: "sync" | "close"; resolve: (deleted: number) => void }
  | { kind: "prune"; cutoff: string; resolve: (deleted: number) => void }
  | { kind: "query"; name: QueryName; args: unknown[]; resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * The history thread. Batches stay "in flight" until the thread confirms their
 * commit; if the thread dies or never starts, they are replayed into the
 * fallback, so a failing thread costs speed, not rows.
 */
export class ThreadBackend implements HistoryBackend {
  private worker: Worker | null = null;
  private fallback: HistoryBackend | null = null;
  /** Batches sent and not yet confirmed, as sent (JSON text), with their sizes. */
  private readonly inflight = new Map<number, { text: string; count: number }>();
  private inflightEvents = 0;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private nextId = 0;

  constructor(
    private readonly path: string,
    /** See HistoryWriter: the same for the thread and the fallback, so neither appends to the other's past. */
    private readonly firstOwnId: number,
    /** Worker specifiers to try in order (the compiled binary names embedded files differently). */
    private readonly candidates: string[],
    private readonly makeFallback: () => HistoryBackend,
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

  query<K extends QueryName>(name: K, args: QueryArgs<K>): Promise<QueryResult<K>> {
    if (this.fallback) return this.fallback.query(name, args);
    return new Promise<unknown>((resolve, reject) => this.ask({ kind: "query", name, args, resolve, reject })) as Promise<QueryResult<K>>;
  }

  sync(): Promise<void> {
    if (this.fallback) return this.fallback.sync();
    return new Promise((resolve) => this.ask({ kind: "sync", resolve: () => resolve() }));
  }

  prune(cutoff: string): Promise<number> {
    if (this.fallback) return this.fallback.prune(cutoff);
    return new Promise((resolve) => this.ask({ kind: "prune", cutoff, resolve }));
  }

  async close(): Promise<void> {
    if (!this.fallback) {
      const closed = new Promise<boolean>((resolve) => this.ask({ kind: "close", resolve: () => resolve(true) }));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS);
      });
      // A thread that never answers must not hold shutdown hostage: what it has not confirmed is written here.
      if (!(await Promise.race([closed, late]))) this.giveUp(new Error(`the history thread did not close within ${CLOSE_TIMEOUT_MS / 1000} s`));
      clearTimeout(timer);
    }
    this.worker?.terminate();
    this.worker = null;
    await this.fallback?.close();
  }

  private ask(request: Pending): void {
    const id = ++this.nextId;
    this.pending.set(id, request);
    this.send(id, request);
  }

  private send(id: number, request: Pending): void {
    if (request.kind === "query") this.post({ type: "query", id, name: request.name, args: request.args });
    else if (request.kind === "prune") this.post({ type: "prune", id, cutoff: request.cutoff });
    else this.post({ type: request.kind, id });
  }

  private post(message: ToThread): void {
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
    worker.onmessage = (event: MessageEvent<FromThread>) => {
      const message = event.data;
      if (message.type === "ready") ready = true;
      else if (message.type === "failed") this.giveUp(new Error(message.message));
      else if (message.type === "written") this.confirm(message.seq);
      else if (message.type === "warn") this.warn(message.message, message.error);
      else this.answer(message);
    };
    worker.onerror = (event) => {
      if (this.worker !== worker) return;
      worker.terminate();
      this.worker = null;
      if (ready) return this.giveUp(event.error ?? new Error(event.message));
      this.spawn();
      this.replay();
    };
    worker.postMessage({ type: "open", path: this.path, firstOwnId: this.firstOwnId } satisfies ToThread);
  }

  private answer(message: Extract<FromThread, { type: "done" | "answer" }>): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (waiting.kind !== "query") return waiting.resolve(message.type === "done" ? message.deleted : 0);
    if (message.type === "answer" && message.error !== undefined) waiting.reject(new Error(message.error));
    else waiting.resolve(message.type === "answer" ? message.value : undefined);
  }

  private confirm(seq: number): void {
    const batch = this.inflight.get(seq);
    if (!batch) return;
    this.inflight.delete(seq);
    this.inflightEvents -= batch.count;
  }

  /** Sends everything not yet answered to the current thread again, in order. */
  private replay(): void {
    if (!this.worker) return;
    for (const [seq, { text }] of [...this.inflight].sort((a, b) => a[0] - b[0])) this.post({ type: "write", seq, events: text });
    for (const [id, request] of this.pending) this.send(id, request);
  }

  /** Works on this thread from now on; nothing in flight is lost and every waiting request is answered. */
  private giveUp(reason: unknown): void {
    if (this.fallback) return;
    this.warn("task history thread unavailable; using the main thread", reason);
    this.worker?.terminate();
    this.worker = null;
    const fallback = this.makeFallback();
    this.fallback = fallback;
    for (const [, { text }] of [...this.inflight].sort((a, b) => a[0] - b[0])) fallback.write(JSON.parse(text) as QueuedEvent[]);
    this.inflight.clear();
    this.inflightEvents = 0;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const request of waiting) {
      if (request.kind === "query") fallback.query(request.name, request.args as never).then(request.resolve, request.reject);
      else if (request.kind === "prune") void fallback.prune(request.cutoff).then(request.resolve);
      else request.resolve(0);
    }
  }
}
