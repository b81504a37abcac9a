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

export const systemClock: Clock = { now: () => Date.now() / 1000 };

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
