import { describe, expect, test } from "bun:test";
import { configRetryPolicy, LiveTask, newTaskRecord } from "../../src/engine/records.ts";
import { cloneTask } from "../../src/engine/snapshot.ts";
import { DEFAULT_ENGINE_CONFIG, type TaskRecord } from "../../src/engine/types.ts";
import { Sched } from "./helpers.ts";

/** A value other than the default for every field that LiveTask keeps aside. */
const RARE: Partial<TaskRecord> = {
  failures: [1, 2],
  firstFailureTime: 1,
  trackingUrl: "http://t/1",
  statusMessage: "half way",
  progressPercentage: 50,
  schedulerMessageResponses: { m1: "yes" },
  schedulerDisableTime: 3,
  owners: ["a@b.c"],
};

const fresh = (): TaskRecord => newTaskRecord("A", "PENDING", 100, configRetryPolicy(DEFAULT_ENGINE_CONFIG), { family: "A" });

describe("LiveTask", () => {
  test("a new record reads the defaults of the fields it keeps aside", () => {
    expect(fresh()).toMatchObject({
      failures: [],
      firstFailureTime: null,
      trackingUrl: null,
      statusMessage: null,
      progressPercentage: null,
      schedulerMessageResponses: {},
      schedulerDisableTime: null,
      owners: [],
    });
  });

  test("each of them reads back what was written, and back to its default", () => {
    const task = fresh();
    Object.assign(task, RARE);
    expect(task).toMatchObject(RARE);
    task.trackingUrl = null;
    task.failures = [];
    expect(task.trackingUrl).toBeNull();
    expect(task.failures).toEqual([]);
    expect(task.statusMessage).toBe("half way");
  });

  test("a copy (cloneTask) and a record made from a plain one carry every field", () => {
    const task = fresh();
    Object.assign(task, RARE, { retry: 7, remove: 8, batchId: "b", expl: '"x"' });
    const copy = cloneTask(task);
    const keys = Object.keys(copy).sort();
    // Every field of the record type, own or behind an accessor, and nothing else.
    expect(keys).toEqual(Object.keys(cloneTask(new LiveTask(copy))).sort());
    expect(keys).toHaveLength(32);
    expect(copy).toMatchObject({ ...RARE, retry: 7, remove: 8, batchId: "b", expl: '"x"', family: "A" });
    expect(new LiveTask(copy)).toMatchObject({ ...RARE, retry: 7, remove: 8, batchId: "b" });
  });

  test("the engine's exported state and a restore from it keep them", () => {
    const s = new Sched();
    s.add("A", "W");
    expect(s.work("W")).toBe("A");
    s.engine.setTaskStatusMessage({ taskId: "A", statusMessage: "working" }, s.now);
    s.engine.setTaskProgressPercentage({ taskId: "A", progressPercentage: 30 }, s.now);
    s.fail("A", "W", { owners: ["o@x.y"] });
    const exported = s.engine.exportState().tasks.find((t) => t.id === "A")!;
    expect(exported).toMatchObject({ statusMessage: "working", progressPercentage: 30, owners: ["o@x.y"] });
    expect(exported.failures).toHaveLength(1);
    const restored = new Sched();
    restored.engine.loadState(s.engine.exportState());
    expect(restored.engine.getTask("A")).toBeInstanceOf(LiveTask);
    expect(cloneTask(restored.engine.getTask("A")!)).toEqual(exported);
  });
});
