import { afterEach, expect, test } from "bun:test";
import { displayTs, formatTs, parseTs } from "../../../src/store/history/timestamp.ts";

const savedTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = savedTz;
});

test("timestamps are local wall-clock text with six fractional digits", () => {
  process.env.TZ = "Etc/UTC";
  expect(formatTs(1_700_000_000.123)).toBe("2023-11-14 22:13:20.123000");
  expect(formatTs(1_700_000_000)).toBe("2023-11-14 22:13:20.000000");
  process.env.TZ = "Asia/Kolkata";
  expect(formatTs(1_700_000_000.5)).toBe("2023-11-15 03:43:20.500000");
  expect(parseTs("2023-11-15 03:43:20.500000")).toBeCloseTo(1_700_000_000.5, 6);
});

test("round trip and display", () => {
  process.env.TZ = "America/New_York";
  for (const t of [0.25, 1_600_000_000.000001, 1_800_000_000.999]) expect(parseTs(formatTs(t))!).toBeCloseTo(t, 5);
  expect(parseTs("not a time")).toBeNull();
  expect(displayTs("2024-01-02 03:04:05.000000")).toBe("2024-01-02 03:04:05");
  expect(displayTs("2024-01-02 03:04:05.000100")).toBe("2024-01-02 03:04:05.000100");
});
