/**
 * The engine methods of rpc.md §5 other than the status machine: backlog
 * counts, workers, messages, task annotations, pause and resources.
 */
import { describe, expect, test } from "bun:test";
import type { PendingCounts } from "../../src/engine/args.ts";
import { Sched } from "./helpers.ts";

const W = "myworker";
const direct = { currentTasks: null };
const config = { retryDelay: 100, removeDelay: 1000, workerDisconnectDelay: 10, disablePersist: 10, disableWindow: 10, retryCount: 3, disableHardTimeout: 3600, stableDoneCooldownSecs: 0 };
const counts = (s: Sched, worker = W): Omit<PendingCounts, "runningTasks"> & { running: string[] } => {
  const { runningTasks, ...rest } = s.engine.countPending({ worker }, s.now);
  return { ...rest, running: runningTasks.map((r) => r.taskId) };
};
const zero = { nPendingTasks: 0, nUniquePending: 0, nPendingLastScheduled: 0, workerState: "active", running: [] };

describe("count_pending (rpc.md §5.3)", () => {
  const cases: Array<[string, (s: Sched) => void, object, string?]> = [
    ["counts every PENDING task of the worker", (s) => { for (let i = 0; i < 19; i++) s.add(String(i), W); }, { ...zero, nPendingTasks: 19, nUniquePending: 19, nPendingLastScheduled: 19 }],
    ["counts FAILED tasks too", (s) => { for (let i = 0; i < 5; i++) s.add(String(i), W).fail(String(i), W); }, { ...zero, nPendingTasks: 5, nUniquePending: 5, nPendingLastScheduled: 5 }],
    ["ignores DONE and DISABLED tasks", (s) => { s.add("1", W).add("2", W).add("1", W, { status: "DONE" }).add("2", W, { status: "DISABLED" }); }, zero],
    ["ignores tasks blocked by a disabled upstream", (s) => { s.add("A", W).add("B", W, { status: "DISABLED" }).add("C", W, { deps: ["A", "B"] }); }, { ...zero, nPendingTasks: 1, nUniquePending: 1, nPendingLastScheduled: 1 }],
    ["ignores tasks blocked transitively through PENDING tasks", (s) => { s.add("B", W, { status: "DISABLED" }).add("C", W, { deps: ["B"] }).add("D", W, { deps: ["C"] }).add("E", W); }, { ...zero, nPendingTasks: 1, nUniquePending: 1, nPendingLastScheduled: 1 }],
    ["counts tasks whose upstream failed", (s) => { s.add("A", W).fail("A", W).add("B", W, { deps: ["A"] }); }, { ...zero, nPendingTasks: 2, nUniquePending: 2, nPendingLastScheduled: 2 }],
    ["knows nothing of a worker without tasks", (s) => { s.add("A", W); }, zero, "other"],
    ["unique: only this worker may run it", (s) => { s.add("A", W).add("B", W).add("C", W).add("A", "other"); }, { ...zero, nPendingTasks: 3, nUniquePending: 2, nPendingLastScheduled: 2 }],
    ["last scheduled: this worker registered last", (s) => { for (const id of "ABC") s.add(id, W); for (const id of "ABC") s.add(id, "other"); }, { ...zero, nPendingTasks: 3 }],
    ["last scheduled, seen from the other worker", (s) => { for (const id of "ABC") s.add(id, W); for (const id of "ABC") s.add(id, "other"); }, { ...zero, nPendingTasks: 3, nPendingLastScheduled: 3 }, "other"],
    ["a disabled worker counts nothing", (s) => { s.add("A", W); s.engine.disableWorker({ worker: W }, s.now); }, { ...zero, workerState: "disabled" }],
    ["lists running tasks the worker is interested in, whoever runs them", (s) => { s.add("A", W).add("A", "other"); expect(s.work("other", direct)).toBe("A"); }, { ...zero, running: ["A"] }],
    ["a disabled upstream that gets re-enabled unblocks the count", (s) => {
      s.add("B", W, { status: "DISABLED" }).add("C", W, { deps: ["B"] });
      expect(counts(s).nPendingTasks).toBe(0);
      s.add("B", W);
    }, { ...zero, nPendingTasks: 2, nUniquePending: 2, nPendingLastScheduled: 2 }],
  ];
  for (const [name, run, expected, who] of cases) {
    test(name, () => {
      const s = new Sched(config);
      run(s);
      expect(counts(s, who ?? W)).toEqual(expected as ReturnType<typeof counts>);
    });
  }

  test("running entries carry the runner's info", () => {
    const s = new Sched(config);
    s.add("A", W).addWorker(W, { host: "vm", workers: 2 });
    s.work(W, direct);
    expect(s.engine.countPending({ worker: W }, s.now).runningTasks).toEqual([{ taskId: "A", worker: W, info: { host: "vm", workers: 2 } }]);
  });

  test("count_pending creates the worker but does not refresh last_active", () => {
    const s = new Sched(config, 0);
    s.engine.countPending({ worker: "new" }, s.now);
    const started = s.engine.getWorker("new")!.lastActive;
    s.advance(5).engine.countPending({ worker: "new" }, s.now);
    expect(s.engine.getWorker("new")!.lastActive).toBe(started);
  });

  test("get_work's counts are taken before the task is handed out", () => {
    const s = new Sched(config);
    s.add("A", W).add("B", W);
    expect(s.getWork(W, direct)).toMatchObject({ nPendingTasks: 2, nUniquePending: 2, nPendingLastScheduled: 2 });
    expect(s.getWork(W, direct)).toMatchObject({ nPendingTasks: 1, runningTasks: [{ taskId: "A" }] });
  });
});

describe("workers (rpc.md §5.4–5.7)", () => {
  test("ping records activity and drains the message queue in order", () => {
    const s = new Sched(config, 0);
    s.engine.setWorkerProcesses({ worker: W, n: 3 }, s.now);
    const id = s.engine.sendSchedulerMessage({ worker: W, task: "T", content: "hello" }, s.now);
    s.advance(3);
    expect(s.engine.ping({ worker: W }, s.now).rpcMessages).toEqual([
      { name: "set_worker_processes", kwargs: { n: 3 } },
      { name: "dispatch_scheduler_message", kwargs: { task_id: "T", message_id: id, content: "hello" } },
    ]);
    expect(s.engine.getWorker(W)!.lastActive).toBe(s.now);
    expect(s.engine.ping({ worker: W }, s.now).rpcMessages).toEqual([]);
  });

  test("send_scheduler_message answers null when messages are off", () => {
    const s = new Sched({ ...config, sendMessages: false });
    expect(s.engine.sendSchedulerMessage({ worker: W, task: "T", content: "x" }, s.now)).toBeNull();
    expect(s.engine.getWorker(W)).toBeUndefined();
  });

  test("message responses are stored per task and consumed by the first read", () => {
    const s = new Sched(config);
    s.add("T", W);
    s.engine.addSchedulerMessageResponse({ taskId: "T", messageId: "m", response: "ok" }, s.now);
    s.engine.addSchedulerMessageResponse({ taskId: "nope", messageId: "m", response: "ok" }, s.now);
    expect(s.engine.getSchedulerMessageResponse({ taskId: "T", messageId: "m" }, s.now)).toBe("ok");
    expect(s.engine.getSchedulerMessageResponse({ taskId: "T", messageId: "m" }, s.now)).toBeNull();
    expect(s.engine.getSchedulerMessageResponse({ taskId: "nope", messageId: "m" }, s.now)).toBeNull();
  });

  test("add_worker merges info without touching last_active", () => {
    const s = new Sched(config, 0);
    s.ping(W).advance(5);
    s.addWorker(W, { workers: 1, host: "h" }).addWorker(W, { workers: 3 });
    expect(s.engine.getWorker(W)).toMatchObject({ info: { workers: 3, host: "h" }, lastActive: s.now - 5 });
  });

  test("a disabled worker gets no work, cannot add tasks, but can finish its running task", () => {
    const s = new Sched(config);
    s.add("A", W).add("B", W);
    expect(s.work(W, direct)).toBe("A");
    s.engine.disableWorker({ worker: W }, s.now);
    expect(s.getWork(W, direct)).toEqual({ nPendingTasks: 0, nUniquePending: 0, nPendingLastScheduled: 0, workerState: "disabled", runningTasks: [], handout: null });
    s.add("C", W);
    expect(s.engine.getTask("C")).toBeUndefined();
    s.add("B", W, { status: "DONE" });
    expect(s.status("B")).toBe("PENDING");
    expect(s.engine.getTask("B")?.workers.size).toBe(0);
    expect(s.engine.getTask("B")?.stakeholders.has(W)).toBe(true);
    s.done("A", W);
    expect(s.status("A")).toBe("DONE");
  });

  test("a disabled worker can fail its running task", () => {
    const s = new Sched(config);
    s.add("A", W);
    s.work(W, direct);
    s.engine.disableWorker({ worker: W }, s.now);
    s.fail("A", W);
    expect(s.status("A")).toBe("FAILED");
  });

  test("a disabled assistant gets no task", () => {
    const s = new Sched(config);
    s.add("A", "X");
    s.engine.disableWorker({ worker: "Y" }, s.now);
    expect(s.work("Y", { currentTasks: null, assistant: true })).toBeNull();
  });

  test("a forgotten worker's running task fails and its orphaned tasks are removed later", () => {
    const s = new Sched(config, 0);
    s.add("A", W).add("B", W);
    s.work(W, direct);
    s.advance(11).prune();
    expect(s.engine.getWorker(W)).toBeUndefined();
    expect(s.engine.getTask("A")).toMatchObject({ status: "FAILED", remove: s.now + 1000 });
    expect([s.engine.getTask("A")!.stakeholders.size, s.engine.getTask("A")!.workers.size]).toEqual([0, 0]);
    expect(s.engine.getTask("B")?.remove).toBe(s.now + 1000);
    s.advance(1000).prune();
    expect(s.engine.taskCount()).toBe(0);
  });

  test("a live runner that is not a stakeholder of its task still has the task failed (quirk 14)", () => {
    const s = new Sched(config, 0);
    s.add("A", "X", { assistant: true });
    s.add("A", "Y");
    // X's assistant-flagged add made it a runnable worker but not a stakeholder
    expect(s.work("X", direct)).toBe("A");
    expect([...s.engine.getTask("A")!.stakeholders]).toEqual(["Y"]);
    s.prune();
    expect(s.status("A")).toBe("FAILED");
  });
});

describe("assistants", () => {
  test("an assistant runs any runnable task", () => {
    const s = new Sched(config);
    s.add("A", "X").addWorker("Y", {});
    expect(s.work("Y", { currentTasks: null, assistant: true })).toBe("A");
    expect(s.engine.getTask("A")?.workerRunning).toBe("Y");
    expect(s.engine.getWorker("Y")?.info.assistant).toBe(true);
  });

  test("an assistant does not run external tasks", () => {
    const s = new Sched(config);
    s.add("A", "X", { runnable: false });
    expect(s.work("Y", { currentTasks: null, assistant: true })).toBeNull();
  });

  test("an assistant still runs a task whose scheduling worker is gone", () => {
    const s = new Sched(config, 0);
    s.add("A", "X").advance(600).prune();
    expect(s.work("Y", { currentTasks: null, assistant: true })).toBe("A");
  });

  test("an assistant's running task fails when the assistant dies", () => {
    const s = new Sched(config, 0);
    s.add("A", "X").addWorker("Y", {});
    expect(s.work("Y", { currentTasks: null, assistant: true })).toBe("A");
    s.advance(50).ping("X").prune();
    expect(s.status("A")).toBe("FAILED");
  });

  test("a live assistant keeps its running task alive after the scheduling worker is gone", () => {
    const s = new Sched(config, 0);
    s.add("A", W);
    expect(s.work(W, direct)).toBe("A");
    s.add("B", W).addWorker("assistant", { assistant: true }).ping("assistant");
    expect(s.work("assistant", { currentTasks: null, assistant: true })).toBe("B");
    s.advance(100000).ping("assistant").prune().advance(100000).ping("assistant").prune();
    expect([...s.engine.tasks()].map((t) => [t.id, t.status])).toEqual([["B", "RUNNING"]]);
  });

  test("an assistant's DONE report does not keep the task alive", () => {
    const s = new Sched(config, 0);
    s.add("A", "X");
    s.getWork("Y", { currentTasks: null, assistant: true });
    s.add("A", "Y", { status: "DONE", assistant: true });
    s.advance(600).ping("Y").prune().advance(1400).prune();
    expect(s.engine.taskCount()).toBe(0);
  });

  test("a task an assistant failed goes back to PENDING after the retry delay", () => {
    const s = new Sched(config, 0);
    s.addWorker("X", { assistant: true });
    s.add("A", "X", { status: "FAILED", assistant: true });
    expect(s.status("A")).toBe("FAILED");
    s.advance(101).ping("X").prune();
    expect(s.status("A")).toBe("PENDING");
  });
});

describe("task annotations (rpc.md §5.10–5.14)", () => {
  test("status message and progress: set, read, unknown task", () => {
    const s = new Sched(config);
    s.add("A", W);
    s.engine.setTaskStatusMessage({ taskId: "A", statusMessage: "half way" }, s.now);
    s.engine.setTaskProgressPercentage({ taskId: "A", progressPercentage: 50 }, s.now);
    s.engine.setTaskStatusMessage({ taskId: "zz", statusMessage: "x" }, s.now);
    expect(s.engine.getTaskStatusMessage({ taskId: "A" }, s.now)).toBe("half way");
    expect(s.engine.getTaskProgressPercentage({ taskId: "A" }, s.now)).toBe(50);
    expect(s.engine.getTaskStatusMessage({ taskId: "zz" }, s.now)).toBe("");
    expect(s.engine.getTaskProgressPercentage({ taskId: "zz" }, s.now)).toBeNull();
  });

  test("decreasing running resources frees capacity at once", () => {
    const s = new Sched(config);
    s.resources({ db: 2 }).add("A", W, { resources: { db: 2 } }).add("B", "other", { resources: { db: 1 } });
    expect(s.work(W, direct)).toBe("A");
    expect(s.work("other", direct)).toBeNull();
    s.engine.decreaseRunningTaskResources({ taskId: "A", decreaseResources: { db: 1, nope: 5, other: -1 } }, s.now);
    expect(s.engine.getRunningTaskResources({ taskId: "A" }, s.now)).toEqual({ db: 1 });
    expect(s.work("other", direct)).toBe("B");
    s.engine.decreaseRunningTaskResources({ taskId: "A", decreaseResources: { db: 5 } }, s.now);
    expect(s.engine.getRunningTaskResources({ taskId: "A" }, s.now)).toEqual({ db: 0 });
  });

  test("decreasing resources of a task claimed without resources_running is a no-op", () => {
    const s = new Sched(config);
    s.add("A", W, { status: "RUNNING" });
    s.engine.decreaseRunningTaskResources({ taskId: "A", decreaseResources: { db: 1 } }, s.now);
    expect(s.engine.getRunningTaskResources({ taskId: "A" }, s.now)).toBeNull();
  });

  test("tracking URL: kept while running, dropped when re-scheduled while not running", () => {
    const s = new Sched(config);
    s.add("A", "X", { status: "RUNNING", trackingUrl: "trackme" });
    s.add("A", "X", { status: "RUNNING" });
    expect(s.engine.getTask("A")?.trackingUrl).toBe("trackme");
    s.add("A", "X", { status: "DONE" });
    expect(s.engine.getTask("A")?.trackingUrl).toBe("trackme");
    s.add("A", "X");
    expect(s.engine.getTask("A")?.trackingUrl).toBeNull();
  });

  test("every report without the flag resets accepts_messages; resources null becomes {}", () => {
    const s = new Sched(config);
    s.add("A", W, { acceptsMessages: true, resources: { r: 1 } });
    expect(s.engine.getTask("A")).toMatchObject({ acceptsMessages: true, resources: { r: 1 } });
    s.add("A", W, { status: "RUNNING", trackingUrl: "u" });
    expect(s.engine.getTask("A")).toMatchObject({ acceptsMessages: false, resources: {} });
    s.add("A", W, { acceptsMessages: null });
    expect(s.engine.getTask("A")?.acceptsMessages).toBe(false);
  });

  test("the first non-empty params win; deps are replaced; priorities never decrease", () => {
    const s = new Sched(config);
    s.add("B", "X", { deps: ["A"], params: { p: "1" }, priority: 5 });
    s.add("B", "Y", { deps: ["C"], params: { p: "2" }, priority: 1 });
    expect(s.engine.getTask("B")).toMatchObject({ params: { p: "1" }, priority: 5 });
    expect([...s.engine.getTask("B")!.deps]).toEqual(["C"]);
    expect(s.engine.getTask("C")?.priority).toBe(5);
  });

  test("a FAILED report never adds the worker to workers", () => {
    const s = new Sched(config);
    s.fail("A", W, { runnable: true });
    expect(s.engine.getTask("A")?.workers.size).toBe(0);
    expect(s.engine.getTask("A")?.runnable).toBe(false);
  });
});

describe("pause and resources (rpc.md §5.26, §5.27)", () => {
  test("paused: no new work, but a lost running task is still re-sent", () => {
    const s = new Sched(config);
    s.add("A", W).add("B", W);
    expect(s.work(W, direct)).toBe("A");
    s.engine.pause(s.now);
    expect(s.engine.isPaused()).toBe(true);
    expect(s.work(W, direct)).toBeNull();
    expect(s.work(W, { currentTasks: [] })).toBe("A");
    s.engine.unpause(s.now);
    expect(s.work(W, { currentTasks: ["A"] })).toBe("B");
  });

  test("pause does nothing when pause is not enabled", () => {
    const s = new Sched({ ...config, pauseEnabled: false });
    s.engine.pause(s.now);
    expect(s.engine.isPaused()).toBe(false);
    expect(s.engine.isPauseEnabled()).toBe(false);
  });

  test("update_resource accepts integers ≥ 0 only", () => {
    const s = new Sched(config);
    const set = (amount: unknown) => s.engine.updateResource({ resource: "r", amount }, s.now);
    expect([set(1), set(2), set(0), set(true)]).toEqual([true, true, true, true]);
    expect([set(-1), set(1.3), set("1"), set(null)]).toEqual([false, false, false, false]);
    expect(s.engine.resourceCapacities()).toEqual({ r: 1 });
  });

  test("update_resources merges capacities", () => {
    const s = new Sched({ ...config, resources: { a: 1 } });
    s.resources({ b: 2 }).resources({ a: 3 });
    expect(s.engine.resourceCapacities()).toEqual({ a: 3, b: 2 });
  });
});

describe("edges of the indexes", () => {
  test("a DONE dependency that is pruned away blocks its dependents again", () => {
    const s = new Sched(config, 0);
    s.add("A", "X", { status: "DONE" });
    // Y cares about B; its assistant-flagged re-add gives B the dep without making Y a stakeholder of A
    s.add("B", "Y", { deps: [] }).add("B", "Y", { assistant: true, deps: ["A"] });
    expect(s.engine.schedulableCount()).toBe(1);
    s.advance(11).ping("Y").prune().advance(1000).ping("Y").prune();
    expect(s.engine.getTask("A")).toBeUndefined();
    expect(s.status("B")).toBe("PENDING");
    expect(s.engine.schedulableCount()).toBe(0);
    expect(s.work("Y", { currentTasks: null, assistant: true })).toBeNull();
  });

  test("of several lost running tasks, the highest-ranked is re-sent first", () => {
    const s = new Sched(config);
    s.addWorker(W, { workers: 3 });
    s.add("A", W, { priority: 1 }).add("B", W, { priority: 5 }).add("C", W, { priority: 5 });
    expect([s.work(W, direct), s.work(W, direct), s.work(W, direct)]).toEqual(["B", "C", "A"]);
    expect(s.work(W, { currentTasks: ["A"] })).toBe("B");
    expect(s.work(W, { currentTasks: ["A", "B"] })).toBe("C");
    expect(s.work(W, { currentTasks: ["A", "B", "C"] })).toBeNull();
  });

  test("a plain-text explanation (task class not loadable) reaches batch e-mail listeners as is", () => {
    const s = new Sched({ ...config, batchEmails: true });
    s.add("A", W).fail("A", W, { expl: "No module named 'x'", runnable: false });
    const failure = s.engine.drainEvents().find((e) => e.type === "failure_reported");
    expect(failure).toMatchObject({ expl: "No module named 'x'" });
  });

  test("prune_on_get_work applies due retries before choosing", () => {
    const s = new Sched({ ...config, pruneOnGetWork: true }, 0);
    s.add("A", W);
    expect(s.work(W, direct)).toBe("A");
    s.fail("A", W);
    for (let i = 0; i < 11; i++) s.advance(10).ping(W);
    expect(s.work(W, direct)).toBe("A");
  });

  test("a negative retry_delay never retries automatically", () => {
    const s = new Sched({ ...config, retryDelay: -1 }, 0);
    s.fail("A", W).advance(100000).ping(W).prune();
    expect(s.status("A")).toBe("FAILED");
  });

  test("statusCounts, tasksOfWorker and taskBatchers read the live state", () => {
    const s = new Sched(config);
    s.add("A", W).add("B", W, { status: "DONE" }).add("C", "other").batcher(W, "F", ["p"], 3);
    expect(s.engine.statusCounts()).toEqual({ PENDING: 2, DONE: 1 });
    expect([...s.engine.tasksOfWorker(W)].map((t) => t.id).sort()).toEqual(["A", "B"]);
    expect([...s.engine.tasksOfWorker("nobody")]).toEqual([]);
    expect([...s.engine.taskBatchers()]).toEqual([{ worker: W, family: "F", entry: { batchedArgs: ["p"], maxBatchSize: 3 } }]);
    expect(s.engine.hasTaskHistory()).toBe(false);
  });
});
