/**
 * One full garbage collection when the scheduler goes quiet after a burst.
 *
 * A burst (a pipeline scheduling 100k tasks, a visualiser listing them all)
 * leaves tens of MB of garbage that JSC may keep for a while: measured at
 * 100k pending tasks, resident memory stayed ~250 MB for up to 10 s after the
 * burst, then fell to ~205 MB whenever a full collection happened to run.
 * Collecting once the calls slow down makes the footprint follow the live
 * state instead of that timing. Quiet means "few calls", not "none": live
 * workers ping every second, and a ping that arrives during the collection
 * merely waits for it (a full collection costs ~60 ms per 100,000 live tasks,
 * ~0.6 s at a million; hence the growth must also be a tenth of the RSS).
 * @module
 */
import type { SchedulerService } from "../rpc/service.ts";

export interface QuietGcOptions {
  /** How often the rate is looked at. */
  periodMs?: number;
  /** At most this many calls in a period counts as quiet. */
  quietCalls?: number;
  /** Quiet periods in a row before collecting. */
  quietPeriods?: number;
  /** Collect only when RSS grew at least this much since the last collection (or start)... */
  growthBytes?: number;
  /** ...and by at least this fraction of it: a full collection of a 1 GB heap pauses far longer than one of 200 MB. */
  growthFraction?: number;
  /** Reads the resident set size (tests pass their own). */
  rss?: () => number;
  /** Runs the collection (tests pass their own). */
  collect?: () => void;
}

/** The decision, one period at a time (collectWhenQuiet calls `tick` every period). */
export class QuietCollector {
  private calls = 0;
  private quiet = 0;
  private baseline: number;
  private readonly quietCalls: number;
  private readonly quietPeriods: number;
  private readonly growthBytes: number;
  private readonly growthFraction: number;
  private readonly rss: () => number;
  private readonly collect: () => void;

  constructor(options: QuietGcOptions = {}) {
    this.quietCalls = options.quietCalls ?? 20;
    this.quietPeriods = options.quietPeriods ?? 2;
    this.growthBytes = options.growthBytes ?? 32 * 1024 * 1024;
    this.growthFraction = options.growthFraction ?? 0.1;
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
    this.collect = options.collect ?? (() => Bun.gc(true));
    this.baseline = this.rss();
  }

  readonly onCall = (): void => {
    this.calls++;
  };

  /** Ends a period; collects when enough quiet periods follow enough growth. True when it collected. */
  tick(): boolean {
    this.quiet = this.calls <= this.quietCalls ? this.quiet + 1 : 0;
    this.calls = 0;
    if (this.quiet < this.quietPeriods) return false;
    const grown = this.rss() - this.baseline;
    if (grown < this.growthBytes || grown < this.baseline * this.growthFraction) return false;
    this.collect();
    this.baseline = this.rss();
    return true;
  }
}

/** Starts watching the service's calls; returns a function that stops it. */
export function collectWhenQuiet(service: SchedulerService, options: QuietGcOptions = {}): () => void {
  const collector = new QuietCollector(options);
  service.observeCalls(collector.onCall);
  const timer = setInterval(() => collector.tick(), options.periodMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
