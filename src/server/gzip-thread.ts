/**
 * Big replies (task_list of 100k tasks: ~50 MB of JSON) are gzipped on a
 * thread of their own while the scheduler's thread goes on writing them: it
 * hands each finished megabyte to the gzip thread through shared memory
 * (gzip-ring.ts) and writes the next one meanwhile. Compressing took a fifth
 * of such a listing on the scheduler's thread; now it overlaps the writing.
 *
 * The thread starts with the first reply big enough to need it (that one is
 * compressed inline). Whenever the thread is not there to help (not started
 * yet, failed to start, or silent for WAIT_MS), chunks are compressed inline
 * instead, in their place: a reply is never lost or out of order.
 * @module
 */
import { type ChunkDeflater, deflateChunk, InlineDeflater, useDeflaters } from "../engine/queries/gzip-stream.ts";
import { workerEntryCandidates } from "../lib/worker-entry.ts";
import { DONE, FREE, FULL, INPUT_BYTES, RingView, SLOTS } from "./gzip-ring.ts";

/** How long the scheduler's thread waits for one chunk before it gives up on the thread for good. */
const WAIT_MS = 10_000;

export interface GzipThreadOptions {
  /** Worker specifiers to try in order (the compiled binary names embedded files differently). */
  candidates?: string[];
  warn?: (message: string) => void;
  info?: (message: string) => void;
}

/** gzip-thread-entry.ts from source, or as the compiled binary embeds it. */
const entryCandidates = () => workerEntryCandidates("server/gzip-thread-entry.ts", new URL("./gzip-thread-entry.ts", import.meta.url));

export class GzipThread {
  private worker: Worker | null = null;
  private ring: RingView | null = null;
  /** Chunks the thread compressed (tests, and a figure to look at). */
  chunksOnThread = 0;
  private ready = false;
  private broken = false;
  /** The next slot to fill; the thread takes them in the same turn. */
  private next = 0;
  /** Slots handed over and not yet taken back, oldest first. */
  private readonly pending: number[] = [];
  private readonly candidates: string[];
  private readonly warn: (message: string) => void;
  private readonly info: (message: string) => void;

  constructor(options: GzipThreadOptions = {}) {
    this.candidates = options.candidates ?? entryCandidates();
    this.warn = options.warn ?? (() => {});
    this.info = options.info ?? (() => {});
  }

  /** Makes every gzipped reply use this thread; returns the undo. */
  install(): () => void {
    return useDeflaters(() => this.deflater());
  }

  /** Whether chunks go to the thread now (tests). */
  get helping(): boolean {
    return this.ready && !this.broken;
  }

  /** A deflater for one reply: on the thread when it is up, inline otherwise. */
  deflater(): ChunkDeflater {
    if (!this.helping) {
      this.start();
      return new InlineDeflater();
    }
    // A reply abandoned halfway (an exception while writing it) leaves slots behind.
    while (this.pending.length > 0) this.takeOldest();
    return new ThreadDeflater(this);
  }

  /** Stops the thread (shutdown, tests); later replies are compressed inline. */
  close(): void {
    this.broken = true;
    this.worker?.terminate();
    this.worker = null;
  }

  /** Hands `chunk` over, after taking back the oldest piece if every slot is taken (that piece is returned). */
  submit(chunk: Uint8Array, last: boolean): Uint8Array | null {
    const ring = this.ring!;
    const taken = this.pending.length === SLOTS ? this.takeOldest() : null;
    const slot = this.next;
    ring.setInput(slot, chunk, last);
    ring.setState(slot, FULL);
    this.chunksOnThread++;
    this.pending.push(slot);
    this.next = (slot + 1) % SLOTS;
    return taken;
  }

  /** Everything handed over, compressed, in order. */
  drain(): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    while (this.pending.length > 0) pieces.push(this.takeOldest());
    return pieces;
  }

  /** Fits a slot and the thread is up. */
  canTake(chunk: Uint8Array): boolean {
    return this.helping && chunk.byteLength <= INPUT_BYTES;
  }

  private takeOldest(): Uint8Array {
    const ring = this.ring!;
    const slot = this.pending.shift()!;
    while (!this.broken && ring.state(slot) === FULL) {
      if (!ring.waitWhile(slot, FULL, WAIT_MS)) {
        this.warn(`the gzip thread did not answer in ${WAIT_MS / 1000} s; big replies are compressed on the scheduler's thread from now on`);
        this.broken = true;
      }
    }
    const done = ring.state(slot) === DONE ? ring.output(slot) : null;
    // A copy: the slot is written again by the next chunk.
    const piece = done === null ? deflateChunk(ring.input(slot), ring.isLast(slot)) : done.slice();
    ring.setState(slot, FREE);
    return piece;
  }

  private start(): void {
    if (this.worker !== null || this.broken) return;
    const spec = this.candidates.shift();
    if (spec === undefined) {
      this.broken = true;
      this.warn("no gzip thread could be started; big replies are compressed on the scheduler's thread");
      return;
    }
    let worker: Worker;
    try {
      // smol: the thread runs deflate on a few buffers; a small heap is all it needs.
      worker = new Worker(spec, { smol: true });
    } catch {
      return this.start();
    }
    this.worker = worker;
    // The thread must not keep the process alive.
    (worker as { unref?: () => void }).unref?.();
    this.ring ??= RingView.allocate();
    worker.onmessage = () => {
      this.ready = true;
      this.info("Big replies are gzipped on a thread of their own from now on");
    };
    worker.onerror = () => {
      if (this.worker !== worker) return;
      worker.terminate();
      this.worker = null;
      // Before it is ready, try the next specifier; afterwards, stay inline.
      if (this.ready) this.broken = true;
      else this.start();
    };
    worker.postMessage(this.ring.memory);
  }
}

/** One reply's chunks through the thread; a chunk too big for a slot is compressed here, in its place. */
class ThreadDeflater implements ChunkDeflater {
  private readonly pieces: Uint8Array[] = [];

  constructor(private readonly thread: GzipThread) {}

  push(chunk: Uint8Array, last: boolean): void {
    if (!this.thread.canTake(chunk)) {
      this.pieces.push(...this.thread.drain(), deflateChunk(chunk, last));
      return;
    }
    const taken = this.thread.submit(chunk, last);
    if (taken !== null) this.pieces.push(taken);
  }

  finish(): Uint8Array[] {
    this.pieces.push(...this.thread.drain());
    return this.pieces;
  }
}
