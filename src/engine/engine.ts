/**
 * The scheduling engine (rpc.md §2–§7): every task, worker, batcher and
 * resource in memory, mutated only by the RPC methods below. Pure: time comes
 * in as `now`, nothing here does I/O, and every change is reported through
 * drainEvents() / drainChanges() for the store, history and metrics to follow.
 * @module
 */
import type * as A from "./args.ts";
import type { ChangeSet, EngineEvent } from "./events.ts";
import type {
  BatcherEntry,
  EngineConfig,
  EngineState,
  Seconds,
  TaskRecord,
  TaskStatus,
  WorkerRecord,
} from "./types.ts";

export interface EngineOptions {
  /** Source of `send_scheduler_message` ids (UUID4); injectable so tests are deterministic. */
  newMessageId?: () => string;
}

const notYet = (what: string): never => {
  throw new Error(`engine: ${what} not implemented yet`);
};

export class Engine {
  /** Bumped on every mutation; the UI's live updates poll it. */
  version = 0;

  private readonly taskTable = new Map<string, TaskRecord>();
  private readonly statusIndex = new Map<TaskStatus, Set<string>>();
  private readonly workerTable = new Map<string, WorkerRecord>();
  private readonly batchers = new Map<string, Map<string, BatcherEntry>>();
  private capacities: Record<string, number>;
  private paused = false;
  private events: EngineEvent[] = [];
  private changes: ChangeSet = { tasks: new Set(), workers: new Set(), meta: false };

  constructor(
    readonly config: EngineConfig,
    private readonly options: EngineOptions = {},
  ) {
    this.capacities = { ...config.resources };
  }

  // ---- integration API (src/engine/README.md) ------------------------------

  drainEvents(): EngineEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  drainChanges(): ChangeSet {
    const out = this.changes;
    this.changes = { tasks: new Set(), workers: new Set(), meta: false };
    return out;
  }

  getTask(id: string): Readonly<TaskRecord> | undefined {
    return this.taskTable.get(id);
  }

  /** Every task in table (insertion) order. */
  tasks(): IterableIterator<Readonly<TaskRecord>> {
    return this.taskTable.values();
  }

  taskCount(): number {
    return this.taskTable.size;
  }

  /** Tasks in one status, in the order they entered it (Luigi's status index). */
  *tasksByStatus(status: TaskStatus): IterableIterator<Readonly<TaskRecord>> {
    const ids = this.statusIndex.get(status);
    if (!ids) return;
    for (const id of ids) {
      const task = this.taskTable.get(id);
      if (task) yield task;
    }
  }

  countByStatus(status: TaskStatus): number {
    return this.statusIndex.get(status)?.size ?? 0;
  }

  statusCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [status, ids] of this.statusIndex) if (ids.size > 0) out[status] = ids.size;
    return out;
  }

  getWorker(id: string): Readonly<WorkerRecord> | undefined {
    return this.workerTable.get(id);
  }

  /** Workers in table (first-seen) order. */
  workers(): IterableIterator<Readonly<WorkerRecord>> {
    return this.workerTable.values();
  }

  /** The batcher W registered for a family (§2.7), if any. */
  getBatcher(worker: string, family: string): Readonly<BatcherEntry> | undefined {
    return this.batchers.get(worker)?.get(family);
  }

  /** Current capacities: `[resources]` plus runtime update_resource(s), in insertion order. */
  resourceCapacities(): Readonly<Record<string, number>> {
    return this.capacities;
  }

  /** §3.6 "used": sum over RUNNING tasks of resources_running (else resources). */
  resourcesInUse(): Record<string, number> {
    return notYet("resourcesInUse");
  }

  isPaused(): boolean {
    return this.paused;
  }

  exportState(): EngineState {
    return notYet("exportState");
  }

  loadState(_state: EngineState): void {
    notYet("loadState");
  }

  // ---- RPC methods (rpc.md §5), called through src/rpc/table.ts -------------

  addTask(_args: A.AddTaskArgs, _now: Seconds): void {
    notYet("addTask");
  }

  getWork(_args: A.GetWorkArgs, _now: Seconds): A.GetWorkResult {
    return notYet("getWork");
  }

  countPending(_args: A.CountPendingArgs, _now: Seconds): A.PendingCounts {
    return notYet("countPending");
  }

  ping(_args: A.PingArgs, _now: Seconds): A.PingResult {
    return notYet("ping");
  }

  addWorker(_args: A.AddWorkerArgs, _now: Seconds): void {
    notYet("addWorker");
  }

  disableWorker(_args: A.DisableWorkerArgs, _now: Seconds): void {
    notYet("disableWorker");
  }

  setWorkerProcesses(_args: A.SetWorkerProcessesArgs, _now: Seconds): void {
    notYet("setWorkerProcesses");
  }

  addTaskBatcher(_args: A.AddTaskBatcherArgs, _now: Seconds): void {
    notYet("addTaskBatcher");
  }

  announceSchedulingFailure(_args: A.AnnounceSchedulingFailureArgs, _now: Seconds): void {
    notYet("announceSchedulingFailure");
  }

  setTaskStatusMessage(_args: A.SetTaskStatusMessageArgs, _now: Seconds): void {
    notYet("setTaskStatusMessage");
  }

  /** "" for an unknown task (recorded), else the stored message (may be null). */
  getTaskStatusMessage(_args: A.GetTaskStatusMessageArgs, _now: Seconds): string | null {
    return notYet("getTaskStatusMessage");
  }

  setTaskProgressPercentage(_args: A.SetTaskProgressPercentageArgs, _now: Seconds): void {
    notYet("setTaskProgressPercentage");
  }

  getTaskProgressPercentage(_args: A.GetTaskProgressPercentageArgs, _now: Seconds): number | null {
    return notYet("getTaskProgressPercentage");
  }

  decreaseRunningTaskResources(_args: A.DecreaseRunningTaskResourcesArgs, _now: Seconds): void {
    notYet("decreaseRunningTaskResources");
  }

  getRunningTaskResources(_args: A.GetRunningTaskResourcesArgs, _now: Seconds): Record<string, number> | null {
    return notYet("getRunningTaskResources");
  }

  reportTaskStatistics(_args: A.ReportTaskStatisticsArgs, _now: Seconds): void {
    notYet("reportTaskStatistics");
  }

  updateMetricsTaskStarted(_args: A.UpdateMetricsTaskStartedArgs, _now: Seconds): void {
    notYet("updateMetricsTaskStarted");
  }

  /** The new message id, or null when `send_messages` is off. */
  sendSchedulerMessage(_args: A.SendSchedulerMessageArgs, _now: Seconds): string | null {
    return notYet("sendSchedulerMessage");
  }

  addSchedulerMessageResponse(_args: A.AddSchedulerMessageResponseArgs, _now: Seconds): void {
    notYet("addSchedulerMessageResponse");
  }

  /** Removes and returns the stored response (null when none). */
  getSchedulerMessageResponse(_args: A.GetSchedulerMessageResponseArgs, _now: Seconds): unknown {
    return notYet("getSchedulerMessageResponse");
  }

  reEnableTask(_args: A.ReEnableTaskArgs, _now: Seconds): A.ReEnableResult {
    return notYet("reEnableTask");
  }

  forgiveFailures(_args: A.ForgiveFailuresArgs, _now: Seconds): A.TaskStatusResult {
    return notYet("forgiveFailures");
  }

  markAsDone(_args: A.MarkAsDoneArgs, _now: Seconds): A.TaskStatusResult {
    return notYet("markAsDone");
  }

  pause(_now: Seconds): void {
    notYet("pause");
  }

  unpause(_now: Seconds): void {
    notYet("unpause");
  }

  isPauseEnabled(): boolean {
    return this.config.pauseEnabled;
  }

  updateResources(_args: A.UpdateResourcesArgs, _now: Seconds): void {
    notYet("updateResources");
  }

  updateResource(_args: A.UpdateResourceArgs, _now: Seconds): boolean {
    return notYet("updateResource");
  }

  hasTaskHistory(): boolean {
    return this.config.recordTaskHistory;
  }

  /** §3.8: forget dead workers, fail their tasks, retry, re-enable, remove. */
  prune(_now: Seconds): void {
    notYet("prune");
  }
}
