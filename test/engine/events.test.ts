/**
 * What the engine reports (src/engine/events.ts) at the hook points of
 * rpc.md §10 and server.md §4.5 / §6.2, and the ChangeSet / version it keeps
 * for the store and the UI.
 */
import { describe, expect, test } from "bun:test";
import type { EngineEvent } from "../../src/engine/events.ts";
import { Sched } from "./helpers.ts";

const config = { retryDelay: 100, removeDelay: 1000, workerDisconnectDelay: 10, disablePersist: 10, disableWindow: 10, retryCount: 3, disableHardTimeout: 3600, stableDoneCooldownSecs: 10 };
const direct = { currentTasks: null };

/** A compact view of events: "history:PENDING:A", "status:A:PENDING>RUNNING", ... */
function summary(events: EngineEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case "history": return `history:${e.status}:${e.task.id}${e.host ? `@${e.host}` : ""}`;
      case "status_changed": return `status:${e.task.id}:${e.from}>${e.to}`;
      case "task_started": return `started:${e.task.id}`;
      case "failure_reported": return `failure:${e.task.id}:${e.disabled ? "disabled" : "failed"}`;
      case "auto_disabled": return `auto_disabled:${e.task.id}:${e.retryCount}`;
      case "scheduling_failure": return `scheduling_failure:${e.taskName}`;
      case "task_statistics": return `statistics:${e.task.id}`;
    }
  });
}
const drain = (s: Sched) => summary(s.engine.drainEvents());

describe("events", () => {
  const cases: Array<[string, (s: Sched) => void, string[]]> = [
    ["a new PENDING task records a scheduled event; a placeholder records nothing", (s) => s.add("B", "X", { deps: ["A"] }), ["history:PENDING:B"]],
    ["re-adding a PENDING task records PENDING again, without a status change", (s) => { s.add("A", "X"); drain(s); s.add("A", "Y"); }, ["history:PENDING:A"]],
    ["get_work: started, the status change, then a RUNNING event with the host", (s) => { s.add("A", "X"); drain(s); s.getWork("X", { ...direct, host: "vm" }); }, ["started:A", "status:A:PENDING>RUNNING", "history:RUNNING:A@vm"]],
    ["a re-send fires started and RUNNING again but no status change", (s) => { s.add("A", "X"); s.getWork("X", direct); drain(s); s.getWork("X", { currentTasks: [], host: "vm" }); }, ["started:A", "history:RUNNING:A@vm"]],
    ["DONE from the runner", (s) => { s.add("A", "X"); s.getWork("X", direct); drain(s); s.done("A", "X"); }, ["history:DONE:A", "status:A:RUNNING>DONE"]],
    ["a report from another worker on a running task records nothing", (s) => { s.add("A", "X"); s.getWork("X", direct); drain(s); s.done("A", "Y"); }, []],
    ["PENDING within the done cooldown records nothing", (s) => { s.add("A", "X", { status: "DONE" }); drain(s); s.add("A", "Y"); }, []],
    ["an auto-disable is recorded as FAILED; DISABLED itself is never recorded", (s) => { s.fail("A", "X").add("A", "X").fail("A", "X").add("A", "X"); drain(s); s.fail("A", "X"); }, ["history:FAILED:A", "status:A:PENDING>DISABLED", "auto_disabled:A:3"]],
    ["a repeated FAILED report changes nothing recordable but still counts a failure", (s) => { s.fail("A", "X"); drain(s); s.fail("A", "X"); expect(s.engine.getTask("A")?.failures.length).toBe(2); }, []],
    ["a worker's DISABLED, SUSPENDED or UNKNOWN report changes status without a history event", (s) => { s.add("A", "X"); drain(s); s.add("A", "X", { status: "DISABLED" }).add("A", "X", { status: "SUSPENDED" }).add("A", "X", { status: "UNKNOWN" }); }, ["status:A:PENDING>DISABLED", "status:A:DISABLED>PENDING", "status:A:PENDING>UNKNOWN"]],
    ["a PENDING report on a scheduler-disabled task is recorded although ignored", (s) => { for (let i = 0; i < 3; i++) s.fail("A", "X"); drain(s); s.add("A", "X"); }, ["history:PENDING:A"]],
    ["a batch hand-out changes statuses only", (s) => {
      s.batcher("X", "F", ["p"]).add("F1", "X", { family: "F", params: { p: "1" }, batchable: true }).add("F2", "X", { family: "F", params: { p: "2" }, batchable: true });
      drain(s);
      s.getWork("X", direct);
    }, ["status:F1:PENDING>BATCH_RUNNING", "status:F2:PENDING>BATCH_RUNNING"]],
    ["prune transitions change statuses only", (s) => { s.add("A", "X"); s.getWork("X", direct); drain(s); s.advance(11).prune(); }, ["status:A:RUNNING>FAILED"]],
    ["re_enable_task changes status only", (s) => { for (let i = 0; i < 3; i++) s.fail("A", "X"); drain(s); s.engine.reEnableTask({ taskId: "A" }, s.now); }, ["status:A:DISABLED>FAILED"]],
    ["forgive_failures records PENDING", (s) => { s.fail("A", "X"); drain(s); s.engine.forgiveFailures({ taskId: "A" }, s.now); }, ["history:PENDING:A", "status:A:FAILED>PENDING"]],
    ["mark_as_done records DONE; on PENDING it does nothing", (s) => { s.fail("A", "X").add("B", "X"); drain(s); s.engine.markAsDone({ taskId: "A" }, s.now); s.engine.markAsDone({ taskId: "B" }, s.now); }, ["history:DONE:A", "status:A:FAILED>DONE"]],
    ["failure reports reach listeners only with batch e-mails on", (s) => { s.add("A", "X"); drain(s); s.fail("A", "X"); }, ["history:FAILED:A", "status:A:PENDING>FAILED"]],
    ["report_task_statistics for a known task; update_metrics_task_started for a known id", (s) => {
      s.add("A", "X");
      drain(s);
      s.engine.reportTaskStatistics({ taskId: "A", statistics: { rows: 1 } }, s.now);
      s.engine.reportTaskStatistics({ taskId: "nope", statistics: null }, s.now);
      s.engine.updateMetricsTaskStarted({ task: "A" }, s.now);
      s.engine.updateMetricsTaskStarted({ task: { junk: 1 } }, s.now);
    }, ["statistics:A", "started:A"]],
  ];
  for (const [name, run, expected] of cases) {
    test(name, () => {
      const s = new Sched(config);
      run(s);
      expect(drain(s)).toEqual(expected);
    });
  }

  test("with batch e-mails on, FAILED reports and scheduling failures carry unbatched params", () => {
    const s = new Sched({ ...config, batchEmails: true });
    s.batcher("X", "F", ["d"]).add("F_1", "X", { family: "F", params: { d: "1", k: "k" } });
    s.engine.drainEvents();
    s.fail("F_1", "X", { family: "F", expl: '"Runtime error:\\nboom"', owners: ["o@x"] });
    s.engine.announceSchedulingFailure({ worker: "X", taskName: "F(d=2)", family: "F", params: { d: "2", k: "k" }, expl: "tb", owners: [] }, s.now);
    const events = s.engine.drainEvents();
    expect(events.find((e) => e.type === "failure_reported")).toMatchObject({ worker: "X", expl: "Runtime error:\nboom", owners: ["o@x"], unbatchedParams: { k: "k" }, disabled: false });
    expect(events.find((e) => e.type === "scheduling_failure")).toMatchObject({ taskName: "F(d=2)", unbatchedParams: { k: "k" }, expl: "tb" });
  });

  test("event facts are copies taken when the event happened", () => {
    const s = new Sched(config);
    s.add("A", "X", { params: { p: "1" } });
    const [event] = s.engine.drainEvents();
    s.getWork("X", direct);
    expect(event).toMatchObject({ type: "history", task: { id: "A", status: "PENDING", params: { p: "1" } } });
  });

  test("event facts keep a batch member's resources as they were, though the decrease edits the member's own map (quirk 34)", () => {
    const s = new Sched(config);
    s.resources({ x: 3 });
    s.batcher("X", "F", ["p"]);
    for (const p of ["1", "2"]) s.add(`F${p}`, "X", { family: "F", params: { p }, batchable: true, resources: { x: 3 } });
    s.engine.drainEvents();
    const reply = s.getWork("X", direct);
    const batchId = reply.handout?.kind === "batch" ? reply.handout.batchId : "";
    const handedOut = s.engine.drainEvents();
    s.add("F_1_2", "X", { family: "F", params: { p: "1,2" }, batchId, status: "RUNNING", resources: { x: 3 } });
    s.engine.decreaseRunningTaskResources({ taskId: "F_1_2", decreaseResources: { x: 1 } }, s.now);
    expect(s.engine.getTask("F1")?.resources).toEqual({ x: 2 });
    const member = handedOut.find((e) => e.type === "status_changed" && e.task.id === "F1");
    expect(member).toMatchObject({ to: "BATCH_RUNNING", task: { resources: { x: 3 }, params: { p: "1" } } });
  });
});

describe("changes and version", () => {
  test("a call marks the tasks and workers it changed; draining resets", () => {
    const s = new Sched(config);
    s.add("B", "X", { deps: ["A"] });
    expect(s.engine.drainChanges()).toEqual({ tasks: new Set(["B", "A"]), deletedTaskSeqs: [], workers: new Set(["X"]), meta: false });
    expect(s.engine.drainChanges()).toEqual({ tasks: new Set(), deletedTaskSeqs: [], workers: new Set(), meta: false });
  });

  test("scheduler-wide changes set meta", () => {
    for (const act of [
      (s: Sched) => s.engine.pause(s.now),
      (s: Sched) => s.resources({ r: 1 }),
      (s: Sched) => s.engine.updateResource({ resource: "r", amount: 2 }, s.now),
      (s: Sched) => s.batcher("X", "F", ["p"]),
    ]) {
      const s = new Sched(config);
      act(s);
      expect(s.engine.drainChanges().meta).toBe(true);
    }
  });

  test("prune reports forgotten workers and deleted tasks", () => {
    const s = new Sched(config, 0);
    s.add("A", "X").advance(11).prune();
    s.engine.drainChanges();
    s.advance(1000).prune();
    expect(s.engine.getTask("A")).toBeUndefined();
    expect(s.engine.drainChanges().tasks).toEqual(new Set(["A"]));
    s.add("B", "Y").advance(11).prune();
    expect(s.engine.drainChanges().workers.has("Y")).toBe(true);
    expect(s.engine.getWorker("Y")).toBeUndefined();
  });

  test("version moves on every mutation and never on reads", () => {
    const s = new Sched(config);
    s.add("A", "X");
    let v = s.engine.version;
    s.engine.getTaskStatusMessage({ taskId: "A" }, s.now);
    s.engine.countPending({ worker: "X" }, s.now);
    s.engine.getRunningTaskResources({ taskId: "A" }, s.now);
    s.engine.resourcesInUse();
    expect(s.engine.version).toBe(v);
    for (const act of [() => s.ping("X"), () => s.getWork("X", direct), () => s.engine.setTaskStatusMessage({ taskId: "A", statusMessage: "m" }, s.now)]) {
      act();
      expect(s.engine.version).toBeGreaterThan(v);
      v = s.engine.version;
    }
  });
});

describe("state export and restore", () => {
  test("each task has an insertion number: increasing, reported when the task is deleted, never given again", () => {
    const s = new Sched(config);
    s.add("A", "X").add("B", "X");
    const a = s.engine.taskSeq("A")!;
    const b = s.engine.taskSeq("B")!;
    expect(b).toBeGreaterThan(a);
    s.engine.drainChanges();
    s.advance(11).prune().advance(1001).prune();
    expect(s.engine.getTask("A")).toBeUndefined();
    expect(s.engine.drainChanges().deletedTaskSeqs.sort((x, y) => x - y)).toEqual([a, b]);
    s.add("A", "Y");
    expect(s.engine.taskSeq("A")).toBeGreaterThan(b);
  });

  test("a restore keeps the insertion numbers it is given and numbers new tasks above them", () => {
    const s = new Sched(config);
    s.add("A", "X").add("B", "X");
    const copy = new Sched(config);
    copy.engine.loadState({ ...s.engine.exportState(), taskSeqs: [7, 40] });
    copy.add("C", "X");
    expect(["A", "B", "C"].map((id) => copy.engine.taskSeq(id))).toEqual([7, 40, 41]);
    expect(copy.engine.exportState().taskSeqs).toEqual([7, 40, 41]);
  });

  test("a restored state that holds one task twice is refused", () => {
    const s = new Sched(config);
    s.add("A", "X");
    const state = s.engine.exportState();
    const twice = { ...state, tasks: [state.tasks[0]!, s.engine.exportState().tasks[0]!], taskSeqs: [1, 2] };
    expect(() => new Sched(config).engine.loadState(twice)).toThrow('the restored state holds task "A" twice');
  });

  test("a restored engine continues exactly: same picks, counts, timers", () => {
    const s = new Sched(config, 0);
    s.resources({ r: 1 }).batcher("X", "F", ["p"], 2);
    s.add("A", "X", { resources: { r: 1 }, priority: 3 }).add("B", "X", { deps: ["A"] }).add("C", "Y", { resources: { r: 1 } });
    s.add("F1", "X", { family: "F", params: { p: "1" }, batchable: true }).add("F2", "X", { family: "F", params: { p: "2" }, batchable: true });
    expect(s.work("X", direct)).toBe("A");
    s.fail("Z", "Y");
    const copy = new Sched(config, 0);
    copy.now = s.now;
    copy.engine.loadState(s.engine.exportState());
    expect(copy.engine.drainChanges()).toEqual({ tasks: new Set(), deletedTaskSeqs: [], workers: new Set(), meta: false });
    for (const sched of [s, copy]) {
      expect(sched.work("Y", direct)).toBeNull();
      sched.done("A", "X");
    }
    expect(copy.getWork("X", direct).handout).toEqual(s.getWork("X", direct).handout);
    s.advance(101).ping("X").ping("Y").prune();
    copy.advance(101).ping("X").ping("Y").prune();
    expect(copy.status("Z")).toBe("PENDING");
    expect([...copy.engine.tasks()].map((t) => [t.id, t.status])).toEqual([...s.engine.tasks()].map((t) => [t.id, t.status]));
  });

  test("exported state is a copy: changing the engine later does not change it", () => {
    const s = new Sched(config);
    s.add("A", "X", { params: { p: "1" } });
    const state = s.engine.exportState();
    s.getWork("X", direct);
    expect(state.tasks[0]).toMatchObject({ status: "PENDING", workerRunning: null });
  });
});
