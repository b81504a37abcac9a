/**
 * Every row of rpc.md §4 (task status transitions), one case each, plus the
 * §3.1 state machine details they rely on.
 */
import { describe, expect, test } from "bun:test";
import { Sched } from "./helpers.ts";

const config = { retryDelay: 100, removeDelay: 1000, workerDisconnectDelay: 10, disablePersist: 10, disableWindow: 10, retryCount: 3, disableHardTimeout: 3600, stableDoneCooldownSecs: 0 };
const direct = { currentTasks: null };

/** A task handed out to X by get_work. */
function running(s: Sched, id = "A", worker = "X"): Sched {
  s.add(id, worker);
  expect(s.work(worker, direct)).toBe(id);
  return s;
}

/** A task the scheduler disabled after three failures. */
function schedulerDisabled(s: Sched, id = "A"): Sched {
  for (let i = 0; i < 3; i++) s.fail(id, "X");
  expect(s.status(id)).toBe("DISABLED");
  expect(s.engine.getTask(id)?.schedulerDisableTime).not.toBeNull();
  return s;
}

type Row = [transition: string, run: (s: Sched) => void];

const rows: Row[] = [
  ["(none) → PENDING: first add_task creates the task", (s) => {
    s.add("A", "X", { status: "DONE" });
    expect(s.status("A")).toBe("DONE");
    s.add("B", "X");
    expect(s.status("B")).toBe("PENDING");
  }],
  ["(none) → UNKNOWN: a dependency placeholder, with the caller's priority", (s) => {
    s.add("B", "X", { deps: ["A"], priority: 7 });
    expect(s.engine.getTask("A")).toMatchObject({ status: "UNKNOWN", priority: 7 });
    expect([...s.engine.getTask("A")!.stakeholders]).toEqual(["X"]);
  }],
  ["PENDING → RUNNING: get_work hands the task out", (s) => {
    running(s);
    expect(s.engine.getTask("A")).toMatchObject({ status: "RUNNING", workerRunning: "X", resourcesRunning: {} });
  }],
  ["PENDING → RUNNING: add_task(RUNNING) claims it without resources_running", (s) => {
    s.add("A", "X", { resources: { r: 1 } }).add("A", "X", { status: "RUNNING", resources: { r: 1 } });
    expect(s.engine.getTask("A")).toMatchObject({ status: "RUNNING", workerRunning: "X", resourcesRunning: null });
  }],
  ["PENDING → DONE / FAILED / DISABLED / UNKNOWN / any string by add_task", (s) => {
    for (const status of ["DONE", "FAILED", "DISABLED", "UNKNOWN", "WHATEVER"]) {
      s.add(`T_${status}`, "X").add(`T_${status}`, "X", { status });
      expect(s.status(`T_${status}`)).toBe(status);
    }
  }],
  ["RUNNING → DONE / FAILED: only the runner's report applies", (s) => {
    running(s);
    s.add("A", "Y", { status: "DONE" });
    expect(s.status("A")).toBe("RUNNING");
    s.add("A", "X", { status: "FAILED" });
    expect(s.status("A")).toBe("FAILED");
  }],
  ["RUNNING → DONE: anyone's report with non-empty new_deps applies", (s) => {
    running(s);
    s.add("A", "Y", { status: "DONE", newDeps: ["Z"] });
    expect(s.status("A")).toBe("DONE");
  }],
  ["RUNNING → PENDING: only with dynamic dependencies", (s) => {
    running(s);
    s.add("A", "X", { status: "PENDING" });
    expect(s.status("A")).toBe("RUNNING");
    s.add("A", "X", { status: "SUSPENDED", newDeps: ["D"] });
    expect(s.status("A")).toBe("PENDING");
    expect([...s.engine.getTask("A")!.deps]).toEqual(["D"]);
  }],
  ["RUNNING → UNKNOWN: only with new_deps", (s) => {
    running(s);
    s.add("A", "X", { status: "UNKNOWN" });
    expect(s.status("A")).toBe("RUNNING");
    s.add("A", "X", { status: "UNKNOWN", newDeps: ["D"] });
    expect(s.status("A")).toBe("UNKNOWN");
  }],
  ["RUNNING → DISABLED: never", (s) => {
    running(s);
    s.add("A", "X", { status: "DISABLED", newDeps: ["D"] });
    expect(s.status("A")).toBe("RUNNING");
  }],
  ["RUNNING → FAILED: prune finds the runner gone", (s) => {
    running(s);
    s.advance(11).prune();
    expect(s.engine.getTask("A")).toMatchObject({ status: "FAILED", workerRunning: null, retry: s.now + 100 });
  }],
  ["RUNNING → DONE: mark_as_done", (s) => {
    running(s);
    expect(s.engine.markAsDone({ taskId: "A" }, s.now)).toEqual({ taskId: "A", status: "DONE" });
  }],
  ["FAILED → PENDING: prune after retry_delay", (s) => {
    s.fail("A", "X");
    s.advance(50).ping("X").prune();
    expect(s.status("A")).toBe("FAILED");
    s.advance(51).ping("X").prune();
    expect(s.status("A")).toBe("PENDING");
  }],
  ["FAILED → PENDING: any enabled worker's PENDING report, at once", (s) => {
    s.fail("A", "X").add("A", "Y");
    expect(s.status("A")).toBe("PENDING");
  }],
  ["FAILED → PENDING: forgive_failures keeps the failure history", (s) => {
    s.fail("A", "X");
    expect(s.engine.forgiveFailures({ taskId: "A" }, s.now)).toEqual({ taskId: "A", status: "PENDING" });
    expect(s.engine.getTask("A")?.failures.length).toBe(1);
  }],
  ["FAILED → DONE: add_task or mark_as_done", (s) => {
    s.fail("A", "X").fail("B", "X").add("A", "X", { status: "DONE" });
    s.engine.markAsDone({ taskId: "B" }, s.now);
    expect([s.status("A"), s.status("B")]).toEqual(["DONE", "DONE"]);
  }],
  ["FAILED → DISABLED: the third failure in the window, or add_task(DISABLED)", (s) => {
    schedulerDisabled(s);
    s.fail("B", "X").add("B", "X", { status: "DISABLED" });
    expect(s.engine.getTask("B")).toMatchObject({ status: "DISABLED", schedulerDisableTime: null });
  }],
  ["FAILED → RUNNING: add_task(RUNNING)", (s) => {
    s.fail("A", "X").add("A", "X", { status: "RUNNING" });
    expect(s.status("A")).toBe("RUNNING");
  }],
  ["DISABLED (scheduler) → FAILED: re_enable_task, with a clean history", (s) => {
    schedulerDisabled(s);
    const record = s.engine.reEnableTask({ taskId: "A" }, s.now);
    expect(record).toMatchObject({ status: "FAILED", failures: [], firstFailureTime: null, schedulerDisableTime: null, retry: s.now + 100 });
  }],
  ["DISABLED (scheduler) → FAILED: prune after disable_persist", (s) => {
    schedulerDisabled(s);
    s.advance(10).ping("X").prune();
    expect(s.status("A")).toBe("DISABLED");
    s.advance(1).ping("X").prune();
    expect(s.status("A")).toBe("FAILED");
  }],
  ["DISABLED (scheduler) → DONE: add_task(DONE) clears the failure history", (s) => {
    schedulerDisabled(s);
    s.add("A", "X", { status: "DONE" });
    expect(s.engine.getTask("A")).toMatchObject({ status: "DONE", failures: [], schedulerDisableTime: null });
  }],
  ["DISABLED (scheduler) → other: ignored; DISABLED makes it permanent", (s) => {
    schedulerDisabled(s);
    s.add("A", "X").fail("A", "X");
    expect(s.status("A")).toBe("DISABLED");
    s.add("A", "X", { status: "DISABLED" });
    expect(s.engine.getTask("A")?.schedulerDisableTime).toBeNull();
    s.advance(100).ping("X").prune();
    expect(s.status("A")).toBe("DISABLED");
  }],
  ["DISABLED (worker) → anything: any add_task", (s) => {
    s.add("A", "X", { status: "DISABLED" }).add("A", "X");
    expect(s.status("A")).toBe("PENDING");
  }],
  ["DONE → PENDING: unless within stable_done_cooldown_secs, when the whole call is ignored", (s) => {
    const cool = new Sched({ ...config, stableDoneCooldownSecs: 10 }, 0);
    cool.add("A", "X", { status: "DONE" }).advance(5).add("A", "Y", { priority: 9 });
    expect(cool.engine.getTask("A")).toMatchObject({ status: "DONE", priority: 0 });
    expect([...cool.engine.getTask("A")!.stakeholders]).toEqual(["X"]);
    cool.advance(5).add("A", "Y");
    expect(cool.status("A")).toBe("PENDING");
    s.add("A", "X", { status: "DONE" }).add("A", "X", { status: "SUSPENDED" });
    expect(s.status("A")).toBe("PENDING");
  }],
  ["DONE → others: add_task", (s) => {
    s.add("A", "X", { status: "DONE" }).fail("A", "X");
    expect(s.status("A")).toBe("FAILED");
  }],
  ["UNKNOWN → anything: add_task", (s) => {
    s.add("B", "X", { deps: ["A"] }).add("A", "X");
    expect(s.status("A")).toBe("PENDING");
  }],
  ["BATCH_RUNNING → PENDING: a batch whose runner never registered, on the next get_work", (s) => {
    s.batcher("X", "F", ["p"]);
    s.add("F1", "X", { family: "F", params: { p: "1" }, batchable: true }).add("F2", "X", { family: "F", params: { p: "2" }, batchable: true });
    s.getWork("X", direct);
    expect(s.status("F1")).toBe("BATCH_RUNNING");
    s.engine.pause(s.now);
    s.getWork("X", { currentTasks: [] });
    expect([s.status("F1"), s.status("F2")]).toEqual(["PENDING", "PENDING"]);
  }],
  ["BATCH_RUNNING → DISABLED: never", (s) => {
    s.batcher("X", "F", ["p"]);
    s.add("F1", "X", { family: "F", params: { p: "1" }, batchable: true }).add("F2", "X", { family: "F", params: { p: "2" }, batchable: true });
    s.getWork("X", direct);
    s.add("F1", "X", { status: "DISABLED", newDeps: ["Z"] });
    expect(s.status("F1")).toBe("BATCH_RUNNING");
  }],
  ["any → (deleted): prune once remove has passed", (s) => {
    s.add("A", "X").advance(11).prune();
    expect(s.engine.getTask("A")?.remove).toBe(s.now + 1000);
    s.advance(999).prune();
    expect(s.engine.getTask("A")).toBeDefined();
    s.advance(1).prune();
    expect(s.engine.getTask("A")).toBeUndefined();
  }],
];

describe("status transitions (rpc.md §4)", () => {
  for (const [name, run] of rows) test(name, () => run(new Sched(config)));
});

describe("setStatus details (rpc.md §3.1)", () => {
  test("re-applying the current status keeps last_updated and emits no status change", () => {
    const s = new Sched(config, 0);
    s.add("A", "X");
    const updated = s.engine.getTask("A")!.updated;
    s.engine.drainEvents();
    s.advance(5).add("A", "X");
    expect(s.engine.getTask("A")!.updated).toBe(updated);
    expect(s.engine.drainEvents().filter((e) => e.type === "status_changed")).toEqual([]);
  });

  test("last_updated is when the task entered its status, through failure and recovery", () => {
    const s = new Sched(config, 0);
    s.add("A", "X");
    s.advance(1);
    expect(s.work("X", direct)).toBe("A");
    expect(s.engine.getTask("A")!.updated).toBe(s.now);
    s.advance(1).fail("A", "X");
    const failedAt = s.now;
    s.advance(1).fail("A", "X");
    expect(s.engine.getTask("A")).toMatchObject({ updated: failedAt, retry: s.now + 100, failures: [failedAt, s.now] });
  });

  test("failures older than the window do not count", () => {
    const s = new Sched(config, 0);
    s.fail("A", "X").advance(6).fail("A", "X").advance(6).fail("A", "X");
    expect(s.status("A")).toBe("FAILED");
    s.advance(1).fail("A", "X");
    expect(s.status("A")).toBe("DISABLED");
  });

  test("disable_hard_timeout disables on any failure after it, counting from the first failure", () => {
    const s = new Sched({ ...config, retryCount: 1000, disableHardTimeout: 100 }, 0);
    s.fail("A", "X").advance(99).fail("A", "X");
    expect(s.status("A")).toBe("FAILED");
    s.add("A", "X", { status: "DONE" }).advance(1).fail("A", "X");
    expect(s.status("A")).toBe("DISABLED");
  });

  test("the retry policy judging a failure is the one left by the previous add_task", () => {
    const s = new Sched(config, 0);
    s.add("A", "X", { retryPolicyDict: { retryCount: 1 } });
    // a tracking-URL style report carries no policy: the config's (3) replaces it afterwards
    s.fail("A", "X");
    expect(s.status("A")).toBe("DISABLED");
    s.engine.reEnableTask({ taskId: "A" }, s.now);
    s.fail("A", "X");
    expect(s.status("A")).toBe("FAILED");
  });

  test("a RUNNING batch runner passes its new status to its members and clears their batch ids", () => {
    const s = new Sched(config);
    s.batcher("X", "F", ["p"]);
    s.add("F1", "X", { family: "F", params: { p: "1" }, batchable: true }).add("F2", "X", { family: "F", params: { p: "2" }, batchable: true });
    const reply = s.getWork("X", direct);
    const batchId = reply.handout?.kind === "batch" ? reply.handout.batchId : null;
    s.add("R", "X", { status: "RUNNING", batchId });
    s.add("R", "X", { status: "DONE" });
    for (const id of ["F1", "F2", "R"]) expect(s.engine.getTask(id)).toMatchObject({ status: "DONE", batchId: null });
  });
});
