/**
 * Every one of the 39 RPC methods through the real HTTP app (createApp, in
 * process), checking the reply shapes of rpc.md §5: the `{"response": …}`
 * envelope, snake_case keys (camelCase only where Luigi has it), key sets.
 */
import { beforeEach, describe, expect, test } from "bun:test";
import { RPC_METHODS } from "../../src/rpc/table.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

const W = "Worker(salt=1, workers=1, host=h, username=u, pid=1)";
const covered = new Set<string>();

let t: TestApp;

/** Calls a method over HTTP (the Python client's form POST) and returns `response`, asserting a 200. */
async function rpc<T = any>(method: string, data: Record<string, unknown> = {}): Promise<T> {
  covered.add(method);
  const reply = await t.call(method, data);
  expect({ method, status: reply.status }).toEqual({ method, status: 200 });
  expect(Object.keys(reply.body as object)).toEqual(["response"]);
  return (reply.body as { response: T }).response;
}

/** The visualiser's GET with ?data=. */
async function visualiser<T = any>(method: string, data: Record<string, unknown> = {}): Promise<T> {
  covered.add(method);
  const response = await t.app.request(`/api/${method}?data=${encodeURIComponent(JSON.stringify(data))}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/json");
  return ((await response.json()) as { response: T }).response;
}

const TASK_KEYS = [
  "display_name", "status", "workers", "worker_running", "time_running", "start_time", "last_updated", "params", "name",
  "priority", "resources", "resources_running", "tracking_url", "status_message", "progress_percentage",
];
const COUNT_KEYS = ["n_pending_tasks", "n_unique_pending", "n_pending_last_scheduled", "worker_state", "running_tasks"];

async function addTask(data: Record<string, unknown>): Promise<void> {
  expect(await rpc("add_task", { worker: W, ...data })).toBeNull();
}

beforeEach(() => {
  t = createTestApp({ engine: { resources: { db: 2 } } });
  t.clock.set(1_800_000_000);
});

describe("worker-side methods", () => {
  test("add_task, add_worker, get_work (single task), ping, count_pending", async () => {
    await addTask({ task_id: "Step_1", family: "Step", module: "m", params: { day: "1", secret: "s" }, param_visibilities: { secret: 1 }, priority: 5, resources: { db: 1 }, deps: [] });
    expect(await rpc("add_worker", { worker: W, info: [["salt", "1"], ["workers", 1], ["host", "h"], ["first_task", "Step_1"]] })).toBeNull();
    const work = await rpc("get_work", { worker: W, host: "h", assistant: false, current_tasks: [] });
    expect(work).toEqual({
      n_pending_tasks: 1, n_unique_pending: 1, n_pending_last_scheduled: 1, worker_state: "active", running_tasks: [],
      task_id: "Step_1", task_family: "Step", task_module: "m", task_params: { day: "1", secret: "s" },
    });
    expect(await rpc("ping", { worker: W })).toEqual({ rpc_messages: [] });
    const counts = await rpc("count_pending", { worker: W });
    expect(Object.keys(counts)).toEqual(COUNT_KEYS);
    expect(counts.running_tasks).toEqual([{ task_id: "Step_1", worker: W, salt: "1", workers: 1, host: "h", first_task: "Step_1" }]);
  });

  test("get_work with nothing to do is an object with task_id null, never null", async () => {
    const work = await rpc("get_work", { worker: W, host: "h", assistant: false, current_tasks: null });
    expect(work).toEqual({ n_pending_tasks: 0, n_unique_pending: 0, n_pending_last_scheduled: 0, worker_state: "active", running_tasks: [], task_id: null });
  });

  test("disable_worker: the next get_work has exactly five keys", async () => {
    expect(await rpc("disable_worker", { worker: W })).toBeNull();
    const work = await rpc("get_work", { worker: W, host: "h", assistant: false, current_tasks: [] });
    expect(Object.keys(work).sort()).toEqual(["n_pending_tasks", "n_unique_pending", "running_tasks", "task_id", "worker_state"]);
    expect(work.worker_state).toBe("disabled");
    expect((await rpc("count_pending", { worker: W })).worker_state).toBe("disabled");
  });

  test("add_task_batcher with Infinity, then a batch from get_work", async () => {
    const reply = await t.call("add_task_batcher", `{"worker": ${JSON.stringify(W)}, "task_family": "B", "batched_args": ["d"], "max_batch_size": Infinity}`);
    covered.add("add_task_batcher");
    expect(reply.status).toBe(200);
    for (const d of ["1", "2"]) await addTask({ task_id: `B_${d}`, family: "B", params: { d, k: "k" }, batchable: true });
    const work = await rpc("get_work", { worker: W, host: "h", assistant: false, current_tasks: [] });
    expect(work).toMatchObject({ task_id: null, task_family: "B", task_params: { d: ["1", "2"], k: "k" }, batch_task_ids: ["B_1", "B_2"] });
    expect(work.batch_id).toMatch(/^[0-9a-f]{32}$/);
  });

  test("announce_scheduling_failure with the worker as an extra key", async () => {
    expect(await rpc("announce_scheduling_failure", { task_name: "T(x=1)", family: "T", params: { x: "1" }, expl: "boom", owners: [], worker: W })).toBeNull();
  });

  test("status message, progress, running resources, tracking URL, statistics, metrics hook", async () => {
    await addTask({ task_id: "C", family: "C", resources: { db: 2 } });
    await rpc("get_work", { worker: W, host: "h", assistant: false, current_tasks: [] });
    expect(await rpc("set_task_status_message", { task_id: "C", status_message: "half" })).toBeNull();
    expect(await visualiser("get_task_status_message", { task_id: "C" })).toEqual({ taskId: "C", statusMessage: "half" });
    expect(await rpc("set_task_progress_percentage", { task_id: "C", progress_percentage: 50 })).toBeNull();
    expect(await visualiser("get_task_progress_percentage", { task_id: "C" })).toEqual({ taskId: "C", progressPercentage: 50 });
    // Task code may pass anything to set_progress_percentage; Luigi keeps it as it is.
    for (const value of ["50%", [1, 2], { done: 3 }, true]) {
      expect(await rpc("set_task_progress_percentage", { task_id: "C", progress_percentage: value })).toBeNull();
      expect(await visualiser("get_task_progress_percentage", { task_id: "C" })).toEqual({ taskId: "C", progressPercentage: value });
    }
    expect(((await rpc("task_list", { status: "RUNNING", upstream_status: "" })) as Record<string, { progress_percentage: unknown }>).C!.progress_percentage).toBe(true);
    expect(await rpc("decrease_running_task_resources", { task_id: "C", decrease_resources: { db: 1 } })).toBeNull();
    expect(await rpc("get_running_task_resources", { task_id: "C" })).toEqual({ taskId: "C", resources: { db: 1 } });
    expect(await rpc("report_task_statistics", { task_id: "C", statistics: { rows: 1 } })).toBeNull();
    expect(await rpc("update_metrics_task_started", { task: "C" })).toBeNull();
  });

  test("scheduler messages: send, deliver on ping, respond, read once", async () => {
    await addTask({ task_id: "M", family: "M", accepts_messages: true });
    const { message_id } = await visualiser("send_scheduler_message", { worker: W, task: "M", content: "hi" });
    expect(message_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await visualiser("set_worker_processes", { worker: W, n: 3 })).toBeNull();
    expect(await rpc("ping", { worker: W })).toEqual({
      rpc_messages: [
        { name: "dispatch_scheduler_message", kwargs: { task_id: "M", message_id, content: "hi" } },
        { name: "set_worker_processes", kwargs: { n: 3 } },
      ],
    });
    expect(await rpc("add_scheduler_message_response", { task_id: "M", message_id, response: "ok" })).toBeNull();
    expect(await visualiser("get_scheduler_message_response", { task_id: "M", message_id })).toEqual({ response: "ok" });
    expect(await visualiser("get_scheduler_message_response", { task_id: "M", message_id })).toEqual({ response: null });
  });
});

describe("visualiser methods", () => {
  beforeEach(async () => {
    await addTask({ task_id: "Top_1", family: "Top", deps: ["Mid_1", "Missing_dep_x"], priority: 1 });
    await addTask({ task_id: "Mid_1", family: "Mid", params: { p: "1" }, status: "DONE" });
  });

  test("task_list: an id → serialised task map without deps, or num_tasks", async () => {
    const all = await visualiser("task_list", { status: "", upstream_status: "", search: "" });
    expect(Object.keys(all).sort()).toEqual(["Mid_1", "Missing_dep_x", "Top_1"]);
    expect(Object.keys(all.Top_1)).toEqual(TASK_KEYS);
    expect(all.Top_1.display_name).toBe("Top()");
    expect(await visualiser("task_list", { status: "", upstream_status: "", search: "", max_shown_tasks: 2 })).toEqual({ num_tasks: 3 });
  });

  test("task_search: grouped by status", async () => {
    const found = await rpc("task_search", { task_str: "_1" });
    expect(Object.keys(found).sort()).toEqual(["DONE", "PENDING"]);
    expect(Object.keys(found.DONE)).toEqual(["Mid_1"]);
  });

  test("dep_graph / inverse_dep_graph / graph: nodes with deps, placeholders", async () => {
    const deps = await visualiser("dep_graph", { task_id: "Top_1", include_done: true });
    expect(Object.keys(deps.Top_1)).toEqual([...TASK_KEYS, "deps"]);
    expect(deps.Missing_dep_x).toEqual({ deps: [], status: "UNKNOWN", workers: [], start_time: "UNKNOWN", params: { task_id: "Missing_dep_x" }, name: "Missing", priority: 0 });
    expect("display_name" in deps.Mid_1).toBe(false);
    const inverse = await visualiser("inverse_dep_graph", { task_id: "Mid_1", include_done: true });
    expect(Object.keys(inverse).sort()).toEqual(["Mid_1", "Top_1"]);
    covered.add("graph");
    const response = await t.app.request("/api/graph");
    expect(response.status).toBe(200);
    expect(Object.keys(((await response.json()) as { response: object }).response).sort()).toEqual(["Mid_1", "Missing_dep_x", "Top_1"]);
  });

  test("worker_list and resource_list", async () => {
    const [worker] = await visualiser("worker_list");
    expect(Object.keys(worker)).toEqual([
      "name", "last_active", "started", "state", "first_task_display_name", "num_unread_rpc_messages",
      "num_running", "num_pending", "num_uniques", "running",
    ]);
    expect(await visualiser("resource_list")).toEqual([{ name: "db", num_total: 2, num_used: 0, num_consumer: 0, running: {} }]);
  });

  test("fetch_error, re_enable_task, forgive_failures, mark_as_done", async () => {
    expect(await visualiser("fetch_error", { task_id: "Mid_1" })).toEqual({
      taskId: "Mid_1", error: null, displayName: "Mid(p=1)", taskParams: { p: "1" }, taskModule: null, taskFamily: "Mid",
    });
    expect(await visualiser("re_enable_task", { task_id: "Top_1" })).toEqual({});
    expect(await visualiser("forgive_failures", { task_id: "Top_1" })).toEqual({ task_id: "Top_1", status: "PENDING" });
    expect(await visualiser("mark_as_done", { task_id: "Top_1" })).toEqual({ task_id: "Top_1", status: "PENDING" });
  });

  test("re_enable_task of a scheduler-disabled task: the task with deps, now FAILED", async () => {
    for (let i = 0; i < 3; i += 1) await addTask({ task_id: "Boom", family: "Boom", status: "FAILED", retry_policy_dict: { retry_count: 3 } });
    const listed = await visualiser("task_list", { status: "DISABLED", upstream_status: "", search: "" });
    expect(listed.Boom.re_enable_able).toBe(true);
    const task = await visualiser("re_enable_task", { task_id: "Boom" });
    expect(Object.keys(task)).toEqual([...TASK_KEYS, "deps"]);
    expect(task.status).toBe("FAILED");
  });

  test("pause controls, history flag, resources, prune", async () => {
    expect(await visualiser("is_pause_enabled")).toEqual({ enabled: true });
    expect(await visualiser("pause")).toBeNull();
    expect(await visualiser("is_paused")).toEqual({ paused: true });
    expect(await visualiser("unpause")).toBeNull();
    expect(await visualiser("is_paused")).toEqual({ paused: false });
    expect(await visualiser("has_task_history")).toBe(false);
    expect(await visualiser("update_resource", { resource: "db", amount: 5 })).toBe(true);
    expect(await visualiser("update_resource", { resource: "db", amount: -1 })).toBe(false);
    expect(await rpc("update_resources", { gpu: 2 })).toBeNull();
    expect((await visualiser("resource_list")).map((r: { name: string; num_total: number }) => [r.name, r.num_total])).toEqual([["db", 5], ["gpu", 2]]);
    expect(await rpc("prune")).toBeNull();
  });

  test("a non-finite number a client stored comes back as null", async () => {
    covered.add("add_task");
    const reply = await t.call("add_task", `{"worker": "w", "task_id": "Inf", "family": "Inf", "priority": Infinity}`);
    expect(reply.status).toBe(200);
    const listed = await visualiser("task_list", { status: "PENDING", upstream_status: "", search: "" });
    expect(listed.Inf.priority).toBeNull();
  });
});

describe("errors", () => {
  test("an unknown method is a 404 with a reason; a bad argument a 400 with one", async () => {
    const unknown = await t.call("no_such_method", {});
    expect(unknown.status).toBe(404);
    const bad = await t.call("add_task", { task_id: "T" });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "BAD_ARGUMENTS" } });
    expect((bad.body as { error: { message: string } }).error.message).toContain('"worker"');
  });
});

test("every method of the table was called over HTTP above", () => {
  expect([...RPC_METHODS].filter((method) => !covered.has(method))).toEqual([]);
});
