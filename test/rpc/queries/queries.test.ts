import { describe, expect, test } from "bun:test";
import {
  depGraph,
  displayName,
  fetchError,
  graph,
  inverseDepGraph,
  placeholderNode,
  resourceList,
  serialiseTask,
  taskList,
  taskSearch,
  UpstreamStatusMemo,
  workerList,
} from "../../../src/engine/queries/index.ts";
import type { TaskListArgs } from "../../../src/engine/args.ts";
import type { TaskRecord, UpstreamStatus } from "../../../src/engine/types.ts";
import { aTask, aWorker, FakeView } from "./fake-view.ts";

const NOW = 1000;
const list = (overrides: Partial<TaskListArgs> = {}): TaskListArgs => ({ status: "", upstreamStatus: "", limit: true, search: null, maxShownTasks: null, ...overrides });

describe("display_name (§2.10)", () => {
  test("public params sorted by name, hidden ones left out", () => {
    const task = aTask("Step_x", { family: "Step", params: { date: "2024-01-01", secret: "s3cr3t", a: "1" }, paramVisibilities: { secret: 1 } });
    expect(displayName(task)).toBe("Step(a=1, date=2024-01-01)");
  });
  test("no params and no family", () => {
    expect(displayName(aTask("Top__99914b932b", { family: "Top" }))).toBe("Top()");
    expect(displayName(aTask("x", { family: "" }))).toBe("()");
  });
  test("private params (visibility 2) are not public either", () => {
    expect(displayName(aTask("P", { family: "P", params: { k: "v" }, paramVisibilities: { k: 2 } }))).toBe("P()");
  });
  test("keys in code-unit order, as Python sorts them: uppercase before lowercase, few keys and many", () => {
    expect(displayName(aTask("S", { family: "S", params: { b: "2", B: "1", a: "3", _: "0" } }))).toBe("S(B=1, _=0, a=3, b=2)");
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${19 - i}`, String(i)]));
    const names = Object.keys(many).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(displayName(aTask("M", { family: "M", params: many }))).toBe(`M(${names.map((k) => `${k}=${many[k]}`).join(", ")})`);
  });
  test("non-string values render as Python's str()", () => {
    expect(displayName(aTask("V", { family: "V", params: { a: true, b: null, c: 3, d: ["x"] } }))).toBe("V(a=True, b=None, c=3, d=['x'])");
  });
});

describe("serialised task (§2.9)", () => {
  test("a PENDING task has exactly the base keys", () => {
    const out = serialiseTask(aTask("A", { params: { p: "1", h: "2" }, paramVisibilities: { h: 1 }, workers: ["w1", "w2"] }), { sendMessages: true });
    expect(Object.keys(out)).toEqual([
      "display_name", "status", "workers", "worker_running", "time_running", "start_time", "last_updated", "params",
      "name", "priority", "resources", "resources_running", "tracking_url", "status_message", "progress_percentage",
    ]);
    expect(out.params).toEqual({ p: "1" });
    expect(out.workers).toEqual(["w1", "w2"]);
  });
  test("re_enable_able only on DISABLED tasks, true only for a scheduler disable", () => {
    expect(serialiseTask(aTask("A", { status: "DISABLED", schedulerDisableTime: 5 }), { sendMessages: true }).re_enable_able).toBe(true);
    expect(serialiseTask(aTask("A", { status: "DISABLED" }), { sendMessages: true }).re_enable_able).toBe(false);
    expect("re_enable_able" in serialiseTask(aTask("A", { status: "FAILED", schedulerDisableTime: 5 }), { sendMessages: true })).toBe(false);
  });
  test("accepts_messages only for RUNNING tasks while send_messages is on", () => {
    const running = aTask("A", { status: "RUNNING", acceptsMessages: true });
    expect(serialiseTask(running, { sendMessages: true }).accepts_messages).toBe(true);
    expect("accepts_messages" in serialiseTask(running, { sendMessages: false })).toBe(false);
    expect("accepts_messages" in serialiseTask(aTask("B", { acceptsMessages: true }), { sendMessages: true })).toBe(false);
  });
});

describe("upstream status (§3.5)", () => {
  test("the verified example: disabled beats failed", () => {
    const view = new FakeView([
      aTask("D", { status: "DISABLED" }),
      aTask("C", { deps: ["D"] }),
      aTask("F", { status: "FAILED" }),
      aTask("E", { deps: ["C", "F"] }),
    ]);
    const memo = new UpstreamStatusMemo(view);
    expect(memo.of("E")).toBe("UPSTREAM_DISABLED");
    expect(memo.of("C")).toBe("UPSTREAM_DISABLED");
    expect(memo.of("F")).toBe("UPSTREAM_FAILED");
  });
  test.each<[string, TaskRecord[], UpstreamStatus]>([
    ["a dep-less PENDING task is missing input itself", [aTask("T")], "UPSTREAM_MISSING_INPUT"],
    ["all deps DONE means ready", [aTask("T", { deps: ["A"] }), aTask("A", { status: "DONE" })], ""],
    ["missing deps contribute nothing", [aTask("T", { deps: ["Ghost"] })], ""],
    ["a running dep", [aTask("T", { deps: ["A"] }), aTask("A", { status: "BATCH_RUNNING" })], "UPSTREAM_RUNNING"],
    ["an UNKNOWN placeholder dep", [aTask("T", { deps: ["A"] }), aTask("A", { status: "UNKNOWN" })], ""],
    ["a pending dep waiting on an external input", [aTask("T", { deps: ["A"] }), aTask("A", { deps: ["X"] }), aTask("X")], "UPSTREAM_MISSING_INPUT"],
  ])("%s", (_name, tasks, expected) => {
    expect(new UpstreamStatusMemo(new FakeView(tasks)).of("T")).toBe(expected);
  });
  test("a cycle terminates", () => {
    const view = new FakeView([aTask("A", { deps: ["B"] }), aTask("B", { deps: ["A"] })]);
    expect(new UpstreamStatusMemo(view).of("A")).toBe("");
  });
  test("a 100,000-deep chain needs no recursion", () => {
    const tasks = Array.from({ length: 100_000 }, (_, i) => aTask(`T${i}`, { deps: i < 99_999 ? [`T${i + 1}`] : [] }));
    tasks[99_999] = aTask("T99999", { status: "FAILED" });
    expect(new UpstreamStatusMemo(new FakeView(tasks)).of("T0")).toBe("UPSTREAM_FAILED");
  });
});

describe("task_list (§8.1)", () => {
  const fourPending = () => new FakeView(["Test_0", "Test_1", "Test_2", "Test_3"].map((id, i) => aTask(id, { family: "Test", params: { n: String(i) } })), { maxShownTasks: 3 });

  test("over the cap: the count, before any prune", () => {
    const view = fourPending();
    expect(taskList(view, list({ status: "PENDING" }), NOW)).toEqual({ num_tasks: 4 });
    expect(view.prunes).toEqual([]);
  });
  test("over the cap with an upstream filter: -1", () => {
    expect(taskList(fourPending(), list({ status: "PENDING", upstreamStatus: "UPSTREAM_FAILED" }), NOW)).toEqual({ num_tasks: -1 });
  });
  test("limit=false lists everything", () => {
    expect(Object.keys(taskList(fourPending(), list({ status: "PENDING", limit: false }), NOW))).toHaveLength(4);
  });
  test("a search whose result is over the cap gives the count, after a prune", () => {
    const view = fourPending();
    expect(taskList(view, list({ status: "PENDING", search: "Test" }), NOW)).toEqual({ num_tasks: 4 });
    expect(view.prunes).toEqual([NOW]);
  });
  test("a narrow search lists only its matches", () => {
    expect(Object.keys(taskList(fourPending(), list({ status: "PENDING", search: "n=0" }), NOW))).toEqual(["Test_0"]);
  });
  test("max_shown_tasks overrides the config cap", () => {
    const view = new FakeView([aTask("A"), aTask("B"), aTask("C")]);
    expect(taskList(view, list({ status: "PENDING", maxShownTasks: 2 }), NOW)).toEqual({ num_tasks: 3 });
  });
  test("search: every term, case-insensitive, against the pretty id (not the id, not hidden params)", () => {
    const view = new FakeView([
      aTask("Clean_a_1", { family: "Clean", params: { source: "a", token: "zz" }, paramVisibilities: { token: 1 } }),
      aTask("Clean_b_2", { family: "Clean", params: { source: "b" } }),
    ]);
    expect(Object.keys(taskList(view, list({ search: "clean SOURCE=a" }), NOW))).toEqual(["Clean_a_1"]);
    expect(taskList(view, list({ search: "Clean_a" }), NOW)).toEqual({});
    expect(taskList(view, list({ search: "zz" }), NOW)).toEqual({});
    expect(Object.keys(taskList(view, list({ search: "" }), NOW))).toHaveLength(2);
  });
  test("the upstream filter applies to PENDING tasks only", () => {
    const view = new FakeView([
      aTask("Ext"),
      aTask("Ready", { deps: ["Done"] }),
      aTask("Done", { status: "DONE" }),
      aTask("Broken", { status: "FAILED" }),
    ]);
    expect(Object.keys(taskList(view, list({ upstreamStatus: "UPSTREAM_MISSING_INPUT" }), NOW)).sort()).toEqual(["Broken", "Done", "Ext"]);
  });
  test("no deps key in listings", () => {
    const out = taskList(new FakeView([aTask("A", { deps: ["B"] })]), list(), NOW) as Record<string, object>;
    expect("deps" in out.A!).toBe(false);
  });
});

describe("task_search (§5.17)", () => {
  test("case-sensitive substring of the id, grouped by status, after a prune", () => {
    const view = new FakeView([aTask("Clean_a"), aTask("Clean_b", { status: "DONE" }), aTask("clean_c"), aTask("Other")]);
    const out = taskSearch(view, { taskStr: "Clean" }, NOW);
    expect(Object.keys(out).sort()).toEqual(["DONE", "PENDING"]);
    expect(Object.keys(out.PENDING!)).toEqual(["Clean_a"]);
    expect(Object.keys(out.DONE!)).toEqual(["Clean_b"]);
    expect(taskSearch(view, { taskStr: "zzz" }, NOW)).toEqual({});
    expect(view.prunes).toEqual([NOW, NOW]);
  });
});

describe("graph views (§5.18, §5.19, §2.11)", () => {
  const diamond = () =>
    new FakeView([
      aTask("Top_1", { deps: ["Mid_a", "Mid_b"] }),
      aTask("Mid_a", { deps: ["Base_1"] }),
      aTask("Mid_b", { deps: ["Base_1", "Ghost_dep_x"], status: "DONE" }),
      aTask("Base_1", { status: "DONE" }),
    ]);

  test("placeholder names come from the id", () => {
    expect(placeholderNode("Missing_dep_abc").name).toBe("Missing");
    expect(placeholderNode("Fam(x=1)").name).toBe("Fam");
    expect(placeholderNode("nounderscore").name).toBe("UNKNOWN");
  });
  test("dep_graph: root keeps display_name, others lose it, unknown deps become placeholders", () => {
    const out = depGraph(diamond(), { taskId: "Top_1", includeDone: true }, NOW);
    expect(Object.keys(out).sort()).toEqual(["Base_1", "Ghost_dep_x", "Mid_a", "Mid_b", "Top_1"]);
    expect(out.Top_1!.display_name).toBe("Top()");
    expect("display_name" in out.Mid_a!).toBe(false);
    expect(out.Ghost_dep_x).toEqual({ deps: [], status: "UNKNOWN", workers: [], start_time: "UNKNOWN", params: { task_id: "Ghost_dep_x" }, name: "Ghost", priority: 0 });
    expect(out.Top_1!.deps).toEqual(["Mid_a", "Mid_b"]);
  });
  test("include_done=false drops edges to DONE tasks and does not walk them, but keeps a DONE root", () => {
    const out = depGraph(diamond(), { taskId: "Top_1", includeDone: false }, NOW);
    expect(Object.keys(out).sort()).toEqual(["Mid_a", "Top_1"]);
    expect(out.Mid_a!.deps).toEqual([]);
    expect(Object.keys(depGraph(diamond(), { taskId: "Mid_b", includeDone: false }, NOW)).sort()).toEqual(["Ghost_dep_x", "Mid_b"]);
  });
  test("an unknown root gives {}", () => {
    expect(depGraph(diamond(), { taskId: "Nope", includeDone: true }, NOW)).toEqual({});
    expect(inverseDepGraph(diamond(), { taskId: "Nope", includeDone: true }, NOW)).toEqual({});
  });
  test("max_graph_nodes keeps the nodes nearest the root (breadth first, sorted)", () => {
    const view = diamond();
    Object.assign(view.config, { maxGraphNodes: 3 });
    expect(Object.keys(depGraph(view, { taskId: "Top_1", includeDone: true }, NOW)).sort()).toEqual(["Mid_a", "Mid_b", "Top_1"]);
  });
  test("a family-less task is a placeholder and its deps are not walked", () => {
    const view = new FakeView([aTask("Root_1", { deps: ["anon"] }), aTask("anon", { family: "", deps: ["Hidden_1"] }), aTask("Hidden_1")]);
    const out = depGraph(view, { taskId: "Root_1", includeDone: true }, NOW);
    expect(Object.keys(out).sort()).toEqual(["Root_1", "anon"]);
    expect(out.anon!.name).toBe("UNKNOWN");
  });
  test("inverse_dep_graph walks dependents", () => {
    const out = inverseDepGraph(diamond(), { taskId: "Base_1", includeDone: true }, NOW);
    expect(Object.keys(out).sort()).toEqual(["Base_1", "Mid_a", "Mid_b", "Top_1"]);
    expect([...out.Base_1!.deps!].sort()).toEqual(["Mid_a", "Mid_b"]);
  });
  test("graph: one traversal per unreached task; roots keep display_name", () => {
    const view = new FakeView([aTask("A_1", { deps: ["B_1"] }), aTask("B_1"), aTask("C_1", { deps: ["B_1"] }), aTask("D_1")]);
    const out = graph(view, NOW);
    expect(Object.keys(out).sort()).toEqual(["A_1", "B_1", "C_1", "D_1"]);
    expect("display_name" in out.A_1!).toBe(true);
    expect("display_name" in out.B_1!).toBe(false);
    expect("display_name" in out.D_1!).toBe(true);
    expect(view.prunes).toEqual([NOW]);
  });
  test("graph: the cap applies per traversal, and a node queued past the cap is never shown (as in Luigi)", () => {
    const view = new FakeView([aTask("A_1", { deps: ["B_1"] }), aTask("B_1"), aTask("C_1")], { maxGraphNodes: 1 });
    expect(Object.keys(graph(view, NOW)).sort()).toEqual(["A_1", "C_1"]);
  });
});

describe("worker_list (§5.20)", () => {
  test("newest first, info merged (fixed keys win), counts of running, pending and unique tasks", () => {
    const view = new FakeView([
      aTask("R_1", { status: "RUNNING", workerRunning: "old", workers: ["old"] }),
      aTask("P_1", { workers: ["old"] }),
      aTask("P_2", { workers: ["old", "new"] }),
      aTask("F_1", { status: "FAILED", workers: ["old"] }),
    ]);
    view.addWorker(aWorker("old", { started: 10, info: { host: "h", name: "collides", first_task: "P_1" } }));
    view.addWorker(aWorker("new", { started: 20, disabled: true, rpcMessages: [{ name: "x", kwargs: {} }] }));
    const [first, second] = workerList(view, { includeRunning: true }, NOW);
    expect(first).toMatchObject({ name: "new", state: "disabled", num_unread_rpc_messages: 1, first_task_display_name: "", num_pending: 1, num_uniques: 0, num_running: 0, running: {} });
    expect(second).toMatchObject({ name: "old", host: "h", first_task: "P_1", first_task_display_name: "P()", num_pending: 2, num_uniques: 1, num_running: 1 });
    expect(Object.keys(second!.running!)).toEqual(["R_1"]);
  });
  test("first_task_display_name: \"\" without first_task, null when first_task is null (assistants), the id of an unknown task", () => {
    const view = new FakeView([aTask("P_1")]);
    view.addWorker(aWorker("none", { started: 10 }));
    view.addWorker(aWorker("assistant", { started: 20, info: { first_task: null } }));
    view.addWorker(aWorker("gone", { started: 30, info: { first_task: "Gone_1" } }));
    expect(workerList(view, { includeRunning: false }, NOW).map((w) => [w.name, w.first_task_display_name])).toEqual([
      ["gone", "Gone_1"],
      ["assistant", null],
      ["none", ""],
    ]);
  });

  test("include_running=false leaves the counts out", () => {
    const view = new FakeView().addWorker(aWorker("w"));
    expect(Object.keys(workerList(view, { includeRunning: false }, NOW)[0]!).sort()).toEqual(
      ["first_task_display_name", "last_active", "name", "num_unread_rpc_messages", "started", "state"],
    );
  });
});

describe("resource_list (§5.21)", () => {
  test("configured resources only; consumers by declared resources, usage from the engine", () => {
    const view = new FakeView([
      aTask("A", { status: "RUNNING", resources: { db: 0 }, resourcesRunning: { db: 0 } }),
      aTask("B", { status: "RUNNING", resources: { gpu: 1 } }),
      aTask("C", { resources: { db: 1 } }),
    ]);
    view.capacities = { db: 2, cpu: 4 };
    view.used = { db: 1 };
    expect(resourceList(view, NOW).map(({ running, ...rest }) => ({ ...rest, running: Object.keys(running) }))).toEqual([
      { name: "db", num_total: 2, num_used: 1, num_consumer: 1, running: ["A"] },
      { name: "cpu", num_total: 4, num_used: 0, num_consumer: 0, running: [] },
    ]);
  });
});

describe("fetch_error (§5.22)", () => {
  test("the stored explanation with all params, hidden ones included", () => {
    const view = new FakeView([aTask("Boom_1", { expl: '"boom"', module: "m", params: { a: "1", s: "x" }, paramVisibilities: { s: 1 } })]);
    expect(fetchError(view, { taskId: "Boom_1" })).toEqual({ taskId: "Boom_1", error: '"boom"', displayName: "Boom(a=1)", taskParams: { a: "1", s: "x" }, taskModule: "m", taskFamily: "Boom" });
    expect(fetchError(view, { taskId: "Nope" })).toEqual({ taskId: "Nope", error: "" });
  });
});
