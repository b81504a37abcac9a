/**
 * Time for everything outside the engine. The engine takes `now` as an
 * argument; the server reads it from a Clock so tests can drive a fake one.
 * @module
 */
import type { Seconds } from "../engine/types.ts";

export interface Clock {
  /** Epoch seconds with a fraction. */
  now(): Seconds;
}

/**
 * The wall clock, made strictly increasing: Date.now() has millisecond
 * resolution, and two workers created in the same millisecond would tie where
 * Luigi's finer clock orders them (worker_list sorts by `started`).
 */
export function createSystemClock(read: () => number = Date.now): Clock {
  let last = 0;
  return {
    now(): Seconds {
      const t = read() / 1000;
      last = t > last ? t : last + 1e-6;
      return last;
    },
  };
}

export const systemClock: Clock = createSystemClock();

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  constructor(private t: Seconds = 1_800_000_000) {}
  now(): Seconds {
    return this.t;
  }
  set(t: Seconds): void {
    this.t = t;
  }
  advance(seconds: number): void {
    this.t += seconds;
  }
}
