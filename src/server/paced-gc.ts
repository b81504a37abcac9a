/**
 * A young (eden) collection after every few hundred RPCs, while calls keep
 * coming.
 *
 * Left to itself, JSC lets the young generation grow to about the size of
 * the live heap before collecting it: at 100k tasks (~115 MB live) the heap
 * swung between ~115 and ~170 MB under 8 busy workers, and the resident set
 * with it. A young collection costs what survives and what old objects were
 * written, not the garbage, so collecting after a fixed number of calls keeps
 * the swing to a few MB. Measured with the pending benchmark (3 runs each,
 * against the build before): RSS 262–270 MB at the end of the 8-worker rounds
 * (310–341), 194–198 MB at rest after the fill (216–220), 216–222 MB after
 * the listings (241–243); main thread 78–80 µs a call in the fill (74–82);
 * 8-in-flight p99 unchanged. The price: each pause (~0.5–1 ms at 100k tasks)
 * now lands on some call, which a lone worker notices (its add_task p99 went
 * from 0.76–1.00 to 1.16–1.24 ms).
 *
 * The collection runs on the next turn of the event loop, after the call
 * that reached the count has answered; an idle scheduler is never collected
 * (src/server/quiet-gc.ts handles the quiet after a burst).
 * @module
 */
import { edenGC } from "bun:jsc";
import type { SchedulerService } from "../rpc/service.ts";

export interface PacedGcOptions {
  /** Calls between two young collections. Not a multiple of 3, so that a worker's add_task, get_work, DONE rhythm does not put every pause on the same method. */
  every?: number;
  /** Runs the collection (tests pass their own). */
  collect?: () => void;
  /** Defers it past the current call (tests pass their own). */
  defer?: (run: () => void) => void;
}

export class PacedCollector {
  private calls = 0;
  private pending = false;
  private readonly every: number;
  private readonly collect: () => void;
  private readonly defer: (run: () => void) => void;

  constructor(options: PacedGcOptions = {}) {
    this.every = options.every ?? 320;
    this.collect = options.collect ?? (() => edenGC());
    this.defer = options.defer ?? ((run) => setImmediate(run));
  }

  readonly onCall = (): void => {
    if (++this.calls < this.every || this.pending) return;
    this.calls = 0;
    this.pending = true;
    this.defer(() => {
      this.pending = false;
      this.collect();
    });
  };
}

/** Starts pacing young collections by the service's calls. */
export function collectYoungByCalls(service: SchedulerService, options: PacedGcOptions = {}): void {
  service.observeCalls(new PacedCollector(options).onCall);
}
