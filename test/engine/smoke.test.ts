import { expect, test } from "bun:test";
import { Sched } from "./helpers.ts";

test("a two-task chain runs dependency first, then the dependent", () => {
  const s = new Sched();
  s.add("B", "w", { deps: ["A"] }).add("A", "w");
  expect(s.status("A")).toBe("PENDING");
  expect(s.work("w")).toBe("A");
  expect(s.work("w", { currentTasks: ["A"] })).toBeNull();
  s.done("A", "w");
  expect(s.work("w")).toBe("B");
  s.done("B", "w");
  expect(s.work("w")).toBeNull();
});
