import { describe, expect, test } from "bun:test";
import { Engine } from "../../src/engine/engine.ts";
import { DEFAULT_ENGINE_CONFIG } from "../../src/engine/types.ts";
import { LuigidError } from "../../src/lib/errors.ts";
import { dispatch, isRpcMethod, READ_ONLY_METHODS, RPC_METHODS } from "../../src/rpc/table.ts";

/** rpc.md §12, every method a Luigi client or the visualiser may call. */
const LUIGI_METHODS = [
  "add_task", "get_work", "ping", "add_worker", "add_task_batcher", "announce_scheduling_failure", "count_pending",
  "set_task_status_message", "set_task_progress_percentage", "decrease_running_task_resources",
  "add_scheduler_message_response", "report_task_statistics", "task_list", "dep_graph", "inverse_dep_graph",
  "worker_list", "resource_list", "fetch_error", "re_enable_task", "forgive_failures", "mark_as_done",
  "get_task_status_message", "get_task_progress_percentage", "disable_worker", "set_worker_processes",
  "send_scheduler_message", "get_scheduler_message_response", "is_pause_enabled", "is_paused", "pause", "unpause",
  "has_task_history", "update_resource", "graph", "task_search", "update_resources", "get_running_task_resources",
  "prune", "update_metrics_task_started",
];

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof LuigidError) return error.code;
    throw error;
  }
  return "no error";
}

describe("the wire table", () => {
  const engine = new Engine(DEFAULT_ENGINE_CONFIG);

  test("has exactly Luigi's 39 methods", () => {
    expect(LUIGI_METHODS).toHaveLength(39);
    expect([...RPC_METHODS].sort()).toEqual([...LUIGI_METHODS].sort());
  });

  test("read-only methods are the visualiser's getters and listings only", () => {
    expect([...READ_ONLY_METHODS].sort()).toEqual(
      [
        "dep_graph", "fetch_error", "get_running_task_resources", "get_task_progress_percentage",
        "get_task_status_message", "graph", "has_task_history", "inverse_dep_graph", "is_pause_enabled", "is_paused",
        "resource_list", "task_list", "task_search", "worker_list",
      ].sort(),
    );
  });

  test.each(["no_such_method", "load", "dump", "resources", "constructor", "__proto__", "toString", "hasOwnProperty", "Ping"])(
    "%p is an unknown method",
    (name) => {
      expect(isRpcMethod(name)).toBe(false);
      expect(codeOf(() => dispatch(engine, name, {}, 0))).toBe("UNKNOWN_METHOD");
    },
  );

  test.each([
    ["ping", {}],
    ["fetch_error", {}],
    ["add_task", { task_id: "T" }],
    ["add_task", { task_id: "T", worker: null }],
    ["add_task", { worker: "w" }],
    ["add_task", { task_id: "T", worker: "w", priority: "high" }],
    ["add_task", { task_id: "T", worker: "w", deps: "A" }],
    ["add_task", { task_id: "T", worker: "w", resources: { cpu: "1" } }],
    ["get_work", { host: "h" }],
    ["get_work", { worker: "w", host: 3 }],
    ["get_work", { worker: "w", host: ["h"] }],
    ["add_worker", { worker: "w", info: "x" }],
    ["add_worker", { worker: "w", info: [["only-a-key"]] }],
    ["add_worker", { worker: "w", info: [[{ toString: 1 }, "x"]] }],
    ["add_worker", { worker: "w", info: [[["a"], "x"]] }],
    ["add_task_batcher", { worker: "w", task_family: "F", batched_args: "a" }],
    ["decrease_running_task_resources", { task_id: "T" }],
    ["update_resources", { gpu: "2" }],
    ["announce_scheduling_failure", { task_name: "T()", family: "T" }],
    ["task_search", {}],
    ["dep_graph", { include_done: true }],
  ])("%p with %j is BAD_ARGUMENTS", (name, args) => {
    expect(codeOf(() => dispatch(engine, name, args, 0))).toBe("BAD_ARGUMENTS");
  });

  test.each([[[]], [null], ["text"], [3]])("a non-object data value %j is BAD_ARGUMENTS", (data) => {
    expect(codeOf(() => dispatch(engine, "is_paused", data as never, 0))).toBe("BAD_ARGUMENTS");
  });

  test("unknown keys are ignored on every method (Luigi: 500 on most)", () => {
    expect(dispatch(engine, "is_paused", { junk: 1 }, 0)).toEqual({ paused: false });
    expect(dispatch(engine, "is_pause_enabled", { junk: 1 }, 0)).toEqual({ enabled: true });
    expect(dispatch(engine, "has_task_history", { junk: 1 }, 0)).toBe(false);
  });

  test("info pairs with a string, number, boolean or null key are kept under its text, as Luigi's JSON gives a dict's keys", () => {
    const local = new Engine(DEFAULT_ENGINE_CONFIG);
    dispatch(local, "add_worker", { worker: "w", info: [["host", "h"], [1, "one"], [true, "yes"], [null, "none"]] }, 0);
    expect(local.getWorker("w")!.info).toEqual({ host: "h", 1: "one", true: "yes", null: "none" });
  });

  test.each([
    [{ host: "vm" }, "vm"],
    [{ host: "" }, ""],
    [{ host: null }, null],
    [{}, null],
  ])("get_work's host %j reaches the task's RUNNING event as %j", (hostArg, expected) => {
    const local = new Engine(DEFAULT_ENGINE_CONFIG);
    dispatch(local, "add_task", { task_id: "A", worker: "w" }, 0);
    local.drainEvents();
    expect(dispatch(local, "get_work", { worker: "w", ...hostArg }, 0)).toMatchObject({ task_id: "A" });
    expect(local.drainEvents().find((e) => e.type === "history")).toMatchObject({ status: "RUNNING", host: expected });
  });

  test("forgive_failures and mark_as_done without a task id answer with nulls, as Luigi's defaults do", () => {
    expect(dispatch(engine, "forgive_failures", {}, 0)).toEqual({ task_id: null, status: null });
    expect(dispatch(engine, "mark_as_done", { task_id: null }, 0)).toEqual({ task_id: null, status: null });
  });

  test("a non-string status message from task code is stored as text, not refused", () => {
    const local = new Engine(DEFAULT_ENGINE_CONFIG);
    dispatch(local, "add_task", { worker: "w", task_id: "T" }, 0);
    for (const [sent, stored] of [[42, "42"], [true, "True"], [["a"], "['a']"], [null, null]] as const) {
      dispatch(local, "set_task_status_message", { task_id: "T", status_message: sent }, 0);
      expect(dispatch(local, "get_task_status_message", { task_id: "T" }, 0)).toEqual({ taskId: "T", statusMessage: stored });
    }
  });

  test("fetch_error of an unknown task", () => {
    expect(dispatch(engine, "fetch_error", { task_id: "Nope" }, 0)).toEqual({ taskId: "Nope", error: "" });
  });
});
