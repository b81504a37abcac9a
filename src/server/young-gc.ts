/**
 * A young (eden) collection every few hundred calls.
 *
 * Left to itself, JSC starts young collections on timers (about every 150 ms
 * under load), and lets the young generation grow to about the size of the
 * live heap in between: at 100k tasks the heap's blocks, and so the resident
 * memory, swing some 50 MB above the live state while workers are busy
 * (scripts/bench/run.ts, pending: 234–275 MB at the end of the 8-worker
 * rounds in 10 runs). Collecting every EVERY_CALLS calls keeps the young
 * generation small: 205–219 MB there in 8 runs, with the same p99s and
 * throughput. Each of these collections pauses ~0.5–2 ms, at 100k tasks as at
 * a million, since it visits what the last few hundred calls left alive, not
 * the whole heap.
 *
 * After a restore, one full collection runs before the first request is
 * served (~0.5 s at a million tasks, against ~5 s for the restore): reading
 * the state file leaves a heap of garbage, and JSC otherwise collected it
 * while the first calls came in. The young collections forced then waited
 * for that full one, up to ~100 ms (scripts/bench/run.ts, million: the
 * slowest call right after the restore 22–103 ms; 5–7 ms with the full
 * collection first, 10 ms with neither).
 * @module
 */
import { edenGC, fullGC } from "bun:jsc";
import type { SchedulerService } from "../rpc/service.ts";

/** Calls between two young collections: every 1,000 kept ~5 MB more under load; every 250 lengthened a lone worker's `add_task` p99 (0.67–0.70 ms against 0.43–0.52). */
export const EVERY_CALLS = 500;

export interface YoungGcOptions {
  everyCalls?: number;
  /** Runs a young collection (tests pass their own). */
  collect?: () => void;
  /** Runs a full collection (tests pass their own). */
  collectAll?: () => void;
}

/** Counts calls and collects on every `everyCalls`-th. */
export class YoungCollector {
  private calls = 0;
  private stopped = false;
  private readonly everyCalls: number;
  private readonly collect: () => void;
  private readonly collectAll: () => void;

  constructor(options: YoungGcOptions = {}) {
    this.everyCalls = options.everyCalls ?? EVERY_CALLS;
    this.collect = options.collect ?? (() => edenGC());
    this.collectAll = options.collectAll ?? (() => fullGC());
  }

  readonly onCall = (): void => {
    if (++this.calls < this.everyCalls || this.stopped) return;
    this.calls = 0;
    this.collect();
  };

  /** Once the restored state is in, before any request: what reading it left is collected now, not under the first calls. */
  afterRestore(tasks: number): void {
    if (tasks > 0) this.collectAll();
  }

  stop(): void {
    this.stopped = true;
  }
}

/** A full collection after a restore of `restoredTasks`, then a young one every `everyCalls` calls of the service; returns a function that stops it. */
export function collectYoungEvery(service: SchedulerService, restoredTasks: number, options: YoungGcOptions = {}): () => void {
  const collector = new YoungCollector(options);
  collector.afterRestore(restoredTasks);
  service.observeCalls(collector.onCall);
  return () => collector.stop();
}
