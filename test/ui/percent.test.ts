/** What the visualiser draws for a task's progress, whatever task code stored. */
import { expect, test } from "bun:test";
import { asPercent } from "../../src/http/ui/percent.ts";

test.each([
  [40, 40],
  [12.5, 12.5],
  ["50", 50],
  [" 7.5 ", 7.5],
  ["50%", null],
  ["", null],
  [null, null],
  [true, null],
  [[50], null],
  [Number.NaN, null],
  [Number.POSITIVE_INFINITY, null],
])("%p draws %p", (value, expected) => {
  expect(asPercent(value)).toBe(expected);
});
