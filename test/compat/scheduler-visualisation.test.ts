/**
 * Behaviours pinned by Luigi's test/scheduler_visualisation_test.py: the
 * visualiser's graphs, lists and worker table after a worker ran a pipeline.
 * Luigi builds real tasks with an in-process worker; here `build` sends what
 * that worker sends (rpc.md §5.1 shapes A and B). Each test is named after Luigi's.
 */
import { describe, expect, test } from "bun:test";
import { Scheduler } from "./luigi-scheduler.ts";

interface TaskDef {
  family: string;
  params?: Record<string, string>;
  requires?: string[];
  /** complete() is true before the run: reported DONE, its requirements not looked at. */
  complete?: boolean;
  /** An external task that is not complete: PENDING, not runnable. */
  external?: boolean;
  /** requires() raises: reported UNKNOWN, not runnable. */
  brokenRequires?: boolean;
  /** run() raises. */
  fails?: boolean;
}

type Defs = (id: string) => TaskDef;

/** What Luigi's worker sends for `w.add(root); w.run()`: schedule depth first, then run until nothing is left. */
function build(sch: Scheduler, roots: string[], defs: Defs, worker = "w", { run = true } = {}): void {
  const seen = new Set<string>();
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const def = defs(id);
    const base = { worker, task_id: id, family: def.family, params: def.params ?? {} };
    if (def.complete) sch.add_task({ ...base, status: "DONE", runnable: false });
    else if (def.external) sch.add_task({ ...base, status: "PENDING", runnable: false });
    else if (def.brokenRequires) sch.add_task({ ...base, status: "UNKNOWN", runnable: false });
    else {
      sch.add_task({ ...base, status: "PENDING", deps: def.requires ?? [], runnable: true });
      stack.push(...[...(def.requires ?? [])].reverse());
    }
  }
  sch.add_worker(worker, [["workers", 1], ["first_task", roots[0]]]);
  while (run) {
    const taskId = sch.get_work({ worker }).task_id;
    if (taskId === null) return;
    const failed = defs(taskId).fails === true;
    sch.add_task({
      worker,
      task_id: taskId,
      status: failed ? "FAILED" : "DONE",
      expl: JSON.stringify(failed ? "Runtime error:\nTraceback (most recent call last):\nException: Error Message\n" : null),
    });
  }
}

const factor: Defs = (id) => {
  const product = Number(id.split("_")[1]);
  const requires: string[] = [];
  for (let f = 2; f < product; f += 1) {
    if (product % f === 0) {
      requires.push(`FactorTask_${f}`, `FactorTask_${product / f}`);
      break;
    }
  }
  return { family: "FactorTask", params: { product: String(product) }, requires: [...new Set(requires)] };
};

const linear = (alsoZero: boolean): Defs => (id) => {
  const idx = Number(id.split("_")[1]);
  const requires = idx > 0 ? [`LinearTask_${idx - 1}`, ...(alsoZero ? ["LinearTask_0"] : [])] : [];
  return { family: "LinearTask", params: { idx: String(idx) }, requires };
};

const oddFib = (done: boolean): Defs => (id) => {
  const n = Number(id.split("_")[1]);
  return {
    family: "OddFibTask",
    params: { n: String(n) },
    requires: n > 1 ? [`OddFibTask_${n - 1}`, `OddFibTask_${n - 2}`] : [],
    complete: n % 2 === 0 && done,
    fails: true,
  };
};

const named = (table: Record<string, TaskDef>): Defs => (id) => table[id] ?? { family: id };

function statuses(graph: Record<string, { status: string }>): string[] {
  return [...new Set(Object.values(graph).map((node) => node.status))];
}

describe("SchedulerVisualisationTest: graphs", () => {
  test("test_graph", () => {
    const sch = new Scheduler();
    sch.setTime(1000);
    build(sch, ["DummyTask_1", "DummyTask_2"], (id) => ({ family: "DummyTask", params: { task_id: id.slice(-1) } }));
    const graph = sch.call("graph");
    expect(Object.keys(graph).sort()).toEqual(["DummyTask_1", "DummyTask_2"]);
    for (const node of Object.values<{ status: string; deps: string[]; start_time: number }>(graph)) {
      expect(node).toMatchObject({ status: "DONE", deps: [], start_time: 1000 });
    }
  });

  test("test_large_graph_truncate", () => {
    const sch = new Scheduler({ maxGraphNodes: 10 });
    build(sch, ["LinearTask_100"], linear(false));
    const graph = sch.call("dep_graph", { task_id: "LinearTask_100" });
    expect(Object.keys(graph).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `LinearTask_${100 - i}`).sort());
  });

  test("test_large_inverse_graph_truncate", () => {
    const sch = new Scheduler({ maxGraphNodes: 10 });
    build(sch, ["LinearTask_100"], linear(false));
    const graph = sch.call("inverse_dep_graph", { task_id: "LinearTask_0" });
    expect(Object.keys(graph).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `LinearTask_${i}`).sort());
  });

  test("test_truncate_graph_with_full_levels", () => {
    const sch = new Scheduler({ maxGraphNodes: 10 });
    const tree: Defs = (id) => {
      const idx = Number(id.split("_")[1]);
      return { family: "BinaryTreeTask", params: { idx: String(idx) }, requires: idx < 100 ? [`BinaryTreeTask_${idx * 2}`, `BinaryTreeTask_${idx * 2 + 1}`] : [] };
    };
    build(sch, ["BinaryTreeTask_1"], tree);
    const graph = sch.call("dep_graph", { task_id: "BinaryTreeTask_1" });
    expect(Object.keys(graph).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `BinaryTreeTask_${i + 1}`).sort());
  });

  test("test_truncate_graph_with_multiple_depths", () => {
    const sch = new Scheduler({ maxGraphNodes: 10 });
    build(sch, ["LinearTask_100"], linear(true));
    const graph = sch.call("dep_graph", { task_id: "LinearTask_100" });
    const expected = [...Array.from({ length: 9 }, (_, i) => `LinearTask_${100 - i}`), "LinearTask_0"];
    expect(Object.keys(graph).sort()).toEqual(expected.sort());
  });

  test("test_dep_graph_single", () => {
    const sch = new Scheduler();
    build(sch, ["FactorTask_1"], factor);
    const graph = sch.call("dep_graph", { task_id: "FactorTask_1" });
    expect(Object.keys(graph)).toEqual(["FactorTask_1"]);
    expect(graph.FactorTask_1).toMatchObject({ status: "DONE", deps: [] });
  });

  test("test_dep_graph_not_found / test_inverse_dep_graph_not_found", () => {
    const sch = new Scheduler();
    build(sch, ["FactorTask_1"], factor);
    expect(sch.call("dep_graph", { task_id: "FactorTask_5" })).toEqual({});
    expect(sch.call("inverse_dep_graph", { task_id: "FactorTask(product=5)" })).toEqual({});
  });

  test("test_dep_graph_tree", () => {
    const sch = new Scheduler();
    build(sch, ["FactorTask_30"], factor);
    const graph = sch.call("dep_graph", { task_id: "FactorTask_30" });
    expect(Object.keys(graph)).toHaveLength(5);
    expect(statuses(graph)).toEqual(["DONE"]);
    expect([...graph.FactorTask_30.deps].sort()).toEqual(["FactorTask_15", "FactorTask_2"]);
    expect([...graph.FactorTask_15.deps].sort()).toEqual(["FactorTask_3", "FactorTask_5"]);
    for (const leaf of ["FactorTask_2", "FactorTask_3", "FactorTask_5"]) expect(graph[leaf].deps).toEqual([]);
  });

  test("test_dep_graph_missing_deps", () => {
    const sch = new Scheduler();
    const defs = named({
      "BadReqTask_True": { family: "BadReqTask", params: { succeed: "True" }, requires: ["BadReqTask_False"] },
      "BadReqTask_False": { family: "BadReqTask", params: { succeed: "False" }, brokenRequires: true },
    });
    build(sch, ["BadReqTask_True"], defs);
    const graph = sch.call("dep_graph", { task_id: "BadReqTask_True" });
    expect(Object.keys(graph)).toHaveLength(2);
    expect(graph.BadReqTask_True.deps).toEqual(["BadReqTask_False"]);
    expect(graph.BadReqTask_False).toMatchObject({ name: "BadReqTask", params: { succeed: "False" }, status: "UNKNOWN" });
  });

  test("test_dep_graph_diamond", () => {
    const sch = new Scheduler();
    build(sch, ["FactorTask_12"], factor);
    const graph = sch.call("dep_graph", { task_id: "FactorTask_12" });
    expect(Object.keys(graph)).toHaveLength(4);
    expect(statuses(graph)).toEqual(["DONE"]);
    expect([...graph.FactorTask_12.deps].sort()).toEqual(["FactorTask_2", "FactorTask_6"]);
    expect([...graph.FactorTask_6.deps].sort()).toEqual(["FactorTask_2", "FactorTask_3"]);
  });

  test("test_dep_graph_skip_done", () => {
    const sch = new Scheduler();
    build(sch, ["OddFibTask_9"], oddFib(true));
    expect(Object.keys(sch.call("dep_graph", { task_id: "OddFibTask_9", include_done: true }))).toHaveLength(9);
    const skipDone = sch.call("dep_graph", { task_id: "OddFibTask_9", include_done: false });
    expect(Object.keys(skipDone)).toHaveLength(5);
    for (const node of Object.values<{ status: string; deps: string[] }>(skipDone)) {
      expect(node.status).not.toBe("DONE");
      expect(node.deps.length).toBeLessThan(2);
    }
  });

  test("test_inverse_dep_graph_skip_done", () => {
    const sch = new Scheduler();
    build(sch, ["OddFibTask_9"], oddFib(false));
    build(sch, ["OddFibTask_9"], oddFib(true));
    expect(Object.keys(sch.call("inverse_dep_graph", { task_id: "OddFibTask_1", include_done: true }))).toHaveLength(9);
    const skipDone = sch.call("inverse_dep_graph", { task_id: "OddFibTask_1", include_done: false });
    expect(Object.keys(skipDone)).toHaveLength(5);
    for (const node of Object.values<{ status: string; deps: string[] }>(skipDone)) {
      expect(node.status).not.toBe("DONE");
      expect(node.deps.length).toBeLessThan(2);
    }
  });

  test("test_dep_graph_root_has_display_name / test_dep_graph_non_root_nodes_lack_display_name", () => {
    const sch = new Scheduler();
    build(sch, ["FactorTask_12"], factor);
    const graph = sch.call("dep_graph", { task_id: "FactorTask_12" });
    expect(graph.FactorTask_12.display_name).toBe("FactorTask(product=12)");
    for (const [id, node] of Object.entries<object>(graph)) if (id !== "FactorTask_12") expect("display_name" in node).toBe(false);
  });

  test("test_inverse_deps", () => {
    const sch = new Scheduler();
    const defs = named({
      X: { family: "X" },
      Y: { family: "Y", requires: ["X"] },
      Z_1: { family: "Z", params: { id: "1" }, requires: ["Y"] },
      Z_2: { family: "Z", params: { id: "2" }, requires: ["Y"] },
      ZZ: { family: "ZZ", requires: ["Z_1", "Z_2"] },
    });
    build(sch, ["ZZ"], defs);
    const graph = sch.call("inverse_dep_graph", { task_id: "X" });
    const deps = (id: string) => [...graph[id].deps].sort();
    expect(deps("X")).toEqual(["Y"]);
    expect(deps("Y")).toEqual(["Z_1", "Z_2"]);
    expect(deps("Z_1")).toEqual(["ZZ"]);
    expect(deps("Z_2")).toEqual(["ZZ"]);
    expect(deps("ZZ")).toEqual([]);
  });
});

describe("SchedulerVisualisationTest: lists", () => {
  test("test_task_list_single", () => {
    const sch = new Scheduler();
    build(sch, ["FactorTask_7"], factor);
    const done = sch.task_list("DONE", "");
    expect(Object.keys(done)).toEqual(["FactorTask_7"]);
    expect(sch.task_list("", "")).toEqual(done);
    expect(sch.task_list("FAILED", "")).toEqual({});
    expect(sch.task_list("PENDING", "")).toEqual({});
  });

  test("test_task_list_failed", () => {
    const sch = new Scheduler();
    build(sch, ["FailingTask_8"], () => ({ family: "FailingTask", params: { task_id: "8" }, fails: true }));
    const failed = sch.task_list("FAILED", "");
    expect(Object.keys(failed)).toEqual(["FailingTask_8"]);
    expect(failed.FailingTask_8.status).toBe("FAILED");
    expect(sch.task_list("DONE", "")).toEqual({});
    expect(sch.task_list("PENDING", "")).toEqual({});
  });

  test("test_task_list_upstream_status", () => {
    const sch = new Scheduler();
    const defs = named({
      A: { family: "A", external: true },
      B: { family: "B", complete: true },
      C: { family: "C", requires: ["A", "B"] },
      F: { family: "F", fails: true },
      D: { family: "D", requires: ["F"] },
      E: { family: "E", requires: ["C", "D"] },
    });
    build(sch, ["E"], defs);
    expect(Object.keys(sch.task_list("DONE", ""))).toEqual(["B"]);
    const missingInput = sch.task_list("PENDING", "UPSTREAM_MISSING_INPUT");
    expect(Object.keys(missingInput).sort()).toEqual(["A", "C"]);
    const upstreamFailed = sch.task_list("PENDING", "UPSTREAM_FAILED");
    expect(Object.keys(upstreamFailed).sort()).toEqual(["D", "E"]);
    expect(sch.task_list("PENDING", "")).toEqual({ ...missingInput, ...upstreamFailed });
    expect(sch.task_list("PENDING", "UPSTREAM_RUNNING")).toEqual({});
    expect(Object.keys(sch.task_list("FAILED", ""))).toEqual(["F"]);
    expect(Object.keys(sch.task_list("", "")).sort()).toEqual(["A", "B", "C", "D", "E", "F"]);
    expect(sch.task_list("RUNNING", "")).toEqual({});
  });

  test("test_task_search", () => {
    const sch = new Scheduler();
    build(sch, ["FactorTask_8"], factor);
    build(sch, ["FailingTask_8"], () => ({ family: "FailingTask", params: { task_id: "8" }, fails: true }));
    const found = sch.call("task_search", { task_str: "Task" });
    expect(Object.keys(found).sort()).toEqual(["DONE", "FAILED"]);
    expect(statuses(found.DONE)).toEqual(["DONE"]);
    expect(statuses(found.FAILED)).toEqual(["FAILED"]);
  });

  test("test_fetch_error", () => {
    const sch = new Scheduler();
    build(sch, ["FailingTask_8"], () => ({ family: "FailingTask", params: { task_id: "8" }, fails: true }));
    const error = sch.fetch_error("FailingTask_8");
    expect(error.taskId).toBe("FailingTask_8");
    for (const part of ["Error Message", "Runtime error", "Traceback"]) expect(error.error).toContain(part);
  });
});

describe("SchedulerVisualisationTest: workers", () => {
  test("test_simple_worker_list", () => {
    const sch = new Scheduler();
    build(sch, ["X"], named({}));
    const workers = sch.worker_list();
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ first_task: "X", num_pending: 0, num_uniques: 0, num_running: 0, state: "active", workers: 1 });
  });

  test("test_worker_list_pending_uniques", () => {
    const sch = new Scheduler();
    const defs = named({ X: { family: "X" }, Y: { family: "Y", requires: ["X"] }, Z: { family: "Z", requires: ["X"] } });
    build(sch, ["Y"], defs, "w1", { run: false });
    build(sch, ["Z"], defs, "w2", { run: false });
    const workers = sch.worker_list();
    expect(workers).toHaveLength(2);
    for (const worker of workers) expect(worker).toMatchObject({ num_pending: 2, num_uniques: 1, num_running: 0 });
  });

  test("test_worker_list_running", () => {
    const sch = new Scheduler();
    build(sch, ["X_0", "X_1", "X_2", "X_3"], (id) => ({ family: "X", params: { n: id.slice(-1) } }), "w", { run: false });
    for (let i = 0; i < 3; i += 1) sch.get_work({ worker: "w" });
    const [worker, ...others] = sch.worker_list();
    expect(others).toEqual([]);
    expect(worker).toMatchObject({ num_running: 3, num_pending: 1, num_uniques: 1 });
  });

  test("test_worker_list_disabled_worker", () => {
    const sch = new Scheduler();
    build(sch, ["X"], named({}), "w", { run: false });
    expect(sch.worker_list().map((worker) => worker.state)).toEqual(["active"]);
    sch.disable_worker("w");
    expect(sch.worker_list().map((worker) => worker.state)).toEqual(["disabled"]);
  });
});
