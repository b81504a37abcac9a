/**
 * Batching (rpc.md §6.4, §6.5): which tasks join a batch, the batch id, how
 * the runner registers and how its result propagates to the members.
 */
import { describe, expect, test } from "bun:test";
import type { GetWorkResult } from "../../src/engine/args.ts";
import { Sched } from "./helpers.ts";

const W = "myworker";
const direct = { currentTasks: null };

function batchParams(reply: GetWorkResult): Record<string, unknown> | null {
  return reply.handout?.kind === "batch" ? reply.handout.params : null;
}
function batchIds(reply: GetWorkResult): string[] {
  return reply.handout?.kind === "batch" ? reply.handout.taskIds : [];
}
const ids = (s: Sched, status: string): string[] => [...s.engine.tasksByStatus(status)].map((t) => t.id).sort();

function addA(s: Sched, id: string, a: unknown, over: Parameters<Sched["add"]>[2] = {}): Sched {
  return s.add(id, W, { family: "A", params: { a }, batchable: true, ...over });
}

/** Two members handed out as a batch, then (optionally) the runner registered. */
function startSimpleBatch(s: Sched, opts: { useMax?: boolean; markRunning?: boolean; resources?: Record<string, number> } = {}) {
  s.batcher(W, "A", ["a"]);
  addA(s, "A_1", "1", { resources: opts.resources ?? null });
  addA(s, "A_2", "2", { resources: opts.resources ?? null });
  const reply = s.getWork(W, direct);
  const batchId = reply.handout?.kind === "batch" ? reply.handout.batchId : "";
  const runner = opts.useMax ? "A_2" : "A_1_2";
  if (opts.markRunning !== false) s.add(runner, W, { params: { a: opts.useMax ? "2" : "1,2" }, batchId, status: "RUNNING" });
  return { batchId, runner };
}

type Case = [name: string, run: (s: Sched) => void];

const cases: Case[] = [
  ["a single batchable task is handed out as a plain task", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_a_1", "1");
    const reply = s.getWork(W, direct);
    expect(reply.handout).toMatchObject({ kind: "task", taskId: "A_a_1", params: { a: "1" } });
  }],
  ["batchable tasks of one family become one batch with list params", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_a_1", "1").add("A_a_2", W, { family: "A", params: { a: "2" }, batchable: true });
    addA(s, "A_a_3", "3");
    const reply = s.getWork(W, direct);
    expect(reply.handout).toMatchObject({ kind: "batch", family: "A", params: { a: ["1", "2", "3"] } });
  }],
  ["every member gets the hand-out time", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_a_1", "1");
    addA(s, "A_a_2", "2");
    s.getWork(W, direct);
    const at = s.now;
    for (const t of s.engine.tasks()) expect(t.timeRunning).toBe(at);
  }],
  ["tasks whose deps are not done stay out of the batch", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_a_1", "1");
    addA(s, "A_a_2", "2", { deps: ["NOT_DONE"] });
    addA(s, "A_a_3", "3", { deps: ["DONE"] });
    addA(s, "A_a_4", "4", { deps: ["DONE"] });
    addA(s, "A_a_5", "5", { deps: ["NOT_DONE"] });
    s.add("NOT_DONE", W, { runnable: false }).add("DONE", W, { status: "DONE" });
    expect(batchParams(s.getWork(W, direct))).toEqual({ a: ["1", "3", "4"] });
  }],
  ["the first ready member leads when the oldest is not ready", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_a_1", "1", { deps: ["NOT_DONE"] });
    addA(s, "A_a_2", "2", { deps: ["DONE"] });
    addA(s, "A_a_3", "3", { deps: ["DONE"] });
    s.add("NOT_DONE", W, { runnable: false }).add("DONE", W, { status: "DONE" });
    expect(batchParams(s.getWork(W, direct))).toEqual({ a: ["2", "3"] });
  }],
  ["members with equal resources batch together", (s) => {
    s.batcher(W, "A", ["a"]);
    for (const a of ["1", "2", "3"]) addA(s, `A_a_${a}`, a, { resources: { r1: 1 } });
    expect(batchParams(s.getWork(W, direct))).toEqual({ a: ["1", "2", "3"] });
  }],
  ["max_batch_size limits a batch; the rest is handed out next", (s) => {
    s.batcher(W, "A", ["a"], 2);
    addA(s, "A_a_1", "1", { priority: 1 });
    addA(s, "A_a_2", "2");
    addA(s, "A_a_3", "3", { priority: 2 });
    expect(batchParams(s.getWork(W, direct))).toEqual({ a: ["3", "1"] });
    expect(s.work(W, direct)).toBe("A_a_2");
  }],
  ["a non-batchable task runs alone", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_a_1", "1", { priority: 1 });
    addA(s, "A_a_2", "2");
    addA(s, "A_a_3", "3", { batchable: false, priority: 2 });
    expect(s.work(W, direct)).toBe("A_a_3");
    expect(batchParams(s.getWork(W, direct))).toEqual({ a: ["1", "2"] });
  }],
  ["unbatched params group batches, in priority order", (s) => {
    s.batcher(W, "A", ["b"]);
    for (const a of [1, 2]) for (const b of [1, 2]) for (const c of [1, 2]) {
      s.add(`A_${a}_${b}_${c}`, W, { family: "A", params: { a: String(a), b: String(b), c: String(c) }, batchable: true, priority: 9 * a + 3 * c + b });
    }
    for (const [a, c] of [["2", "2"], ["2", "1"], ["1", "2"], ["1", "1"]]) {
      expect(batchParams(s.getWork(W, direct))).toEqual({ a, b: ["2", "1"], c });
    }
  }],
  ["several batched params each become lists", (s) => {
    s.batcher(W, "A", ["a", "b"]);
    s.add("A_1_1", W, { family: "A", params: { a: "1", b: "1" }, priority: 1, batchable: true });
    s.add("A_1_2", W, { family: "A", params: { a: "1", b: "2" }, priority: 2, batchable: true });
    s.add("A_2_1", W, { family: "A", params: { a: "2", b: "1" }, priority: 3, batchable: true });
    s.add("A_2_2", W, { family: "A", params: { a: "2", b: "2" }, priority: 4, batchable: true });
    expect(batchParams(s.getWork(W, direct))).toEqual({ a: ["2", "2", "1", "1"], b: ["2", "1", "2", "1"] });
  }],
  ["a worker without a batcher gets single tasks; the batcher gets the rest as one batch", (s) => {
    s.batcher("batcher", "A", ["a"]);
    for (let i = 0; i < 5; i++) {
      s.add(`A_${i}`, W, { family: "A", params: { a: String(i) }, priority: i, batchable: false });
      s.add(`A_${i}`, "batcher", { family: "A", params: { a: String(i) }, priority: i, batchable: true });
    }
    expect(s.work(W, direct)).toBe("A_4");
    expect(batchParams(s.getWork("batcher", direct))).toEqual({ a: ["3", "2", "1", "0"] });
  }],
  ["batched tasks become BATCH_RUNNING", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_1", 1);
    addA(s, "A_2", 2);
    s.getWork(W, direct);
    expect(ids(s, "BATCH_RUNNING")).toEqual(["A_1", "A_2"]);
  }],
  ["the batch id is the MD5 of the member ids joined with |", (s) => {
    s.batcher(W, "Batchy", ["d"]);
    for (const [id, d, p] of [["Batchy_1_k_1783eb35f8", "1", 3], ["Batchy_2_k_0121a2eeff", "2", 2], ["Batchy_3_k_4311c63a2b", "3", 1]] as const) {
      s.add(id, W, { family: "Batchy", params: { d, k: "k" }, batchable: true, priority: p });
    }
    const reply = s.getWork(W, direct);
    expect(reply.handout).toEqual({
      kind: "batch",
      batchId: "419ba545ab989c225ed2571e6e39d329",
      taskIds: ["Batchy_1_k_1783eb35f8", "Batchy_2_k_0121a2eeff", "Batchy_3_k_4311c63a2b"],
      family: "Batchy",
      module: null,
      params: { d: ["1", "2", "3"], k: "k" },
    });
  }],
  ["a new runner task runs while the members stay BATCH_RUNNING, and its DONE finishes all", (s) => {
    startSimpleBatch(s);
    expect(ids(s, "BATCH_RUNNING")).toEqual(["A_1", "A_2"]);
    expect(ids(s, "RUNNING")).toEqual(["A_1_2"]);
    s.add("A_1_2", W, { status: "DONE" });
    expect(ids(s, "DONE")).toEqual(["A_1", "A_1_2", "A_2"]);
  }],
  ["a member can be the runner (batch_method=max)", (s) => {
    startSimpleBatch(s, { useMax: true });
    expect(ids(s, "BATCH_RUNNING")).toEqual(["A_1"]);
    expect(ids(s, "RUNNING")).toEqual(["A_2"]);
    s.add("A_2", W, { status: "DONE" });
    expect(ids(s, "DONE")).toEqual(["A_1", "A_2"]);
  }],
  ["re-registering the runner changes nothing", (s) => {
    const { batchId, runner } = startSimpleBatch(s);
    for (let i = 0; i < 3; i++) s.add(runner, W, { params: { a: "1,2" }, batchId, status: "RUNNING" });
    expect(ids(s, "RUNNING")).toEqual([runner]);
    expect(ids(s, "BATCH_RUNNING")).toEqual(["A_1", "A_2"]);
  }],
  ["a runner failure fails every member with its explanation", (s) => {
    startSimpleBatch(s);
    s.add("A_1_2", W, { status: "FAILED", expl: "bad failure" });
    expect(ids(s, "FAILED")).toEqual(["A_1", "A_1_2", "A_2"]);
    for (const id of ["A_1", "A_2"]) expect(s.engine.getTask(id)?.expl).toBe("bad failure");
  }],
  ["a max-runner failure fails every member", (s) => {
    startSimpleBatch(s, { useMax: true });
    s.add("A_2", W, { status: "FAILED", expl: "bad max failure" });
    expect(ids(s, "FAILED")).toEqual(["A_1", "A_2"]);
    expect(s.engine.getTask("A_1")?.expl).toBe("bad max failure");
  }],
  ["a failed new runner is removed at the next prune; members stay", (s) => {
    startSimpleBatch(s);
    s.add("A_1_2", W, { status: "FAILED" });
    s.prune();
    expect(s.engine.getTask("A_1_2")).toBeUndefined();
    expect(ids(s, "FAILED")).toEqual(["A_1", "A_2"]);
  }],
  ["status message, progress, resources and tracking URL of the runner reach the members", (s) => {
    s.resources({ x: 3 });
    startSimpleBatch(s, { resources: { x: 3 } });
    s.engine.setTaskStatusMessage({ taskId: "A_1_2", statusMessage: "test message" }, s.now);
    s.engine.setTaskProgressPercentage({ taskId: "A_1_2", progressPercentage: 30 }, s.now);
    s.engine.decreaseRunningTaskResources({ taskId: "A_1_2", decreaseResources: { x: 1 } }, s.now);
    s.add("A_1_2", W, { status: "RUNNING", trackingUrl: "http://test.tracking.url/" });
    for (const id of ["A_1", "A_2", "A_1_2"]) {
      const t = s.engine.getTask(id)!;
      expect([t.statusMessage, t.progressPercentage, t.resourcesRunning, t.trackingUrl]).toEqual(["test message", 30, { x: 2 }, "http://test.tracking.url/"]);
    }
    // quirk 34: a member's resources_running is its resources map
    expect(s.engine.getTask("A_1")?.resources).toEqual({ x: 2 });
  }],
  ["re-adding a finished max-runner member makes it PENDING again", (s) => {
    const { batchId } = startSimpleBatch(s, { useMax: true });
    expect(batchId).not.toBe("");
    s.add("A_2", W, { status: "DONE" });
    s.add("A_2", W, { family: "A", params: { a: "2" }, batchable: true });
    expect(ids(s, "PENDING")).toEqual(["A_2"]);
    expect(ids(s, "DONE")).toEqual(["A_1"]);
  }],
  ["a lost batch reply is rescheduled as the same batch", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A_1", "1");
    addA(s, "A_2", "2");
    const first = s.getWork(W, direct);
    const again = s.getWork(W, { currentTasks: [] });
    expect(again.handout).toEqual(first.handout);
  }],
  ["a lost runner is re-sent; a known one is not", (s) => {
    startSimpleBatch(s);
    expect(s.work(W, { currentTasks: [] })).toBe("A_1_2");
    expect(s.work(W, { currentTasks: ["A_1_2"] })).toBeNull();
  }],
  ["re-adding members as PENDING or DISABLED leaves them BATCH_RUNNING", (s) => {
    startSimpleBatch(s, { markRunning: false });
    addA(s, "A_1", "1", { status: "DISABLED" });
    addA(s, "A_2", "2");
    expect(ids(s, "BATCH_RUNNING")).toEqual(["A_1", "A_2"]);
  }],
  ["members with different resources are left out (no stowaways)", (s) => {
    s.batcher(W, "A", ["a"]);
    addA(s, "A1", "1", { resources: { r1: 1 }, priority: 1 });
    addA(s, "A2", "2", { resources: { r1: 2 } });
    addA(s, "A3", "3", { resources: { r2: 1 } });
    addA(s, "A4", "4", { resources: { r1: 1 } });
    expect(batchIds(s.getWork(W, direct)).sort()).toEqual(["A1", "A4"]);
  }],
  ["a batch is charged as one task: members skip the resource check", (s) => {
    s.batcher(W, "A", ["a"]);
    for (const a of ["1", "2", "3", "4"]) addA(s, `A${a}`, a, { resources: { r1: 1 }, priority: a === "1" ? 1 : 0 });
    expect(batchIds(s.getWork(W, direct)).sort()).toEqual(["A1", "A2", "A3", "A4"]);
  }],
  ["an assistant's batch runner with other resources takes over the batch's usage", (s) => {
    s.batcher("assistant", "A", ["a"], 2);
    for (const [id, p] of [["A1", 1], ["A2", 2], ["A3", 3]] as const) addA(s, id, id.slice(1), { resources: { a: 1 }, priority: p });
    const reply = s.getWork("assistant", { currentTasks: null, assistant: true });
    expect(batchIds(reply).sort()).toEqual(["A2", "A3"]);
    const batchId = reply.handout?.kind === "batch" ? reply.handout.batchId : null;
    s.add("A3", "assistant", { status: "RUNNING", batchId, resources: { b: 1 } });
    expect(s.work(W, direct)).toBeNull();
  }],
];

describe("batching", () => {
  for (const [name, run] of cases) test(name, () => run(new Sched({ retryDelay: 100, removeDelay: 1000, workerDisconnectDelay: 10, disablePersist: 10, disableWindow: 10, retryCount: 3, disableHardTimeout: 3600, stableDoneCooldownSecs: 0 })));

  test("a dead batch worker fails the members, with or without a runner", () => {
    for (const opts of [{}, { useMax: true }, { markRunning: false }]) {
      const s = new Sched({ workerDisconnectDelay: 10 });
      startSimpleBatch(s, opts);
      s.advance(600).prune();
      expect(ids(s, "FAILED")).toEqual(["A_1", "A_2"]);
    }
  });
});

test("a NaN max_batch_size admits no second member (Python's len < nan is false)", () => {
  const s = new Sched();
  s.batcher(W, "A", ["a"], Number.NaN);
  addA(s, "A_1", "1");
  addA(s, "A_2", "2");
  expect(s.getWork(W, direct).handout).toMatchObject({ kind: "task", taskId: "A_1" });
});
