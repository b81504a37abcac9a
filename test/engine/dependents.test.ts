import { describe, expect, test } from "bun:test";
import { Sched } from "./helpers.ts";

describe("dependents of a dep that has no task yet", () => {
  test("a dep first named by an assistant's task, added later, releases its dependent when DONE", () => {
    const s = new Sched({}, 0);
    // An assistant's add_task creates no tasks for the deps it names.
    s.add("B", "W", { assistant: true, deps: ["A"] });
    expect(s.engine.getTask("A")).toBeUndefined();
    expect(s.work("W", { assistant: true })).toBeNull();
    s.add("A", "V").done("A", "V");
    expect(s.work("W", { assistant: true })).toBe("B");
  });

  test("a DONE dep that is deleted holds its dependent back again, and lets it go once re-created and DONE", () => {
    const s = new Sched({ workerDisconnectDelay: 60, removeDelay: 600 }, 0);
    s.add("A", "V").done("A", "V");
    // W2 keeps B; the assistant W gives it its dep, which makes no one a stakeholder of A.
    s.add("B", "W2").add("B", "W", { assistant: true, deps: ["A"] });
    expect(s.engine.schedulableCount()).toBe(1);
    // V goes away: A has no stakeholder left and is deleted; W2 stays.
    for (let i = 0; i < 12; i++) s.advance(60).ping("W2").prune();
    expect(s.engine.getTask("A")).toBeUndefined();
    expect(s.status("B")).toBe("PENDING");
    expect(s.engine.schedulableCount()).toBe(0);
    expect(s.work("W2")).toBeNull();
    s.add("A", "V2").done("A", "V2");
    expect(s.work("W2")).toBe("B");
  });
});
