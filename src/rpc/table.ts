/**
 * The wire table: each of Luigi's 39 RPC names (rpc.md §5, §12) maps to an
 * argument decoder (Luigi's defaults and truthiness), one engine call or
 * read-side query, and the exact reply shape Luigi's clients read. This is the
 * one place where snake_case wire names meet the camelCase engine.
 *
 * Non-finite numbers in a reply (e.g. a client-sent `priority: Infinity`)
 * become `null` when the HTTP edge serialises with JSON.stringify (rpc.md §1.4).
 * @module
 */
import type * as A from "../engine/args.ts";
import type { Engine } from "../engine/engine.ts";
import { dict } from "../engine/queries/dict.ts";
import * as Q from "../engine/queries/index.ts";
import type { Seconds } from "../engine/types.ts";
import { LuigidError } from "../lib/errors.ts";
import { type Args, ArgReader, isPlainObject } from "./decode.ts";

/** A reply already serialised to the bytes of its `{"response": …}` envelope, gzipped past 1 MiB (task_list). */
export { JsonReply } from "../engine/queries/index.ts";

interface MethodSpec<T> {
  decode(args: ArgReader): T;
  run(engine: Engine, args: T, now: Seconds): unknown;
  /** Changes no scheduler state (an implicit prune aside): allowed in auth's read-only mode. */
  readOnly?: boolean;
}

function method<T>(spec: MethodSpec<T>): MethodSpec<unknown> {
  return spec as MethodSpec<unknown>;
}

const none = (): null => null;
const taskIdOnly = (args: ArgReader): A.TaskIdArgs => ({ taskId: args.string("task_id") });
const workerOnly = (args: ArgReader): A.WorkerArgs => ({ worker: args.string("worker") });

// ---- reply shapes ----------------------------------------------------------

interface WireCounts {
  n_pending_tasks: number;
  n_unique_pending: number;
  n_pending_last_scheduled?: number;
  worker_state: "active" | "disabled";
  running_tasks: Array<Record<string, unknown>>;
}

/** The runner's info is merged over task_id/worker, as Luigi's dict.update does. */
function wireRunningTasks(entries: readonly A.RunningTaskEntry[]): Array<Record<string, unknown>> {
  return entries.map((entry) => ({ task_id: entry.taskId, worker: entry.worker, ...entry.info }));
}

function wireCounts(counts: A.PendingCounts): WireCounts {
  return {
    n_pending_tasks: counts.nPendingTasks,
    n_unique_pending: counts.nUniquePending,
    n_pending_last_scheduled: counts.nPendingLastScheduled,
    worker_state: counts.workerState,
    running_tasks: wireRunningTasks(counts.runningTasks),
  };
}

/** §5.2: always an object; a disabled worker gets exactly five keys (quirk 22). */
function wireGetWork(result: A.GetWorkResult): Record<string, unknown> {
  if (result.workerState === "disabled") {
    return {
      n_pending_tasks: result.nPendingTasks,
      running_tasks: wireRunningTasks(result.runningTasks),
      task_id: null,
      n_unique_pending: result.nUniquePending,
      worker_state: "disabled",
    };
  }
  const reply: Record<string, unknown> = { ...wireCounts(result) };
  const handout = result.handout;
  if (handout === null) {
    reply.task_id = null;
  } else if (handout.kind === "task") {
    Object.assign(reply, { task_id: handout.taskId, task_family: handout.family, task_module: handout.module, task_params: handout.params });
  } else {
    Object.assign(reply, {
      task_id: null,
      task_family: handout.family,
      task_module: handout.module,
      task_params: handout.params,
      batch_id: handout.batchId,
      batch_task_ids: handout.taskIds,
    });
  }
  return reply;
}

// ---- decoders that need more than one getter -------------------------------

/** §5.5: `info` as an object or as a list of [key, value] pairs. */
function decodeInfo(args: ArgReader): Record<string, unknown> {
  const info = args.any("info");
  if (isPlainObject(info)) return info;
  const pairs = Array.isArray(info) && info.every((pair) => Array.isArray(pair) && pair.length === 2) ? (info as Array<[unknown, unknown]>) : null;
  if (!pairs) throw new LuigidError("BAD_ARGUMENTS", 'add_worker: argument "info" must be an object or a list of [key, value] pairs');
  const out = dict<unknown>();
  for (const [key, value] of pairs) {
    // Luigi puts the pairs in a dict, where a list or dict key is unhashable (a 500); here
    // String() of such a key either throws (a "toString" key that is not a function) or
    // makes up a name.
    if (key !== null && typeof key === "object") throw new LuigidError("BAD_ARGUMENTS", 'add_worker: each key of "info" must be a string, number, boolean or null');
    out[String(key)] = value;
  }
  return out;
}

/** §2.8: a null entry means the config value; unknown keys are ignored (may fix). */
function decodeRetryPolicy(args: ArgReader): A.RetryPolicyOverride | null {
  const given = args.optionalObject("retry_policy_dict");
  if (given === null) return null;
  const policy = new ArgReader("add_task (retry_policy_dict)", given);
  return {
    retryCount: policy.optionalNumber("retry_count"),
    disableHardTimeout: policy.optionalNumber("disable_hard_timeout"),
    disableWindow: policy.optionalNumber("disable_window"),
  };
}

function decodeAddTask(args: ArgReader): A.AddTaskArgs {
  if (args.raw("worker") === null || !args.has("worker")) {
    throw new LuigidError("BAD_ARGUMENTS", 'add_task: argument "worker" is required and must not be null');
  }
  return {
    taskId: args.string("task_id"),
    worker: args.string("worker"),
    status: args.stringOr("status", "PENDING"),
    runnable: args.flag("runnable", true),
    deps: args.optionalStringList("deps"),
    newDeps: args.optionalStringList("new_deps"),
    expl: args.optionalString("expl"),
    resources: args.optionalNumberMap("resources"),
    priority: args.number("priority", 0),
    family: args.optionalString("family") ?? "",
    module: args.optionalString("module"),
    params: args.optionalObject("params"),
    paramVisibilities: args.optionalNumberMap("param_visibilities"),
    acceptsMessages: args.optionalFlag("accepts_messages", false),
    assistant: args.flag("assistant", false),
    trackingUrl: args.optionalString("tracking_url"),
    batchable: args.optionalFlag("batchable", null),
    batchId: args.optionalString("batch_id"),
    retryPolicyDict: decodeRetryPolicy(args),
    owners: args.optionalStringList("owners"),
  };
}

/** forgive_failures / mark_as_done default task_id to None: Luigi then answers with nulls. */
function taskStatusMethod(run: (engine: Engine, args: A.TaskIdArgs, now: Seconds) => A.TaskStatusResult): MethodSpec<unknown> {
  return method<A.TaskIdArgs | null>({
    decode: (args) => (args.raw("task_id") === null || !args.has("task_id") ? null : taskIdOnly(args)),
    run: (engine, args, now) => {
      if (args === null) return { task_id: null, status: null };
      const result = run(engine, args, now);
      return { task_id: result.taskId, status: result.status };
    },
  });
}

/** The visualiser's per-task getters: `{"taskId": id, "<key>": value}` (camelCase on the wire). */
function taskGetter(key: string, read: (engine: Engine, args: A.TaskIdArgs, now: Seconds) => unknown): MethodSpec<unknown> {
  return method({ decode: taskIdOnly, run: (engine, args, now) => ({ taskId: args.taskId, [key]: read(engine, args, now) }), readOnly: true });
}

// ---- the table -------------------------------------------------------------

const TABLE: Readonly<Record<string, MethodSpec<unknown>>> = {
  add_task: method({ decode: decodeAddTask, run: (engine, args, now) => (engine.addTask(args, now), null) }),
  get_work: method({
    decode: (args): A.GetWorkArgs => ({
      worker: args.string("worker"),
      host: args.optionalString("host"),
      assistant: args.flag("assistant", false),
      currentTasks: args.optionalStringList("current_tasks"),
    }),
    run: (engine, args, now) => wireGetWork(engine.getWork(args, now)),
  }),
  count_pending: method({ decode: workerOnly, run: (engine, args, now) => wireCounts(engine.countPending(args, now)) }),
  ping: method({ decode: workerOnly, run: (engine, args, now) => ({ rpc_messages: engine.ping(args, now).rpcMessages }) }),
  add_worker: method({
    decode: (args): A.AddWorkerArgs => ({ worker: args.string("worker"), info: decodeInfo(args) }),
    run: (engine, args, now) => (engine.addWorker(args, now), null),
  }),
  disable_worker: method({ decode: workerOnly, run: (engine, args, now) => (engine.disableWorker(args, now), null) }),
  set_worker_processes: method({
    decode: (args): A.SetWorkerProcessesArgs => ({ worker: args.string("worker"), n: args.number("n") }),
    run: (engine, args, now) => (engine.setWorkerProcesses(args, now), null),
  }),
  add_task_batcher: method({
    decode: (args): A.AddTaskBatcherArgs => ({
      worker: args.string("worker"),
      taskFamily: args.string("task_family"),
      batchedArgs: args.stringList("batched_args"),
      maxBatchSize: args.number("max_batch_size", Number.POSITIVE_INFINITY),
    }),
    run: (engine, args, now) => (engine.addTaskBatcher(args, now), null),
  }),
  announce_scheduling_failure: method({
    decode: (args): A.AnnounceSchedulingFailureArgs => {
      // Every parameter is required in Luigi's signature; null is tolerated where harmless.
      for (const key of ["task_name", "family", "params", "expl", "owners"]) args.any(key);
      return {
        worker: args.optionalString("worker"),
        taskName: args.string("task_name"),
        family: args.string("family"),
        params: args.optionalObject("params") ?? {},
        expl: args.optionalString("expl") ?? "",
        owners: args.optionalStringList("owners") ?? [],
      };
    },
    run: (engine, args, now) => (engine.announceSchedulingFailure(args, now), null),
  }),
  set_task_status_message: method({
    decode: (args): A.SetTaskStatusMessageArgs => {
      // Task code may pass any value to set_status_message and Luigi stores it: never fail
      // the task over it (the client would retry, then raise inside run()). Store its text.
      const message = args.any("status_message");
      return { taskId: args.string("task_id"), statusMessage: message === null ? null : Q.pythonStr(message) };
    },
    run: (engine, args, now) => (engine.setTaskStatusMessage(args, now), null),
  }),
  get_task_status_message: taskGetter("statusMessage", (engine, args, now) => engine.getTaskStatusMessage(args, now)),
  set_task_progress_percentage: method({
    decode: (args): A.SetTaskProgressPercentageArgs => {
      // Task code may pass anything (a number, "50%", ...) and Luigi stores it as it is: so do we.
      return { taskId: args.string("task_id"), progressPercentage: args.any("progress_percentage") };
    },
    run: (engine, args, now) => (engine.setTaskProgressPercentage(args, now), null),
  }),
  get_task_progress_percentage: taskGetter("progressPercentage", (engine, args, now) => engine.getTaskProgressPercentage(args, now)),
  decrease_running_task_resources: method({
    decode: (args): A.DecreaseRunningTaskResourcesArgs => {
      const decrease = args.optionalNumberMap("decrease_resources");
      if (decrease === null) throw new LuigidError("BAD_ARGUMENTS", 'decrease_running_task_resources: argument "decrease_resources" must be an object of numbers');
      return { taskId: args.string("task_id"), decreaseResources: decrease };
    },
    run: (engine, args, now) => (engine.decreaseRunningTaskResources(args, now), null),
  }),
  get_running_task_resources: taskGetter("resources", (engine, args, now) => engine.getRunningTaskResources(args, now)),
  report_task_statistics: method({
    decode: (args): A.ReportTaskStatisticsArgs => ({ taskId: args.string("task_id"), statistics: args.any("statistics") }),
    run: (engine, args, now) => (engine.reportTaskStatistics(args, now), null),
  }),
  update_metrics_task_started: method({
    decode: (args): A.UpdateMetricsTaskStartedArgs => ({ task: args.any("task") }),
    run: (engine, args, now) => (engine.updateMetricsTaskStarted(args, now), null),
  }),
  send_scheduler_message: method({
    decode: (args): A.SendSchedulerMessageArgs => ({ worker: args.string("worker"), task: args.string("task"), content: args.any("content") }),
    run: (engine, args, now) => ({ message_id: engine.sendSchedulerMessage(args, now) }),
  }),
  add_scheduler_message_response: method({
    decode: (args): A.AddSchedulerMessageResponseArgs => ({
      taskId: args.string("task_id"),
      messageId: args.string("message_id"),
      response: args.any("response"),
    }),
    run: (engine, args, now) => (engine.addSchedulerMessageResponse(args, now), null),
  }),
  get_scheduler_message_response: method({
    decode: (args): A.GetSchedulerMessageResponseArgs => ({ taskId: args.string("task_id"), messageId: args.string("message_id") }),
    // Nested on purpose: the envelope then reads {"response": {"response": …}} (recorded).
    run: (engine, args, now) => ({ response: engine.getSchedulerMessageResponse(args, now) ?? null }),
  }),
  task_list: method({
    decode: (args): A.TaskListArgs => ({
      status: args.optionalString("status") ?? "",
      upstreamStatus: args.optionalString("upstream_status") ?? "",
      limit: args.flag("limit", true),
      search: args.optionalString("search"),
      maxShownTasks: args.optionalNumber("max_shown_tasks"),
    }),
    // Already JSON text (the HTTP edge sends its bytes as they are); JSON.stringify still reads it.
    run: (engine, args, now) => Q.taskListJson(engine, args, now),
    readOnly: true,
  }),
  task_search: method({
    decode: (args): A.TaskSearchArgs => ({ taskStr: args.string("task_str") }),
    run: (engine, args, now) => Q.taskSearch(engine, args, now),
    readOnly: true,
  }),
  graph: method({ decode: none, run: (engine, _args, now) => Q.graph(engine, now), readOnly: true }),
  dep_graph: method({
    decode: (args): A.DepGraphArgs => ({ taskId: args.string("task_id"), includeDone: args.flag("include_done", true) }),
    run: (engine, args, now) => Q.depGraph(engine, args, now),
    readOnly: true,
  }),
  inverse_dep_graph: method({
    decode: (args): A.DepGraphArgs => ({ taskId: args.string("task_id"), includeDone: args.flag("include_done", true) }),
    run: (engine, args, now) => Q.inverseDepGraph(engine, args, now),
    readOnly: true,
  }),
  worker_list: method({
    decode: (args): A.WorkerListArgs => ({ includeRunning: args.flag("include_running", true) }),
    run: (engine, args, now) => Q.workerList(engine, args, now),
    readOnly: true,
  }),
  resource_list: method({ decode: none, run: (engine, _args, now) => Q.resourceList(engine, now), readOnly: true }),
  fetch_error: method({ decode: taskIdOnly, run: (engine, args) => Q.fetchError(engine, args), readOnly: true }),
  re_enable_task: method({
    decode: taskIdOnly,
    run: (engine, args, now) => {
      const task = engine.reEnableTask(args, now);
      return task === null ? {} : Q.serialiseTask(task, engine.config, task.deps);
    },
  }),
  forgive_failures: taskStatusMethod((engine, args, now) => engine.forgiveFailures(args, now)),
  mark_as_done: taskStatusMethod((engine, args, now) => engine.markAsDone(args, now)),
  pause: method({ decode: none, run: (engine, _args, now) => (engine.pause(now), null) }),
  unpause: method({ decode: none, run: (engine, _args, now) => (engine.unpause(now), null) }),
  is_paused: method({ decode: none, run: (engine) => ({ paused: engine.isPaused() }), readOnly: true }),
  is_pause_enabled: method({ decode: none, run: (engine) => ({ enabled: engine.isPauseEnabled() }), readOnly: true }),
  has_task_history: method({ decode: none, run: (engine) => engine.hasTaskHistory(), readOnly: true }),
  update_resources: method({
    // The whole object is the capacity table: update_resources(**resources).
    decode: (args): A.UpdateResourcesArgs => {
      const resources = dict<number>();
      for (const name of Object.keys(args.args)) resources[name] = args.number(name);
      return { resources };
    },
    run: (engine, args, now) => (engine.updateResources(args, now), null),
  }),
  update_resource: method({
    decode: (args): A.UpdateResourceArgs => ({ resource: args.string("resource"), amount: args.any("amount") }),
    run: (engine, args, now) => engine.updateResource(args, now),
  }),
  prune: method({ decode: none, run: (engine, _args, now) => (engine.prune(now), null) }),
};

/** The 39 wire names of rpc.md §5. */
export const RPC_METHODS: readonly string[] = Object.freeze(Object.keys(TABLE));

/** Methods that change no scheduler state (some prune first, as Luigi does). */
export const READ_ONLY_METHODS: ReadonlySet<string> = new Set(RPC_METHODS.filter((name) => TABLE[name]?.readOnly));

export function isRpcMethod(name: string): boolean {
  return Object.hasOwn(TABLE, name);
}

/**
 * Runs one RPC synchronously: decode, call, shape the reply (the value of the
 * `"response"` envelope). Throws LuigidError UNKNOWN_METHOD (→ 404) or
 * BAD_ARGUMENTS (→ 400); anything else thrown is a bug.
 */
export function dispatch(engine: Engine, name: string, args: Args, now: Seconds): unknown {
  const spec = Object.hasOwn(TABLE, name) ? TABLE[name] : undefined;
  if (!spec) throw new LuigidError("UNKNOWN_METHOD", `unknown RPC method: ${name}`);
  if (!isPlainObject(args)) throw new LuigidError("BAD_ARGUMENTS", `${name}: the "data" argument must be a JSON object`);
  const decoded = spec.decode(new ArgReader(name, args));
  return spec.run(engine, decoded, now);
}
