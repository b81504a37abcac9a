import { describe, expect, test } from "bun:test";
import { WorkerLinks } from "../../src/engine/worker-links.ts";
import { Sched } from "./helpers.ts";

interface Item {
  name: string;
  live: boolean;
}

describe("WorkerLinks", () => {
  test("a walk gives each live item once, in the order linked, and skips dead ones", () => {
    const links = new WorkerLinks<Item>();
    const a = { name: "a", live: true };
    const b = { name: "b", live: true };
    const c = { name: "c", live: true };
    for (const item of [a, b, c, a]) links.link(item);
    b.live = false;
    expect(links.items((item) => item.live).map((item) => item.name)).toEqual(["a", "c"]);
  });

  test("a log whose links keep going stays bounded: a walk visits at most twice the live entries and a chunk", () => {
    const links = new WorkerLinks<Item>();
    const keep = Array.from({ length: 100 }, (_, i) => ({ name: `keep${i}`, live: true }));
    for (const item of keep) links.link(item);
    for (let round = 0; round < 50; round++) {
      const batch = Array.from({ length: 1000 }, (_, i) => ({ name: `r${round}_${i}`, live: true }));
      for (const item of batch) links.link(item);
      for (const item of batch) {
        item.live = false;
        links.unlinked((x) => x.live);
      }
    }
    expect(links.size).toBe(100);
    let visited = 0;
    const names = links.items((item) => {
      visited++;
      return item.live;
    });
    expect(names).toEqual(keep);
    // Without the squeeze the walk would visit all 50,100 entries.
    expect(visited).toBeLessThanOrEqual(2 * 100 + 1024 + 1000);
  });
});

describe("the engine walks a worker's tasks through its links", () => {
  const config = { workerDisconnectDelay: 60, removeDelay: 600 };

  /** S schedules A; the assistant W takes it on (in `workers`, not a stakeholder); S goes away and A is pruned while W stays. */
  function prunedUnderAssistant(): Sched {
    const s = new Sched(config, 0);
    s.add("A", "S").add("A", "W", { assistant: true });
    expect([...s.engine.tasksOfWorker("W")].map((t) => t.id)).toEqual(["A"]);
    for (let i = 0; i < 12; i++) s.advance(60).ping("W").prune();
    expect(s.engine.getTask("A")).toBeUndefined();
    expect([...s.engine.tasksOfWorker("W")]).toEqual([]);
    return s;
  }

  test("a task deleted and created again under its id is listed once, as the new record", () => {
    const s = prunedUnderAssistant();
    s.add("A", "S2", { priority: 7 }).add("A", "W", { assistant: true });
    const listed = [...s.engine.tasksOfWorker("W")];
    expect(listed.map((t) => [t.id, t.priority])).toEqual([["A", 7]]);
  });

  test("disabling the worker takes it out of the re-created task's workers, not the deleted one's", () => {
    const s = prunedUnderAssistant();
    s.add("A", "S2").add("A", "W", { assistant: true });
    expect(s.engine.getTask("A")!.workers.has("W")).toBe(true);
    s.engine.disableWorker({ worker: "W" }, s.now);
    expect(s.engine.getTask("A")!.workers.has("W")).toBe(false);
    expect([...s.engine.tasksOfWorker("W")]).toEqual([]);
  });

  test("a restored engine knows the links too, those in `workers` only included", () => {
    const s = new Sched(config, 0);
    s.add("A", "S").add("A", "W", { assistant: true }).add("B", "W");
    const restored = new Sched(config, 0);
    restored.now = s.now;
    restored.engine.loadState(s.engine.exportState());
    expect([...restored.engine.tasksOfWorker("W")].map((t) => t.id).sort()).toEqual(["A", "B"]);
    restored.engine.disableWorker({ worker: "W" }, restored.now);
    expect([...restored.engine.getTask("A")!.workers]).toEqual(["S"]);
    expect([...restored.engine.getTask("B")!.workers]).toEqual([]);
  });

  test("forgetting the worker clears it from every task it was linked to, as stakeholder or in workers", () => {
    const s = new Sched(config, 0);
    s.add("A", "W").add("B", "S").add("B", "W", { assistant: true }).add("C", "S", { deps: ["D"] }).add("D", "W", { runnable: false });
    for (let i = 0; i < 2; i++) s.advance(60).ping("S").prune();
    for (const id of ["A", "B", "C", "D"]) {
      const task = s.engine.getTask(id)!;
      expect([id, task.workers.has("W") || task.stakeholders.has("W")]).toEqual([id, false]);
    }
    expect([...s.engine.getTask("B")!.workers]).toEqual(["S"]);
  });
});
