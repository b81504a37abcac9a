/**
 * Decoded, typed arguments of every engine method (rpc.md §5), camelCase.
 * src/rpc/table.ts turns the wire JSON into these: Luigi's defaults applied,
 * Python truthiness already resolved where the spec tests truthiness, unknown
 * keys dropped. The engine trusts these shapes and validates nothing else.
 * @module
 */
import type { RpcMessage, TaskRecord, TaskStatus } from "./types.ts";

/** `retry_policy_dict`: a null entry means "use the config value". */
export interface RetryPolicyOverride {
  retryCount?: number | null;
  disableHardTimeout?: number | null;
  disableWindow?: number | null;
}

/** §5.1 */
export interface AddTaskArgs {
  taskId: string;
  worker: string;
  /** As sent (not validated); "SUSPENDED" is mapped to PENDING by the engine. Default "PENDING". */
  status: TaskStatus;
  /** Python truthiness of `runnable` (default true; null → false). */
  runnable: boolean;
  deps: string[] | null;
  newDeps: string[] | null;
  expl: string | null;
  /** null is kept null: the engine applies quirk 4 (null → {}). */
  resources: Record<string, number> | null;
  priority: number;
  family: string;
  module: string | null;
  params: Record<string, unknown> | null;
  paramVisibilities: Record<string, number> | null;
  /** null leaves the flag alone; the client default false resets it (quirk 5). */
  acceptsMessages: boolean | null;
  /** Python truthiness of `assistant`. */
  assistant: boolean;
  trackingUrl: string | null;
  batchable: boolean | null;
  batchId: string | null;
  retryPolicyDict: RetryPolicyOverride | null;
  owners: string[] | null;
}

/** §5.2 */
export interface GetWorkArgs {
  worker: string;
  host: string | null;
  /** Python truthiness of `assistant`. */
  assistant: boolean;
  currentTasks: string[] | null;
}

/** §5.3, §5.4, §5.6: methods that take only a worker id. */
export interface WorkerArgs {
  worker: string;
}
export type CountPendingArgs = WorkerArgs;
export type PingArgs = WorkerArgs;
export type DisableWorkerArgs = WorkerArgs;

/** §5.5: `info` already converted from a list of pairs when needed. */
export interface AddWorkerArgs {
  worker: string;
  info: Record<string, unknown>;
}

/** §5.7 */
export interface SetWorkerProcessesArgs {
  worker: string;
  n: number;
}

/** §5.8: maxBatchSize may be Infinity (the wire's bare `Infinity`). */
export interface AddTaskBatcherArgs {
  worker: string;
  taskFamily: string;
  batchedArgs: string[];
  maxBatchSize: number;
}

/** §5.9: `worker` arrives through extra keys and may be absent. */
export interface AnnounceSchedulingFailureArgs {
  worker: string | null;
  taskName: string;
  family: string;
  params: Record<string, unknown>;
  expl: string;
  owners: string[];
}

/** Methods that take only a task id (§5.10–5.12 getters, §5.22–5.25). */
export interface TaskIdArgs {
  taskId: string;
}
export type GetTaskStatusMessageArgs = TaskIdArgs;
export type GetTaskProgressPercentageArgs = TaskIdArgs;
export type GetRunningTaskResourcesArgs = TaskIdArgs;
export type ReEnableTaskArgs = TaskIdArgs;
export type ForgiveFailuresArgs = TaskIdArgs;
export type MarkAsDoneArgs = TaskIdArgs;
export type FetchErrorArgs = TaskIdArgs;

/** §5.10 */
export interface SetTaskStatusMessageArgs {
  taskId: string;
  statusMessage: string | null;
}

/** §5.11 */
export interface SetTaskProgressPercentageArgs {
  taskId: string;
  progressPercentage: unknown;
}

/** §5.12 */
export interface DecreaseRunningTaskResourcesArgs {
  taskId: string;
  decreaseResources: Record<string, number>;
}

/** §5.13 */
export interface ReportTaskStatisticsArgs {
  taskId: string;
  statistics: unknown;
}

/** §5.14: any JSON value. */
export interface UpdateMetricsTaskStartedArgs {
  task: unknown;
}

/** §5.15 */
export interface SendSchedulerMessageArgs {
  worker: string;
  task: string;
  content: unknown;
}
export interface AddSchedulerMessageResponseArgs {
  taskId: string;
  messageId: string;
  response: unknown;
}
export interface GetSchedulerMessageResponseArgs {
  taskId: string;
  messageId: string;
}

/** §5.16 / §8.1 (read side, src/engine/queries). */
export interface TaskListArgs {
  /** "" (falsy) means every status. */
  status: string;
  /** "" (falsy) means no upstream filter. */
  upstreamStatus: string;
  limit: boolean;
  search: string | null;
  /** null/0 means the config's max_shown_tasks. */
  maxShownTasks: number | null;
}

/** §5.17 */
export interface TaskSearchArgs {
  taskStr: string;
}

/** §5.19 */
export interface DepGraphArgs {
  taskId: string;
  includeDone: boolean;
}

/** §5.20 */
export interface WorkerListArgs {
  includeRunning: boolean;
}

/** §5.27: values merged without validation, as Luigi does. */
export interface UpdateResourcesArgs {
  resources: Record<string, number>;
}
/** §5.27: `amount` as received; the engine accepts only integers ≥ 0 (booleans count as 0/1). */
export interface UpdateResourceArgs {
  resource: string;
  amount: unknown;
}

// ---------------------------------------------------------------------------
// Results. The table (src/rpc/table.ts) turns these into the snake_case wire
// shapes of rpc.md §5; the engine does not know key names or key order.

/** One `running_tasks` entry: the runner's `info` is merged in on the wire. */
export interface RunningTaskEntry {
  taskId: string;
  worker: string | null;
  info: Record<string, unknown>;
}

/** §5.3 count_pending. When workerState is "disabled" the wire omits n_pending_last_scheduled. */
export interface PendingCounts {
  nPendingTasks: number;
  nUniquePending: number;
  nPendingLastScheduled: number;
  workerState: "active" | "disabled";
  runningTasks: RunningTaskEntry[];
}

/** A single task handed out (§6.5). `params` are all params, hidden ones included. */
export interface SingleHandout {
  kind: "task";
  taskId: string;
  family: string;
  module: string | null;
  params: Record<string, unknown>;
}

/** A batch handed out (§6.4): batched names in `params` hold lists, in member order. */
export interface BatchHandout {
  kind: "batch";
  batchId: string;
  taskIds: string[];
  family: string;
  module: string | null;
  params: Record<string, unknown>;
}

/** §5.2: wire `task_id` is handout.taskId for a single task, null otherwise. */
export interface GetWorkResult extends PendingCounts {
  handout: SingleHandout | BatchHandout | null;
}

/** §5.4 */
export interface PingResult {
  rpcMessages: RpcMessage[];
}

/** §5.24 / §5.25: status null when the task is unknown. */
export interface TaskStatusResult {
  taskId: string;
  status: TaskStatus | null;
}

/** §5.23: the re-enabled record (serialise it with deps), or null → `{}`. */
export type ReEnableResult = TaskRecord | null;
