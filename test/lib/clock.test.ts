import { expect, test } from "bun:test";
import { createSystemClock } from "../../src/lib/clock.ts";

test("the system clock never repeats a value, even within one millisecond", () => {
  let ms = 1_700_000_000_000;
  const clock = createSystemClock(() => ms);
  const a = clock.now();
  const b = clock.now();
  expect(b).toBeGreaterThan(a);
  ms += 5;
  const c = clock.now();
  expect(c).toBeCloseTo(1_700_000_000.005, 6);
  ms -= 1000; // a step back (NTP) does not make time run backwards
  expect(clock.now()).toBeGreaterThan(c);
});
