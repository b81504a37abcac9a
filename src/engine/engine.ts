/**
 * The scheduling engine (rpc.md §2–§7): every task, worker, batcher and
 * resource in memory, mutated only by the RPC methods below. Pure: time comes
 * in as `now`, nothing here does I/O, and every change is reported through
 * drainEvents() / drainChanges() for the store, history and metrics to follow.
 *
 * Speed comes from indexes kept up to date on every change instead of scans:
 * schedulable PENDING tasks (all deps DONE) sit in rank-ordered lists, one
 * global, one per worker and one per batchable family; per-worker counters
 * answer count_pending; timer heaps tell prune which tasks are due. All derived
 * state of a task is recomputed by `refresh(task)` after any change to it.
 * @module
 */
import type * as A from "./args.ts";
import { batchIdOf } from "./batch-id.ts";
import { BufferedMap } from "./buffered-map.ts";
import { CompactSet, EMPTY_SET, SingletonSets } from "./compact-set.ts";
import { ChunkedList } from "./chunked-list.ts";
import type { ChangeSet, EngineEvent } from "./events.ts";
import { clearFailures, hasExcessiveFailures, recordFailure } from "./failures.ts";
import { fits, Reservations } from "./greedy.ts";
import { MinHeap } from "./min-heap.ts";
import { addRanked, compareRank, deleteRanked, newRankList, RankedWalk, type RankEntry, SignatureHeads, signatureOf } from "./ranking.ts";
import {
  configRetryPolicy,
  depsSet,
  EMPTY_LIST,
  hasKeys,
  LiveTask,
  newTaskRecord,
  newWorkerRecord,
  ownMap,
  pyEquals,
  rankPriority,
  taskFacts,
  truthy,
  type NewTaskFields,
} from "./records.ts";
import { SortedList } from "./sorted-list.ts";
import { TaskTable } from "./task-table.ts";
import { adoptTask, cloneTask, cloneWorker } from "./snapshot.ts";
import { UpstreamDisabled } from "./upstream-disabled.ts";
import { WorkerLinks } from "./worker-links.ts";
import type {
  BatcherEntry,
  EngineConfig,
  EngineState,
  RetryPolicy,
  RpcMessage,
  Seconds,
  TaskRecord,
  TaskStatus,
  WorkerRecord,
} from "./types.ts";

const PENDING = "PENDING";
const RUNNING = "RUNNING";
const BATCH_RUNNING = "BATCH_RUNNING";
const DONE = "DONE";
const FAILED = "FAILED";
const DISABLED = "DISABLED";
const UNKNOWN = "UNKNOWN";
const SUSPENDED = "SUSPENDED";

export interface EngineOptions {
  /** Source of `send_scheduler_message` ids (UUID4); injectable so tests are deterministic. */
  newMessageId?: () => string;
  /**
   * Prune walks every task, as Luigi does, instead of only the running ones,
   * orphans and due timers. Slow; tests use it to check that the indexed walk
   * never misses a task.
   */
  pruneEveryTask?: boolean;
}

/**
 * Engine-private bookkeeping per task, including what the task contributes to
 * the indexes. The contribution is taken back before any change to the
 * task's `workers` set (see mutateWorkers), so the set itself says which
 * worker indexes hold it.
 */
interface TaskMeta {
  task: TaskRecord;
  /** Table insertion order. */
  seq: number;
  /** Order in which the task entered its current status (Luigi's status-index order). */
  statusSeq: number;
  /** Its place in the list of its status (statusIndex). */
  statusSlot: number;
  /** Deps without a DONE record. Zero means schedulable when PENDING. */
  unmet: number;
  /** Whether the fields below are currently added into the indexes. */
  indexed: boolean;
  /** PENDING or FAILED: counted by count_pending. */
  counted: boolean;
  /** PENDING with non-empty resources: makes its workers non-trivial. */
  resourceful: boolean;
  /** Set when schedulable: the task's place in the ranked lists. */
  rank: RankEntry | null;
  /** Family index key, when rank is set and the task is batchable. */
  batchFamily: string | null;
  /** Whether `rank` is also in the runnable-by-signature lists (assistants' candidates). */
  rankRunnable: boolean;
  /** Ids of the tasks that list this one in `deps` (one id is stored bare); see danglingDependents. */
  dependents: string | Set<string> | null;
}

/** Per-worker view of the tasks whose `workers` set holds the worker. */
interface WorkerIndex {
  /** Tasks whose `workers` set or stakeholders hold the worker (see linksWorker). */
  links: WorkerLinks<TaskMeta>;
  pending: number;
  unique: number;
  lastScheduled: number;
  resourceful: number;
  ranked: SortedList<RankEntry>;
  /** The same entries split by resource signature, for get_work's candidate search. */
  bySignature: Map<string, SortedList<RankEntry>>;
}

const emptyChanges = (): ChangeSet => ({ tasks: new Set(), deletedTaskSeqs: [], workers: new Set(), meta: false });

export class Engine {
  /** Bumped on every mutation; the UI's live updates poll it. */
  version = 0;

  /** id -> the task's bookkeeping, which holds the record itself (one map entry per task, not two). */
  private readonly taskTable = new TaskTable<TaskMeta>();
  /**
   * status -> the bookkeeping of its tasks, in the order they entered it (listings walk it
   * without a lookup per task); chunked, not a Set, for the GC (chunked-list.ts).
   */
  private readonly statusIndex = new Map<TaskStatus, ChunkedList<TaskMeta>>();
  private readonly workerTable = new Map<string, WorkerRecord>();
  private readonly batchers = new Map<string, Map<string, BatcherEntry>>();
  private capacities: Record<string, number>;
  private paused = false;
  private events: EngineEvent[] = [];
  private changes: ChangeSet = emptyChanges();

  private seqCounter = 0;
  private statusSeqCounter = 0;
  /**
   * dep id -> ids of the tasks listing it in `deps`, for a dep that has no task
   * (never added, or deleted): a dep with a task keeps them in its TaskMeta,
   * which costs no Map entry (~68 bytes per depended-on task in a Map of them
   * all). They move between the two when the task is created or deleted.
   */
  private readonly danglingDependents = new BufferedMap<string | Set<string>>();
  private readonly workerIndexes = new Map<string, WorkerIndex>();
  /** Schedulable PENDING tasks, ranked. */
  private readonly ranked = newRankList();
  /** Schedulable, batchable PENDING tasks per family, ranked. */
  private readonly familyRanked = new Map<string, SortedList<RankEntry>>();
  /** Schedulable tasks some worker may run (`runnable`), by resource signature: what an assistant may take. */
  private readonly runnableBySignature = new Map<string, SortedList<RankEntry>>();
  /** Tasks with no stakeholders and no removal mark: prune marks them. */
  private readonly orphans = new Set<string>();
  private readonly removeTimers = new MinHeap();
  private readonly retryTimers = new MinHeap();
  private readonly disableTimers = new MinHeap();
  private readonly names = new Map<string, string>();
  /** Shared single-worker sets for stakeholders/workers (most tasks have exactly one). */
  private readonly singletons = new SingletonSets();
  /** PENDING tasks with a DISABLED task upstream (§3.5), which count_pending leaves out. */
  private readonly upstream = new UpstreamDisabled({
    disabledTasks: () => this.tasksByStatus(DISABLED),
    dependentsOf: (id) => this.dependentsOf(id),
    recordOf: (id) => this.recordOf(id),
  });

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
    this.changes = emptyChanges();
    return out;
  }

  getTask(id: string): Readonly<TaskRecord> | undefined {
    return this.taskTable.get(id)?.task;
  }

  /**
   * The task's insertion number: increasing in table order, never reused,
   * and taken from `EngineState.taskSeqs` at a restore. The state file keys
   * task rows by it, so that a new task's row is appended to the table.
   */
  taskSeq(id: string): number | undefined {
    return this.taskTable.get(id)?.seq;
  }

  /** Every task in table (insertion) order. */
  *tasks(): IterableIterator<Readonly<TaskRecord>> {
    for (const meta of this.taskTable.values()) yield meta.task;
  }

  taskCount(): number {
    return this.taskTable.size;
  }

  /** Tasks in one status, in the order they entered it (Luigi's status index). */
  *tasksByStatus(status: TaskStatus): IterableIterator<Readonly<TaskRecord>> {
    const list = this.statusIndex.get(status);
    if (list) for (const meta of list) yield meta.task;
  }

  countByStatus(status: TaskStatus): number {
    return this.statusIndex.get(status)?.size ?? 0;
  }

  statusCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [status, records] of this.statusIndex) if (records.size > 0) out[status] = records.size;
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

  /** Every registered batcher, without copying the rest of the state (the store persists them). */
  *taskBatchers(): IterableIterator<{ worker: string; family: string; entry: Readonly<BatcherEntry> }> {
    for (const [worker, families] of this.batchers) for (const [family, entry] of families) yield { worker, family, entry };
  }

  /** Schedulable PENDING tasks (every dep DONE): the ready queue depth. */
  schedulableCount(): number {
    return this.ranked.size;
  }

  /** Current capacities: `[resources]` plus runtime update_resource(s), in insertion order. */
  resourceCapacities(): Readonly<Record<string, number>> {
    return this.capacities;
  }

  /** §3.6 "used": sum over RUNNING tasks of resources_running (else resources). */
  resourcesInUse(): Record<string, number> {
    const used: Record<string, number> = {};
    for (const task of this.tasksByStatus(RUNNING)) {
      const amounts = task.resourcesRunning ?? task.resources;
      for (const name in amounts) used[name] = (used[name] ?? 0) + amounts[name]!;
    }
    return used;
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** Tasks of a worker (§3.7): those whose `workers` set holds it, in no particular order. */
  *tasksOfWorker(worker: string): IterableIterator<Readonly<TaskRecord>> {
    const index = this.workerIndexes.get(worker);
    if (!index) return;
    for (const meta of index.links.items((m) => this.linksWorker(m, worker))) if (meta.task.workers.has(worker)) yield meta.task;
  }

  exportState(): EngineState {
    const batchers: EngineState["batchers"] = [];
    for (const [worker, families] of this.batchers) {
      for (const [family, entry] of families) batchers.push({ worker, family, entry: { ...entry, batchedArgs: [...entry.batchedArgs] } });
    }
    const metas = [...this.taskTable.values()];
    return {
      tasks: metas.map((meta) => cloneTask(meta.task)),
      taskSeqs: metas.map((meta) => meta.seq),
      workers: [...this.workerTable.values()].map(cloneWorker),
      batchers,
      paused: this.paused,
      resources: { ...this.capacities },
    };
  }

  /**
   * Replaces everything with a saved state (start-up restore). Task order is
   * the table order; statuses are indexed in that order. Marks nothing dirty:
   * the store already has what it hands in.
   *
   * Takes ownership of the task records in `state`: they become the engine's
   * live records (their sets are swapped for compact ones; a record that is
   * not a LiveTask yet is replaced in `state.tasks` by one that shares its
   * maps), so a restore of 10^6 tasks does not hold two copies. Pass copies
   * to keep the originals.
   */
  loadState(state: EngineState): void {
    this.taskTable.clear();
    this.statusIndex.clear();
    this.workerTable.clear();
    this.batchers.clear();
    this.danglingDependents.clear();
    this.workerIndexes.clear();
    this.ranked.clear();
    this.familyRanked.clear();
    this.orphans.clear();
    this.removeTimers.clear();
    this.retryTimers.clear();
    this.disableTimers.clear();
    this.upstream.reset();
    this.paused = state.paused;
    this.capacities = { ...state.resources };
    for (const worker of state.workers) this.workerTable.set(worker.id, cloneWorker(worker));
    for (const { worker, family, entry } of state.batchers) this.batcherMap(worker).set(family, { ...entry, batchedArgs: [...entry.batchedArgs] });
    const policy = configRetryPolicy(this.config);
    const pool = new Map<string, string>();
    for (const id of this.workerTable.keys()) pool.set(id, id);
    const intern = (value: string): string => {
      const known = pool.get(value);
      if (known !== undefined) return known;
      if (pool.size < 100_000) pool.set(value, value);
      return value;
    };
    const seqs = state.taskSeqs;
    for (let i = 0; i < state.tasks.length; i++) {
      const given = state.tasks[i]!;
      // A restore's decoder makes LiveTasks already (decodeTaskForEngine).
      const task = given instanceof LiveTask ? given : new LiveTask(given);
      state.tasks[i] = task;
      adoptTask(task, policy, intern, this.singletons);
      // Restored numbers keep addressing the same rows; they only ever increase in table order.
      const seq = seqs ? seqs[i]! : this.seqCounter + 1;
      this.seqCounter = Math.max(this.seqCounter, seq);
      const meta = newMeta(task, seq, ++this.statusSeqCounter);
      this.taskTable.load(task.id, meta);
      this.statusList(task.status).push(meta);
      forLinkedWorkers(task, (w) => this.workerIndex(w).links.link(meta));
      this.trackOrphan(task);
      if (task.remove !== null) this.removeTimers.push(task.remove, task.id);
      if (task.status === FAILED && task.retry !== null) this.retryTimers.push(task.retry, task.id);
      if (task.status === DISABLED && task.schedulerDisableTime !== null) this.disableTimers.push(task.schedulerDisableTime, task.id);
    }
    // Once every task is in the table: deps share the table's id strings, and
    // links and unmet counts come from the same single walk over them.
    for (const meta of this.taskTable.values()) {
      const task = meta.task;
      if (task.deps.size === 0) {
        task.deps = EMPTY_SET;
        continue;
      }
      const deps = new CompactSet();
      let unmet = 0;
      for (const dep of task.deps) {
        const target = this.taskTable.get(dep)?.task;
        const id = target?.id ?? dep;
        if (deps.has(id)) continue;
        deps.add(id);
        this.linkDependent(id, task.id, true);
        if (target?.status !== DONE) unmet++;
      }
      task.deps = deps;
      meta.unmet = unmet;
    }
    for (const meta of this.taskTable.values()) this.refresh(meta.task);
    this.version++;
    this.events = [];
    this.changes = emptyChanges();
  }

  // ---- RPC methods (rpc.md §5), called through src/rpc/table.ts -------------

  /** §5.1 */
  addTask(args: A.AddTaskArgs, now: Seconds): void {
    const worker = this.touchWorker(args.worker, now);
    const enabled = !worker.disabled;
    const resources = ownMap(args.resources);
    const policy = this.retryPolicyFrom(args.retryPolicyDict);

    let task = this.recordOf(args.taskId);
    if (!task && enabled) {
      task = this.createTask(args.taskId, PENDING, now, {
        deps: args.deps ? mapIter(args.deps, (dep) => this.canonicalId(dep)) : [],
        resources,
        priority: args.priority,
        family: this.name(args.family),
        module: this.name(args.module),
        params: ownMap(args.params),
        paramVisibilities: ownMap(args.paramVisibilities),
      });
    }
    if (!task) return;
    if (!enabled && task.status !== RUNNING) return;
    // Done cooldown (§6.6): a PENDING report racing a fresh DONE is dropped whole.
    if (args.status === PENDING && task.status === DONE && now - task.updated < this.config.stableDoneCooldownSecs) return;

    const W = worker.id;
    if (!task.family) task.family = this.name(args.family);
    if (!task.module) task.module = this.name(args.module);
    if (!hasKeys(task.paramVisibilities)) task.paramVisibilities = ownMap(args.paramVisibilities);
    if (!hasKeys(task.params)) task.params = ownMap(args.params);

    if (args.batchId !== null) task.batchId = args.batchId;
    if (args.status === RUNNING && !task.workerRunning) {
      task.workerRunning = W;
      if (args.batchId) {
        // The batch runner registers (§6.5): usage moves from the members to it.
        const first = this.batchRunningMembers(args.batchId)[0];
        if (first?.resourcesRunning) task.resourcesRunning = { ...first.resourcesRunning };
      }
      task.timeRunning = now;
    }
    if (args.acceptsMessages !== null) task.acceptsMessages = args.acceptsMessages;
    if (args.trackingUrl !== null || task.status !== RUNNING) {
      task.trackingUrl = args.trackingUrl;
      if (task.batchId !== null) for (const member of this.batchRunningMembers(task.batchId)) this.update(member, (m) => (m.trackingUrl = args.trackingUrl));
    }
    if (args.batchable !== null) task.batchable = args.batchable;
    if (task.remove !== null) task.remove = null;
    if (args.expl !== null) {
      task.expl = args.expl;
      if (task.batchId !== null) for (const member of this.batchRunningMembers(task.batchId)) this.update(member, (m) => (m.expl = args.expl));
    }
    if (args.owners !== null) task.owners = args.owners.length > 0 ? [...args.owners] : EMPTY_LIST;

    const requested = args.status;
    const notRunning = task.status !== RUNNING && task.status !== BATCH_RUNNING;
    const startedARun = requested === DONE || requested === FAILED || requested === RUNNING;
    const newDeps = args.newDeps !== null && args.newDeps.length > 0;
    if (notRunning || (startedARun && task.workerRunning === W) || newDeps) {
      if (requested !== task.status || requested === PENDING) this.recordHistory(task, requested, null, now);
      this.setStatus(task, requested === SUSPENDED ? PENDING : requested, now);
    }

    if (requested === FAILED && this.config.batchEmails) {
      this.events.push({
        type: "failure_reported",
        at: now,
        task: taskFacts(task),
        worker: W,
        expl: decodeExpl(args.expl),
        owners: args.owners ? [...args.owners] : [],
        unbatchedParams: this.unbatchedParams(W, args.family, task.params),
        disabled: task.status === DISABLED,
      });
    }

    if (args.deps !== null || args.newDeps !== null) {
      const deps = new CompactSet(args.deps !== null ? mapIter(args.deps, (dep) => this.canonicalId(dep)) : task.deps);
      if (args.newDeps !== null) for (const dep of args.newDeps) deps.add(this.canonicalId(dep));
      this.replaceDeps(task, deps);
    }
    task.resources = resources;

    if (enabled && !args.assistant) {
      this.addStakeholder(task, W);
      for (const depId of task.deps) {
        const dep = this.recordOf(depId) ?? this.createTask(depId, UNKNOWN, now, { priority: args.priority });
        this.addStakeholder(dep, W);
      }
    }
    this.raisePriority(task, args.priority);
    task.retryPolicy = policy;

    if (args.runnable && requested !== FAILED && enabled) {
      if (!task.workers.has(W)) {
        if (!task.stakeholders.has(W)) this.workerIndex(W).links.link(this.taskTable.get(task.id)!);
        this.mutateWorkers(task, (workers) => this.singletons.withItem(workers, W));
      }
      task.runnable = true;
    }
    this.touched(task);
  }

  /** §5.2 and §6 */
  getWork(args: A.GetWorkArgs, now: Seconds): A.GetWorkResult {
    if (this.config.pruneOnGetWork) this.prune(now);
    const worker = this.touchWorker(args.worker, now);
    worker.lastGetWork = now;
    worker.reference = { host: args.host };
    const W = worker.id;
    if (worker.disabled) {
      return { nPendingTasks: 0, nUniquePending: 0, nPendingLastScheduled: 0, workerState: "disabled", runningTasks: [], handout: null };
    }
    if (args.assistant) worker.info = { ...worker.info, assistant: true };

    let best: TaskRecord | null = null;
    let batch: TaskRecord[] = [];
    let batchValues: Record<string, unknown[]> | null = null;

    if (args.currentTasks !== null) {
      best = this.lostRunningTask(W, new Set(args.currentTasks));
      this.resetOrphanedBatches(W, now);
    }
    if (best === null && !this.paused) {
      const picked = this.pickTask(W, args.assistant, now);
      if (picked) {
        best = picked.best;
        const opened = this.openBatch(W, best, picked.trivial);
        if (opened) ({ members: batch, values: batchValues } = opened);
      }
    }

    const counts = this.pendingCounts(W);
    if (best !== null && batch.length > 1 && batchValues !== null) {
      const ids = batch.map((t) => t.id);
      const batchId = batchIdOf(ids);
      for (const member of batch) {
        this.setStatus(member, BATCH_RUNNING, now);
        member.batchId = batchId;
        member.workerRunning = W;
        // The member's own map, not a copy (quirk 34).
        member.resourcesRunning = member.resources;
        member.timeRunning = now;
        this.touched(member);
      }
      return {
        ...counts,
        handout: { kind: "batch", batchId, taskIds: ids, family: best.family, module: best.module, params: { ...best.params, ...batchValues } },
      };
    }
    if (best !== null) {
      this.events.push({ type: "task_started", at: now, task: taskFacts(best) });
      this.setStatus(best, RUNNING, now);
      best.workerRunning = W;
      best.resourcesRunning = ownMap(best.resources);
      best.timeRunning = now;
      this.touched(best);
      this.recordHistory(best, RUNNING, args.host, now);
      return { ...counts, handout: { kind: "task", taskId: best.id, family: best.family, module: best.module, params: best.params } };
    }
    return { ...counts, handout: null };
  }

  /** §5.3 */
  countPending(args: A.CountPendingArgs, now: Seconds): A.PendingCounts {
    this.workerRecord(args.worker, now);
    return this.pendingCounts(args.worker);
  }

  /** §5.4 */
  ping(args: A.PingArgs, now: Seconds): A.PingResult {
    const worker = this.touchWorker(args.worker, now);
    const rpcMessages = worker.rpcMessages;
    worker.rpcMessages = [];
    return { rpcMessages };
  }

  /** §5.5 */
  addWorker(args: A.AddWorkerArgs, now: Seconds): void {
    const worker = this.workerRecord(args.worker, now);
    worker.info = { ...worker.info, ...args.info };
    this.touchedWorker(worker.id);
  }

  /** §5.6 */
  disableWorker(args: A.DisableWorkerArgs, now: Seconds): void {
    const worker = this.workerRecord(args.worker, now);
    worker.disabled = true;
    this.touchedWorker(worker.id);
    const index = this.workerIndexes.get(worker.id);
    if (!index) return;
    const linked = (meta: TaskMeta) => this.linksWorker(meta, worker.id);
    for (const meta of index.links.items(linked)) {
      const task = meta.task;
      if (!task.workers.has(worker.id)) continue;
      this.mutateWorkers(task, (workers) => this.singletons.withoutItem(workers, worker.id));
      if (!task.stakeholders.has(worker.id)) index.links.unlinked(linked);
    }
  }

  /** §5.7 */
  setWorkerProcesses(args: A.SetWorkerProcessesArgs, now: Seconds): void {
    this.queueMessage(args.worker, { name: "set_worker_processes", kwargs: { n: args.n } }, now);
  }

  /** §5.8 */
  addTaskBatcher(args: A.AddTaskBatcherArgs, _now: Seconds): void {
    this.batcherMap(args.worker).set(args.taskFamily, { batchedArgs: [...args.batchedArgs], maxBatchSize: args.maxBatchSize });
    this.touchedMeta();
  }

  /** §5.9: reported to listeners only when batch e-mails are on, as Luigi does. */
  announceSchedulingFailure(args: A.AnnounceSchedulingFailureArgs, now: Seconds): void {
    if (!this.config.batchEmails) return;
    this.events.push({
      type: "scheduling_failure",
      at: now,
      taskName: args.taskName,
      family: args.family,
      unbatchedParams: args.worker === null ? { ...args.params } : this.unbatchedParams(args.worker, args.family, args.params),
      expl: args.expl,
      owners: [...args.owners],
      worker: args.worker ?? "",
    });
  }

  /** §5.10 */
  setTaskStatusMessage(args: A.SetTaskStatusMessageArgs, _now: Seconds): void {
    this.setOnTaskAndBatch(args.taskId, (t) => (t.statusMessage = args.statusMessage));
  }

  /** "" for an unknown task (recorded), else the stored message (may be null). */
  getTaskStatusMessage(args: A.GetTaskStatusMessageArgs, _now: Seconds): string | null {
    const task = this.recordOf(args.taskId);
    return task ? task.statusMessage : "";
  }

  /** §5.11 */
  setTaskProgressPercentage(args: A.SetTaskProgressPercentageArgs, _now: Seconds): void {
    this.setOnTaskAndBatch(args.taskId, (t) => (t.progressPercentage = args.progressPercentage));
  }

  getTaskProgressPercentage(args: A.GetTaskProgressPercentageArgs, _now: Seconds): unknown {
    return this.recordOf(args.taskId)?.progressPercentage ?? null;
  }

  /** §5.12. A task claimed without resources_running is left alone (quirk 9: Luigi crashes). */
  decreaseRunningTaskResources(args: A.DecreaseRunningTaskResourcesArgs, _now: Seconds): void {
    const task = this.recordOf(args.taskId);
    if (!task || task.status !== RUNNING) return;
    const decrease = (running: Record<string, number> | null): void => {
      if (!running) return;
      for (const name in args.decreaseResources) {
        const amount = args.decreaseResources[name]!;
        if (amount > 0 && Object.hasOwn(running, name)) running[name] = Math.max(0, running[name]! - amount);
      }
    };
    decrease(task.resourcesRunning);
    this.touched(task);
    if (task.batchId !== null) {
      for (const member of this.batchRunningMembers(task.batchId)) this.update(member, (m) => decrease(m.resourcesRunning));
    }
  }

  getRunningTaskResources(args: A.GetRunningTaskResourcesArgs, _now: Seconds): Record<string, number> | null {
    return this.recordOf(args.taskId)?.resourcesRunning ?? null;
  }

  /** §5.13 */
  reportTaskStatistics(args: A.ReportTaskStatisticsArgs, now: Seconds): void {
    const task = this.recordOf(args.taskId);
    if (task) this.events.push({ type: "task_statistics", at: now, task: taskFacts(task), statistics: args.statistics });
  }

  /** §5.14: the hook fires only when the value names a known task (an id, or an object with `id`/`task_id`). */
  updateMetricsTaskStarted(args: A.UpdateMetricsTaskStartedArgs, now: Seconds): void {
    const value = args.task;
    let id: unknown = value;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      id = Object.hasOwn(obj, "task_id") ? obj.task_id : obj.id;
    }
    const task = typeof id === "string" ? this.recordOf(id) : undefined;
    if (task) this.events.push({ type: "task_started", at: now, task: taskFacts(task) });
  }

  /** §5.15: the new message id, or null when `send_messages` is off. */
  sendSchedulerMessage(args: A.SendSchedulerMessageArgs, now: Seconds): string | null {
    if (!this.config.sendMessages) return null;
    const messageId = (this.options.newMessageId ?? (() => crypto.randomUUID()))();
    this.queueMessage(args.worker, { name: "dispatch_scheduler_message", kwargs: { task_id: args.task, message_id: messageId, content: args.content } }, now);
    return messageId;
  }

  addSchedulerMessageResponse(args: A.AddSchedulerMessageResponseArgs, _now: Seconds): void {
    const task = this.recordOf(args.taskId);
    if (!task) return;
    task.schedulerMessageResponses = { ...task.schedulerMessageResponses, [args.messageId]: args.response };
    this.touched(task);
  }

  /** Removes and returns the stored response (null when none). */
  getSchedulerMessageResponse(args: A.GetSchedulerMessageResponseArgs, _now: Seconds): unknown {
    const task = this.recordOf(args.taskId);
    if (!task || !Object.hasOwn(task.schedulerMessageResponses, args.messageId)) return null;
    const { [args.messageId]: response, ...rest } = task.schedulerMessageResponses;
    task.schedulerMessageResponses = rest;
    this.touched(task);
    return response ?? null;
  }

  /** §5.23 */
  reEnableTask(args: A.ReEnableTaskArgs, now: Seconds): A.ReEnableResult {
    const task = this.recordOf(args.taskId);
    if (!task || task.status !== DISABLED || !task.schedulerDisableTime) return null;
    this.reEnable(task, now);
    return task;
  }

  /** §5.24: FAILED → PENDING at once; the failure history is kept. */
  forgiveFailures(args: A.ForgiveFailuresArgs, now: Seconds): A.TaskStatusResult {
    const task = this.recordOf(args.taskId);
    if (!task) return { taskId: args.taskId, status: null };
    if (task.status === FAILED) {
      this.recordHistory(task, PENDING, null, now);
      this.setStatus(task, PENDING, now);
    }
    return { taskId: args.taskId, status: task.status };
  }

  /** §5.25 */
  markAsDone(args: A.MarkAsDoneArgs, now: Seconds): A.TaskStatusResult {
    const task = this.recordOf(args.taskId);
    if (!task) return { taskId: args.taskId, status: null };
    if (task.status === RUNNING || task.status === FAILED || task.status === DISABLED) {
      this.recordHistory(task, DONE, null, now);
      this.setStatus(task, DONE, now);
    }
    return { taskId: args.taskId, status: task.status };
  }

  /** §5.26 */
  pause(_now: Seconds): void {
    if (!this.config.pauseEnabled || this.paused) return;
    this.paused = true;
    this.touchedMeta();
  }

  unpause(_now: Seconds): void {
    if (!this.config.pauseEnabled || !this.paused) return;
    this.paused = false;
    this.touchedMeta();
  }

  isPauseEnabled(): boolean {
    return this.config.pauseEnabled;
  }

  /** §5.27: merged without validation, as Luigi does. */
  updateResources(args: A.UpdateResourcesArgs, _now: Seconds): void {
    this.capacities = { ...this.capacities, ...args.resources };
    this.touchedMeta();
  }

  /** §5.27: only integers ≥ 0 are accepted (a boolean counts as 0/1, like Python's bool). */
  updateResource(args: A.UpdateResourceArgs, _now: Seconds): boolean {
    const amount = typeof args.amount === "boolean" ? Number(args.amount) : args.amount;
    if (typeof amount !== "number" || !Number.isInteger(amount) || amount < 0) return false;
    this.capacities = { ...this.capacities, [args.resource]: amount };
    this.touchedMeta();
    return true;
  }

  hasTaskHistory(): boolean {
    return this.config.recordTaskHistory;
  }

  /**
   * §3.8: forget dead workers, fail their tasks, mark orphans, re-enable,
   * retry, remove. Only tasks that may be affected are visited (running
   * tasks, orphans and due timers), in table order, each through the same
   * steps as Luigi's full walk.
   */
  prune(now: Seconds): void {
    const config = this.config;
    for (const worker of [...this.workerTable.values()]) {
      if (worker.lastActive + config.workerDisconnectDelay < now) this.forgetWorker(worker.id);
    }
    const assistants = new Set<string>();
    for (const worker of this.workerTable.values()) if (truthy(worker.info.assistant)) assistants.add(worker.id);

    const due = new Set<string>();
    for (const task of this.tasksByStatus(RUNNING)) due.add(task.id);
    for (const task of this.tasksByStatus(BATCH_RUNNING)) due.add(task.id);
    for (const id of this.orphans) due.add(id);
    popDue(this.disableTimers, (key) => now - key > config.disablePersist, due);
    popDue(this.retryTimers, (key) => key < now, due);
    popDue(this.removeTimers, (key) => now >= key, due);

    const removed: TaskRecord[] = [];
    const visit = this.options.pruneEveryTask ? [...this.taskTable.values()].map((meta) => meta.task) : this.inTableOrder(due);
    for (const task of visit) {
      if (
        (task.status === RUNNING || task.status === BATCH_RUNNING) &&
        task.workerRunning &&
        !task.stakeholders.has(task.workerRunning) &&
        !assistants.has(task.workerRunning)
      ) {
        task.workerRunning = null;
        this.setStatus(task, FAILED, now);
        this.setRetry(task, now + config.retryDelay);
        this.touched(task);
      }
      if (task.stakeholders.size === 0 && task.remove === null && task.status !== RUNNING) {
        this.setRemove(task, now + config.removeDelay);
      }
      if (task.status === DISABLED && task.schedulerDisableTime !== null && now - task.schedulerDisableTime > config.disablePersist) {
        this.reEnable(task, now);
      }
      if (task.status === FAILED && config.retryDelay >= 0 && task.retry !== null && task.retry < now) {
        this.setStatus(task, PENDING, now);
      }
      if (task.remove !== null && task.remove !== 0 && now >= task.remove) removed.push(task);
    }
    for (const task of removed) this.deleteTask(task);
  }

  /** The tasks among `ids` in table order: sorted when few, filtered from a table walk when many. */
  private inTableOrder(ids: Set<string>): TaskRecord[] {
    const out: TaskRecord[] = [];
    if (ids.size * Math.log2(ids.size + 2) > this.taskTable.size) {
      for (const meta of this.taskTable.values()) if (ids.has(meta.task.id)) out.push(meta.task);
      return out;
    }
    const keyed: Array<[number, TaskRecord]> = [];
    for (const id of ids) {
      const meta = this.taskTable.get(id);
      if (meta) keyed.push([meta.seq, meta.task]);
    }
    keyed.sort((a, b) => a[0] - b[0]);
    for (const [, task] of keyed) out.push(task);
    return out;
  }

  // ---- §3 internal operations -----------------------------------------------

  /** §3.1: the single place where a task's status changes. */
  private setStatus(task: TaskRecord, requested: TaskStatus, now: Seconds): void {
    const current = task.status;
    let next = requested;
    if (next === DISABLED && (current === RUNNING || current === BATCH_RUNNING)) return;
    const removeOnFailure = task.batchId !== null && !task.batchable;
    if (current === DISABLED) {
      if (next === DONE) {
        task.schedulerDisableTime = null;
        clearFailures(task);
      } else if (task.schedulerDisableTime !== null && next !== DISABLED) {
        return;
      }
    }
    if (current === RUNNING && task.batchId !== null && next !== RUNNING) {
      for (const member of this.batchRunningMembers(task.batchId)) {
        this.setStatus(member, next, now);
        member.batchId = null;
        this.touched(member);
      }
      task.batchId = null;
    }
    let autoDisabled = false;
    if (next === FAILED && current !== DISABLED) {
      recordFailure(task, now);
      if (hasExcessiveFailures(task, now)) {
        task.schedulerDisableTime = now;
        this.disableTimers.push(now, task.id);
        next = DISABLED;
        autoDisabled = true;
      }
    } else if (next === DISABLED) {
      task.schedulerDisableTime = null;
    }
    if (next !== current) this.moveStatus(task, next, now);
    if (next === FAILED) {
      this.setRetry(task, now + this.config.retryDelay);
      if (removeOnFailure) this.setRemove(task, now);
    }
    this.touched(task);
    if (autoDisabled) {
      this.events.push({
        type: "auto_disabled",
        at: now,
        task: taskFacts(task),
        retryCount: task.retryPolicy.retryCount,
        disableWindow: task.retryPolicy.disableWindow,
        disablePersist: this.config.disablePersist,
      });
    }
  }

  private moveStatus(task: TaskRecord, next: TaskStatus, now: Seconds): void {
    const from = task.status;
    const meta = this.taskTable.get(task.id)!;
    this.statusIndex.get(from)?.remove(meta, meta.statusSlot);
    this.statusList(next).push(meta);
    meta.statusSeq = ++this.statusSeqCounter;
    task.status = next;
    task.updated = now;
    if ((from === DONE) !== (next === DONE)) {
      const delta = next === DONE ? -1 : 1;
      for (const id of this.dependentsOf(task.id)) {
        const meta = this.taskTable.get(id);
        if (!meta) continue;
        const dependent = meta.task;
        // A task may list the same dep once only (deps is a set), so one step per edge.
        meta.unmet += delta;
        this.refresh(dependent);
      }
    }
    this.upstream.statusChanged(task, from, next);
    this.events.push({ type: "status_changed", at: now, task: taskFacts(task), from, to: next });
  }

  /** §3.2 (manual and automatic paths). */
  private reEnable(task: TaskRecord, now: Seconds): void {
    task.schedulerDisableTime = null;
    clearFailures(task);
    this.setStatus(task, FAILED, now);
    clearFailures(task);
    this.touched(task);
  }

  /** §3.4 */
  private raisePriority(task: TaskRecord, priority: number): void {
    const stack: Array<[TaskRecord, number]> = [[task, priority]];
    while (stack.length > 0) {
      const [t, p] = stack.pop()!;
      const raised = Math.max(p, rankPriority(t.priority));
      if (raised !== t.priority) {
        t.priority = raised;
        this.touched(t);
      }
      for (const depId of t.deps) {
        const dep = this.recordOf(depId);
        if (dep && rankPriority(dep.priority) < raised) stack.push([dep, raised]);
      }
    }
  }

  private lostRunningTask(worker: string, current: Set<string>): TaskRecord | null {
    let best: TaskRecord | null = null;
    for (const task of this.tasksByStatus(RUNNING)) {
      if (task.workerRunning !== worker || current.has(task.id)) continue;
      // Luigi takes the last of an ascending sort: ties go to the later one.
      if (best === null || !ranksLower(task, best)) best = task as TaskRecord;
    }
    return best;
  }

  /** §6.2: batch members whose runner never registered go back to PENDING. */
  private resetOrphanedBatches(worker: string, now: Seconds): void {
    const live = new Set<string | null>();
    for (const task of this.tasksByStatus(RUNNING)) if (task.workerRunning === worker) live.add(task.batchId);
    const orphaned: TaskRecord[] = [];
    for (const task of this.tasksByStatus(BATCH_RUNNING)) {
      if (task.workerRunning === worker && !live.has(task.batchId)) orphaned.push(task as TaskRecord);
    }
    for (const task of orphaned) this.setStatus(task, PENDING, now);
  }

  /**
   * §6.3: the highest-ranked task W may take now. A trivial worker takes its
   * first ready task. Otherwise W's ready tasks are tried in rank order; a
   * task without resources is taken at once (nothing can block it), and one
   * with resources is checked against what every task ranked above it would
   * reserve, simulated lazily over the active workers' ready lists.
   */
  private pickTask(W: string, assistant: boolean, now: Seconds): { best: TaskRecord; trivial: boolean } | null {
    const worker = this.workerTable.get(W)!;
    const index = this.workerIndexes.get(W);
    const trivial = !truthy(worker.info.assistant) && (index?.resourceful ?? 0) === 0;
    if (trivial) {
      const first = index?.ranked.first();
      return first ? { best: first.task, trivial } : null;
    }
    const used = this.resourcesInUse();
    const slots = new Map<string, number>();
    const activeSince = now - this.config.workerDisconnectDelay;
    for (const w of this.workerTable.values()) {
      if (w.lastGetWork !== null && w.lastGetWork > activeSince) slots.set(w.id, slotCount(w.info.workers));
    }
    const reservations = new Reservations(slots, this.capacities, assistant ? W : null);
    const running = this.runningByRank();

    // W's ready tasks (an assistant also any runnable one) in rank order, one
    // stream per resource signature. A task that fails the checks fails them
    // for every later task of its signature (usage is fixed during the call
    // and reservations only grow), so the first failure drops the signature:
    // each is judged at most once. The walk still applies the reservations of
    // every task ranked above the one judged, whoever may take it.
    const readyList = (w: string) => (assistant && w === W ? this.ranked : this.workerIndexes.get(w)?.ranked);
    const walk = new RankedWalk(readyList, reservations, running);
    const candidates = new SignatureHeads(assistant ? [index?.bySignature, this.runnableBySignature] : [index?.bySignature]);
    for (let entry = candidates.next(); entry !== null; entry = candidates.next()) {
      const task = entry.task;
      if (entry.signature === "") return { best: task, trivial };
      walk.advanceTo(entry);
      walk.visited.add(task.id);
      candidates.drop(entry.signature);
      if (!reservations.fitsReserved(task)) continue;
      if (fits(task.resources, used, this.capacities)) return { best: task, trivial };
      reservations.simulateOtherTaker(task);
    }
    return null;
  }

  /** RUNNING tasks as rank entries; on exact ties they come after PENDING ones (Luigi's input order). */
  private runningByRank(): RankEntry[] {
    const out: RankEntry[] = [];
    for (const task of this.tasksByStatus(RUNNING)) {
      out.push({ task: task as TaskRecord, priority: rankPriority(task.priority), time: task.time, seq: Number.MAX_SAFE_INTEGER / 2 + this.taskTable.get(task.id)!.statusSeq, signature: "", resources: task.resources });
    }
    return out.sort(compareRank);
  }

  /** §6.4: open a batch on `best` and collect the members ranked after it. */
  private openBatch(W: string, best: TaskRecord, trivial: boolean): { members: TaskRecord[]; values: Record<string, unknown[]> } | null {
    const batcher = this.batchers.get(W)?.get(best.family);
    if (!batcher || batcher.batchedArgs.length === 0 || !best.batchable) return null;
    if (!batcher.batchedArgs.every((name) => Object.hasOwn(best.params, name))) return null;
    const batched = new Set(batcher.batchedArgs);
    const values: Record<string, unknown[]> = {};
    for (const name of batcher.batchedArgs) values[name] = [best.params[name]];
    const fixed = Object.entries(best.params).filter(([name]) => !batched.has(name));
    const members = [best];
    const bestEntry = this.taskTable.get(best.id)!.rank;
    const family = this.familyRanked.get(best.family);
    if (!bestEntry || !family) return { members, values };
    // Only tasks ranked after best can join; identical resources are required, so compare signatures first.
    for (const entry of family.from(bestEntry)) {
      // written as Luigi's `len < max` so that a NaN limit admits no one, as in Python
      if (!(members.length < batcher.maxBatchSize)) break;
      if (entry === bestEntry || entry.signature !== bestEntry.signature) continue;
      const u = entry.task;
      if (trivial && !u.workers.has(W)) continue;
      if (!fixed.every(([name, value]) => pyEquals(u.params[name] ?? null, value))) continue;
      if (!pyEquals(u.resources, best.resources)) continue;
      for (const name of batcher.batchedArgs) values[name]!.push(u.params[name] ?? null);
      members.push(u);
    }
    return { members, values };
  }

  /** §5.3 over the indexes: O(1) counters, minus tasks blocked by a disabled upstream. */
  private pendingCounts(W: string): A.PendingCounts {
    const worker = this.workerTable.get(W);
    const index = this.workerIndexes.get(W);
    let nPendingTasks = index?.pending ?? 0;
    let nUniquePending = index?.unique ?? 0;
    let nPendingLastScheduled = index?.lastScheduled ?? 0;
    if (index && nPendingTasks > 0 && this.countByStatus(DISABLED) > 0) {
      const blocked = this.upstream.countsOf(W);
      if (blocked) {
        nPendingTasks -= blocked[0];
        nUniquePending -= blocked[1];
        nPendingLastScheduled -= blocked[2];
      }
    }
    const runningTasks: A.RunningTaskEntry[] = [];
    for (const task of this.tasksByStatus(RUNNING)) {
      if (!task.workers.has(W)) continue;
      const runner = task.workerRunning === null ? undefined : this.workerTable.get(task.workerRunning);
      runningTasks.push({ taskId: task.id, worker: task.workerRunning, info: { ...(runner?.info ?? {}) } });
    }
    return {
      nPendingTasks,
      nUniquePending,
      nPendingLastScheduled,
      workerState: worker?.disabled ? "disabled" : "active",
      runningTasks,
    };
  }

  // ---- task table maintenance -----------------------------------------------

  private createTask(id: string, status: TaskStatus, now: Seconds, fields: NewTaskFields): TaskRecord {
    const task = newTaskRecord(id, status, now, configRetryPolicy(this.config), fields);
    const meta = newMeta(task, ++this.seqCounter, ++this.statusSeqCounter);
    this.taskTable.set(id, meta);
    const waiting = this.danglingDependents.get(id);
    if (waiting !== undefined) {
      meta.dependents = waiting;
      this.danglingDependents.delete(id);
    }
    this.statusList(status).push(meta);
    for (const dep of task.deps) this.linkDependent(dep, id);
    meta.unmet = this.countUnmet(task);
    this.upstream.created(task);
    this.touched(task);
    return task;
  }

  private deleteTask(task: TaskRecord): void {
    const id = task.id;
    const meta = this.taskTable.get(id)!;
    this.withdraw(task, meta);
    this.statusIndex.get(task.status)?.remove(meta, meta.statusSlot);
    this.taskTable.delete(id);
    // First, so that unlinking its own deps below finds a dependency on itself.
    if (meta.dependents !== null) this.danglingDependents.set(id, meta.dependents);
    this.orphans.delete(id);
    for (const dep of task.deps) this.unlinkDependent(dep, id);
    // The table no longer holds this meta, so no walk counts it: only the logs' live counts follow.
    forLinkedWorkers(task, (w) => this.workerIndexes.get(w)?.links.unlinked((m) => this.linksWorker(m, w)));
    if (task.status === DONE) {
      for (const dependentId of [...this.dependentsOf(id)]) {
        const dependent = this.taskTable.get(dependentId);
        if (!dependent) continue;
        dependent.unmet++;
        this.refresh(dependent.task);
      }
    }
    this.upstream.deleted(task);
    this.changes.tasks.add(id);
    this.changes.deletedTaskSeqs.push(meta.seq);
    this.version++;
  }

  private replaceDeps(task: TaskRecord, deps: Set<string>): void {
    const old = task.deps;
    let same = old.size === deps.size;
    if (same) for (const dep of deps) if (!old.has(dep)) same = false;
    if (same) return;
    for (const dep of old) if (!deps.has(dep)) this.unlinkDependent(dep, task.id);
    for (const dep of deps) if (!old.has(dep)) this.linkDependent(dep, task.id);
    task.deps = depsSet(deps);
    this.taskTable.get(task.id)!.unmet = this.countUnmet(task);
    this.upstream.depsReplaced(task);
    this.touched(task);
  }

  private recordOf(id: string): TaskRecord | undefined {
    return this.taskTable.get(id)?.task;
  }

  /** The table's own string for an existing task id, so that deps share it. */
  private canonicalId(id: string): string {
    return this.taskTable.get(id)?.task.id ?? id;
  }

  /** One instance per distinct family/module name (few of them, repeated on every task). */
  private name(value: string): string;
  private name(value: string | null): string | null;
  private name(value: string | null): string | null {
    if (value === null) return null;
    const known = this.names.get(value);
    if (known !== undefined) return known;
    if (this.names.size < 10_000) this.names.set(value, value);
    return value;
  }

  private countUnmet(task: TaskRecord): number {
    let unmet = 0;
    for (const dep of task.deps) if (this.taskTable.get(dep)?.task.status !== DONE) unmet++;
    return unmet;
  }

  /** `restoring`: a dangling dep's entry goes straight into the large map (see BufferedMap.load). */
  private linkDependent(dep: string, id: string, restoring = false): void {
    const meta = this.taskTable.get(dep);
    const current = this.dependentsValue(dep, meta);
    if (current === null) this.putDependents(dep, meta, id, restoring);
    else if (typeof current === "string") {
      if (current !== id) this.putDependents(dep, meta, new Set([current, id]), restoring);
    } else current.add(id);
  }

  /** `meta`: the dep's bookkeeping (the caller has looked it up), undefined when it has no task. */
  private dependentsValue(dep: string, meta: TaskMeta | undefined): string | Set<string> | null {
    return meta !== undefined ? meta.dependents : (this.danglingDependents.get(dep) ?? null);
  }

  private putDependents(dep: string, meta: TaskMeta | undefined, value: string | Set<string> | null, restoring: boolean): void {
    if (meta !== undefined) meta.dependents = value;
    else if (value === null) this.danglingDependents.delete(dep);
    else if (restoring) this.danglingDependents.load(dep, value);
    else this.danglingDependents.set(dep, value);
  }

  private unlinkDependent(dep: string, id: string): void {
    const meta = this.taskTable.get(dep);
    const current = this.dependentsValue(dep, meta);
    if (current === null) return;
    if (typeof current === "string") {
      if (current === id) this.putDependents(dep, meta, null, false);
      return;
    }
    current.delete(id);
    if (current.size === 1) this.putDependents(dep, meta, current.values().next().value!, false);
  }

  /** Ids of the tasks that list `id` in their deps. */
  private dependentsOf(id: string): Iterable<string> {
    const current = this.dependentsValue(id, this.taskTable.get(id));
    if (current === null) return [];
    return typeof current === "string" ? [current] : current;
  }

  private addStakeholder(task: TaskRecord, worker: string): void {
    if (task.stakeholders.has(worker)) return;
    if (!task.workers.has(worker)) this.workerIndex(worker).links.link(this.taskTable.get(task.id)!);
    task.stakeholders = this.singletons.withItem(task.stakeholders, worker);
    this.touched(task);
  }

  private setRetry(task: TaskRecord, at: Seconds): void {
    task.retry = at;
    this.retryTimers.push(at, task.id);
  }

  private setRemove(task: TaskRecord, at: Seconds): void {
    task.remove = at;
    this.removeTimers.push(at, task.id);
    this.touched(task);
  }

  private trackOrphan(task: TaskRecord): void {
    if (task.stakeholders.size === 0 && task.remove === null) this.orphans.add(task.id);
    else this.orphans.delete(task.id);
  }

  /** BATCH_RUNNING tasks of one batch, in status order. */
  private batchRunningMembers(batchId: string): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const task of this.tasksByStatus(BATCH_RUNNING)) if (task.batchId === batchId) out.push(task as TaskRecord);
    return out;
  }

  private setOnTaskAndBatch(taskId: string, set: (task: TaskRecord) => void): void {
    const task = this.recordOf(taskId);
    if (!task) return;
    this.update(task, set);
    if (task.status === RUNNING && task.batchId !== null) {
      for (const member of this.batchRunningMembers(task.batchId)) this.update(member, set);
    }
  }

  private update(task: TaskRecord, change: (task: TaskRecord) => unknown): void {
    change(task);
    this.touched(task);
  }

  /** Records that a task changed: re-derives its index entries and marks it dirty. */
  private touched(task: TaskRecord): void {
    if (this.taskTable.get(task.id)?.task !== task) return;
    this.refresh(task);
    this.trackOrphan(task);
    this.changes.tasks.add(task.id);
    this.version++;
  }

  /** Recomputes what the task contributes to the indexes, replacing the old contribution. */
  private refresh(task: TaskRecord): void {
    const meta = this.taskTable.get(task.id)!;
    const status = task.status;
    const counted = status === PENDING || status === FAILED;
    const resourceful = status === PENDING && hasKeys(task.resources);
    const schedulable = status === PENDING && meta.unmet === 0;
    const priority = rankPriority(task.priority);
    const batchFamily = schedulable && task.batchable ? task.family : null;
    if (
      meta.indexed &&
      meta.rankRunnable === (schedulable && task.runnable) &&
      meta.counted === counted &&
      meta.resourceful === resourceful &&
      meta.batchFamily === batchFamily &&
      (meta.rank === null
        ? !schedulable
        : schedulable &&
          meta.rank.priority === priority &&
          meta.rank.seq === meta.statusSeq &&
          (meta.rank.resources === task.resources || meta.rank.signature === signatureOf(task.resources)))
    ) {
      return;
    }
    this.withdraw(task, meta);
    meta.counted = counted;
    meta.resourceful = resourceful;
    meta.rank = schedulable ? { task, priority, time: task.time, seq: meta.statusSeq, signature: signatureOf(task.resources), resources: task.resources } : null;
    meta.batchFamily = batchFamily;
    this.contribute(task, meta);
  }

  /**
   * The only way to change a task's `workers`: the per-worker index entries
   * follow the set (the global ones do not depend on it).
   */
  private mutateWorkers(task: TaskRecord, change: (workers: Set<string>) => Set<string>): void {
    const meta = this.taskTable.get(task.id)!;
    this.upstream.workersChanged(task);
    if (meta.indexed) this.withdrawFromWorkers(task, meta);
    task.workers = change(task.workers);
    if (meta.indexed) this.contributeToWorkers(task, meta);
    this.touched(task);
  }

  private contribute(task: TaskRecord, meta: TaskMeta): void {
    this.contributeToWorkers(task, meta);
    if (meta.rank) {
      this.ranked.add(meta.rank);
      if (meta.batchFamily !== null) addRanked(this.familyRanked, meta.batchFamily, meta.rank);
      if (task.runnable) addRanked(this.runnableBySignature, meta.rank.signature, meta.rank);
    }
    meta.rankRunnable = meta.rank !== null && task.runnable;
    meta.indexed = true;
  }

  private withdraw(task: TaskRecord, meta: TaskMeta): void {
    if (!meta.indexed) return;
    this.withdrawFromWorkers(task, meta);
    if (meta.rank) {
      this.ranked.delete(meta.rank);
      if (meta.batchFamily !== null) deleteRanked(this.familyRanked, meta.batchFamily, meta.rank);
      if (meta.rankRunnable) deleteRanked(this.runnableBySignature, meta.rank.signature, meta.rank);
    }
    meta.rankRunnable = false;
    meta.indexed = false;
  }

  /** The task's entries in the indexes of the workers in its `workers` set. */
  private contributeToWorkers(task: TaskRecord, meta: TaskMeta): void {
    const n = task.workers.size;
    let i = 0;
    for (const worker of task.workers) {
      const index = this.workerIndex(worker);
      if (meta.counted) {
        index.pending++;
        if (n === 1) index.unique++;
        if (i === n - 1) index.lastScheduled++;
      }
      if (meta.resourceful) index.resourceful++;
      if (meta.rank) {
        index.ranked.add(meta.rank);
        addRanked(index.bySignature, meta.rank.signature, meta.rank);
      }
      i++;
    }
  }

  /** Takes back contributeToWorkers; a worker whose index is already gone (being forgotten) is skipped. */
  private withdrawFromWorkers(task: TaskRecord, meta: TaskMeta): void {
    const n = task.workers.size;
    let i = 0;
    for (const worker of task.workers) {
      const index = this.workerIndexes.get(worker);
      i++;
      if (!index) continue;
      if (meta.counted) {
        index.pending--;
        if (n === 1) index.unique--;
        if (i === n) index.lastScheduled--;
      }
      if (meta.resourceful) index.resourceful--;
      if (meta.rank) {
        index.ranked.delete(meta.rank);
        deleteRanked(index.bySignature, meta.rank.signature, meta.rank);
      }
    }
  }

  private statusList(status: TaskStatus): ChunkedList<TaskMeta> {
    let list = this.statusIndex.get(status);
    if (!list) this.statusIndex.set(status, (list = new ChunkedList(setStatusSlot)));
    return list;
  }

  // ---- workers ---------------------------------------------------------------

  private workerRecord(id: string, now: Seconds): WorkerRecord {
    let worker = this.workerTable.get(id);
    if (!worker) {
      worker = newWorkerRecord(id, now);
      this.workerTable.set(id, worker);
      this.touchedWorker(id);
    }
    return worker;
  }

  /** Get or create, and record activity (add_task, get_work, ping). */
  private touchWorker(id: string, now: Seconds): WorkerRecord {
    const worker = this.workerRecord(id, now);
    worker.lastActive = now;
    this.touchedWorker(id);
    return worker;
  }

  /** Whether `meta` is its task's live bookkeeping and the task holds `worker` as a stakeholder or in `workers`. */
  private linksWorker(meta: TaskMeta, worker: string): boolean {
    const task = meta.task;
    return (task.stakeholders.has(worker) || task.workers.has(worker)) && this.taskTable.get(task.id) === meta;
  }

  private workerIndex(id: string): WorkerIndex {
    let index = this.workerIndexes.get(id);
    if (!index) {
      index = { links: new WorkerLinks(), pending: 0, unique: 0, lastScheduled: 0, resourceful: 0, ranked: newRankList(), bySignature: new Map() };
      this.workerIndexes.set(id, index);
    }
    return index;
  }

  /** §3.8 step 1: the worker and every trace of it on tasks disappear. */
  private forgetWorker(id: string): void {
    this.workerTable.delete(id);
    this.touchedWorker(id);
    const index = this.workerIndexes.get(id);
    if (!index) return;
    // The worker's own index goes first: its entries need no taking back one by one.
    this.workerIndexes.delete(id);
    for (const meta of index.links.items((m) => this.linksWorker(m, id))) {
      const task = meta.task;
      task.stakeholders = this.singletons.withoutItem(task.stakeholders, id);
      if (task.workers.has(id)) this.mutateWorkers(task, (workers) => this.singletons.withoutItem(workers, id));
      else this.touched(task);
    }
    this.singletons.forget(id);
  }

  private queueMessage(workerId: string, message: RpcMessage, now: Seconds): void {
    const worker = this.workerRecord(workerId, now);
    worker.rpcMessages = [...worker.rpcMessages, message];
    this.touchedWorker(workerId);
  }

  private batcherMap(worker: string): Map<string, BatcherEntry> {
    let map = this.batchers.get(worker);
    if (!map) this.batchers.set(worker, (map = new Map()));
    return map;
  }

  private unbatchedParams(worker: string, family: string, params: Record<string, unknown>): Record<string, unknown> {
    const batched = this.batchers.get(worker)?.get(family)?.batchedArgs;
    if (!batched || batched.length === 0) return { ...params };
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(params)) if (!batched.includes(name)) out[name] = value;
    return out;
  }

  private retryPolicyFrom(override: A.RetryPolicyOverride | null): RetryPolicy {
    const base = configRetryPolicy(this.config);
    if (!override || (override.retryCount == null && override.disableHardTimeout == null && override.disableWindow == null)) return base;
    return {
      retryCount: override.retryCount ?? base.retryCount,
      disableHardTimeout: override.disableHardTimeout ?? base.disableHardTimeout,
      disableWindow: override.disableWindow ?? base.disableWindow,
    };
  }

  /** server.md §4.5: only the four statuses history knows are recorded. */
  private recordHistory(task: TaskRecord, status: TaskStatus, host: string | null, now: Seconds): void {
    if (isHistoryStatus(status)) this.events.push({ type: "history", at: now, task: taskFacts(task), status, host });
  }

  private touchedWorker(id: string): void {
    this.changes.workers.add(id);
    this.version++;
  }

  private touchedMeta(): void {
    this.changes.meta = true;
    this.version++;
  }
}

function isHistoryStatus(status: TaskStatus): status is "PENDING" | "RUNNING" | "DONE" | "FAILED" {
  return status === PENDING || status === RUNNING || status === DONE || status === FAILED;
}

function setStatusSlot(meta: TaskMeta, slot: number): void {
  meta.statusSlot = slot;
}

/** Each worker the task links (see WorkerLinks): its stakeholders, then the rest of its `workers`. */
function forLinkedWorkers(task: Readonly<TaskRecord>, visit: (worker: string) => void): void {
  for (const w of task.stakeholders) visit(w);
  for (const w of task.workers) if (!task.stakeholders.has(w)) visit(w);
}

function newMeta(task: TaskRecord, seq: number, statusSeq: number): TaskMeta {
  return { task, seq, statusSeq, statusSlot: -1, unmet: 0, indexed: false, counted: false, resourceful: false, rank: null, batchFamily: null, rankRunnable: false, dependents: null };
}

function popDue(heap: MinHeap, isDue: (key: number) => boolean, into: Set<string>): void {
  for (;;) {
    const key = heap.peekKey();
    if (key === undefined || !isDue(key)) return;
    into.add(heap.pop()!);
  }
}

/** Luigi's rank is (priority, -time); true when a ranks strictly below b. */
function ranksLower(a: Readonly<TaskRecord>, b: Readonly<TaskRecord>): boolean {
  const pa = rankPriority(a.priority);
  const pb = rankPriority(b.priority);
  return pa < pb || (pa === pb && a.time > b.time);
}

function slotCount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 1;
}

/** The Python worker JSON-encodes explanations; decode when possible (rpc.md §5.1 step 17). */
function decodeExpl(expl: string | null): string | null {
  if (expl === null) return null;
  try {
    const decoded: unknown = JSON.parse(expl);
    return typeof decoded === "string" ? decoded : decoded === null ? null : expl;
  } catch {
    return expl;
  }
}

function* mapIter<T, U>(items: Iterable<T>, f: (item: T) => U): IterableIterator<U> {
  for (const item of items) yield f(item);
}
