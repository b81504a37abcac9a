/**
 * Constructors and small pure helpers for the engine's plain records
 * (rpc.md §2.5, §2.6), and the snapshots listeners receive (TaskFacts).
 * @module
 */
import { CompactSet, EMPTY_SET } from "./compact-set.ts";
import type { TaskFacts } from "./events.ts";
import type { EngineConfig, RetryPolicy, Seconds, TaskRecord, TaskStatus, WorkerRecord } from "./types.ts";

/**
 * Shared, frozen empty values for the many tasks that have no params,
 * resources, failures or owners: a task record's maps and lists are
 * replaced, never changed in place, so they can share these (a write would
 * throw instead of corrupting other tasks).
 */
export const EMPTY_MAP: Record<string, never> = Object.freeze({});
export const EMPTY_LIST: never[] = Object.freeze([]) as unknown as never[];

/** `{}` when empty (shared), else a copy. */
export function ownMap<T>(map: Record<string, T> | null | undefined): Record<string, T> {
  return map && hasKeys(map) ? { ...map } : EMPTY_MAP;
}

export interface NewTaskFields {
  deps?: Iterable<string>;
  resources?: Record<string, number>;
  priority?: number;
  family?: string;
  module?: string | null;
  params?: Record<string, unknown>;
  paramVisibilities?: Record<string, number>;
}

const policies = new WeakMap<EngineConfig, RetryPolicy>();

/** The config's retry policy: one frozen object shared by every task that has no override. */
export function configRetryPolicy(config: EngineConfig): RetryPolicy {
  let policy = policies.get(config);
  if (!policy) {
    policy = Object.freeze({ retryCount: config.retryCount, disableHardTimeout: config.disableHardTimeout, disableWindow: config.disableWindow });
    policies.set(config, policy);
  }
  return policy;
}

/** The fields most tasks never set (failures, progress, messages, owners...); RARE_DEFAULTS holds their values until set. */
type RareTaskFields = Pick<
  TaskRecord,
  "failures" | "firstFailureTime" | "trackingUrl" | "statusMessage" | "progressPercentage" | "schedulerMessageResponses" | "schedulerDisableTime" | "owners"
>;

const RARE_DEFAULTS: Readonly<RareTaskFields> = Object.freeze({
  failures: EMPTY_LIST,
  firstFailureTime: null,
  trackingUrl: null,
  statusMessage: null,
  progressPercentage: null,
  schedulerMessageResponses: EMPTY_MAP,
  schedulerDisableTime: null,
  owners: EMPTY_LIST,
});

/**
 * The engine's own task record. The fields of RareTaskFields live in a side
 * object made on the first write of a value other than their default, behind
 * accessors, so a record is 25 slots: JSC gives it a 224-byte cell where the
 * 32 fields of TaskRecord as one object literal took 320 (~10 MB at 10^5
 * tasks, ~100 MB at 10^6). Reads and writes look the same as on a plain
 * record. Accessors are not own properties: a copy must name them (cloneTask).
 */
// The fields are TaskRecord's, declared there once; the class adds the accessors of the rare ones.
export interface LiveTask extends TaskRecord {}
export class LiveTask {
  #rare: RareTaskFields | null = null;

  /** Takes `from`'s fields (a plain record, such as a decoded one); its maps and sets are shared, not copied. */
  constructor(from: TaskRecord) {
    this.id = from.id;
    this.status = from.status;
    this.deps = from.deps;
    this.stakeholders = from.stakeholders;
    this.workers = from.workers;
    this.time = from.time;
    this.updated = from.updated;
    this.retry = from.retry;
    this.remove = from.remove;
    this.workerRunning = from.workerRunning;
    this.timeRunning = from.timeRunning;
    this.resourcesRunning = from.resourcesRunning;
    this.expl = from.expl;
    this.priority = from.priority;
    this.resources = from.resources;
    this.family = from.family;
    this.module = from.module;
    this.params = from.params;
    this.paramVisibilities = from.paramVisibilities;
    this.acceptsMessages = from.acceptsMessages;
    this.retryPolicy = from.retryPolicy;
    this.runnable = from.runnable;
    this.batchable = from.batchable;
    this.batchId = from.batchId;
    // Not here: JSC sizes the cell by the stores a constructor makes to `this`,
    // setters included (32 of them would make it a 320-byte cell again).
    this.#takeRare(from);
  }

  #takeRare(from: TaskRecord): void {
    this.failures = from.failures;
    this.firstFailureTime = from.firstFailureTime;
    this.trackingUrl = from.trackingUrl;
    this.statusMessage = from.statusMessage;
    this.progressPercentage = from.progressPercentage;
    this.schedulerMessageResponses = from.schedulerMessageResponses;
    this.schedulerDisableTime = from.schedulerDisableTime;
    this.owners = from.owners;
  }

  /** The side object, made on demand; null while every rare field has its default. */
  #rareFor<K extends keyof RareTaskFields>(key: K, value: RareTaskFields[K]): RareTaskFields | null {
    if (this.#rare === null && value !== RARE_DEFAULTS[key]) this.#rare = { ...RARE_DEFAULTS };
    return this.#rare;
  }

  get failures(): Seconds[] {
    return this.#rare === null ? RARE_DEFAULTS.failures : this.#rare.failures;
  }
  set failures(value: Seconds[]) {
    const rare = this.#rareFor("failures", value);
    if (rare !== null) rare.failures = value;
  }
  get firstFailureTime(): Seconds | null {
    return this.#rare === null ? null : this.#rare.firstFailureTime;
  }
  set firstFailureTime(value: Seconds | null) {
    const rare = this.#rareFor("firstFailureTime", value);
    if (rare !== null) rare.firstFailureTime = value;
  }
  get trackingUrl(): string | null {
    return this.#rare === null ? null : this.#rare.trackingUrl;
  }
  set trackingUrl(value: string | null) {
    const rare = this.#rareFor("trackingUrl", value);
    if (rare !== null) rare.trackingUrl = value;
  }
  get statusMessage(): string | null {
    return this.#rare === null ? null : this.#rare.statusMessage;
  }
  set statusMessage(value: string | null) {
    const rare = this.#rareFor("statusMessage", value);
    if (rare !== null) rare.statusMessage = value;
  }
  get progressPercentage(): unknown {
    return this.#rare === null ? null : this.#rare.progressPercentage;
  }
  set progressPercentage(value: unknown) {
    const rare = this.#rareFor("progressPercentage", value);
    if (rare !== null) rare.progressPercentage = value;
  }
  get schedulerMessageResponses(): Record<string, unknown> {
    return this.#rare === null ? RARE_DEFAULTS.schedulerMessageResponses : this.#rare.schedulerMessageResponses;
  }
  set schedulerMessageResponses(value: Record<string, unknown>) {
    const rare = this.#rareFor("schedulerMessageResponses", value);
    if (rare !== null) rare.schedulerMessageResponses = value;
  }
  get schedulerDisableTime(): Seconds | null {
    return this.#rare === null ? null : this.#rare.schedulerDisableTime;
  }
  set schedulerDisableTime(value: Seconds | null) {
    const rare = this.#rareFor("schedulerDisableTime", value);
    if (rare !== null) rare.schedulerDisableTime = value;
  }
  get owners(): string[] {
    return this.#rare === null ? RARE_DEFAULTS.owners : this.#rare.owners;
  }
  set owners(value: string[]) {
    const rare = this.#rareFor("owners", value);
    if (rare !== null) rare.owners = value;
  }
}

/** What a new task has before addTask fills it in. */
const NEW_TASK: Readonly<TaskRecord> = Object.freeze({
  id: "",
  status: "PENDING",
  deps: EMPTY_SET,
  stakeholders: EMPTY_SET,
  workers: EMPTY_SET,
  time: 0,
  updated: 0,
  retry: null,
  remove: null,
  workerRunning: null,
  timeRunning: null,
  resourcesRunning: null,
  expl: null,
  priority: 0,
  resources: EMPTY_MAP,
  family: "",
  module: null,
  params: EMPTY_MAP,
  paramVisibilities: EMPTY_MAP,
  acceptsMessages: false,
  retryPolicy: Object.freeze({ retryCount: 0, disableHardTimeout: 0, disableWindow: 0 }),
  runnable: false,
  batchable: false,
  batchId: null,
  ...RARE_DEFAULTS,
});

export function newTaskRecord(id: string, status: TaskStatus, now: Seconds, policy: RetryPolicy, fields: NewTaskFields): TaskRecord {
  const task = new LiveTask(NEW_TASK);
  task.id = id;
  task.status = status;
  task.deps = depsSet(fields.deps);
  task.time = now;
  task.updated = now;
  task.priority = fields.priority ?? 0;
  task.resources = fields.resources ?? EMPTY_MAP;
  task.family = fields.family ?? "";
  task.module = fields.module ?? null;
  task.params = fields.params ?? EMPTY_MAP;
  task.paramVisibilities = fields.paramVisibilities ?? EMPTY_MAP;
  task.retryPolicy = policy;
  return task;
}

/** A task's deps: the shared empty set, or a private CompactSet (deps are replaced, never changed in place). */
export function depsSet(deps: Iterable<string> | null | undefined): Set<string> {
  const set = new CompactSet(deps);
  return set.size === 0 ? EMPTY_SET : set;
}

export function newWorkerRecord(id: string, now: Seconds): WorkerRecord {
  return {
    id,
    reference: null,
    lastActive: now,
    lastGetWork: null,
    started: now,
    info: {},
    disabled: false,
    rpcMessages: [],
  };
}

/**
 * What an event keeps of a task, as of the event. The parameter maps are the
 * task's own: the engine only ever replaces them (add_task, through ownMap),
 * never edits them, so sharing them costs an event nothing yet keeps its
 * moment. The resources map may be edited in place (a batch member's is its
 * resources_running, quirk 34), so it is copied.
 */
export function taskFacts(task: TaskRecord): TaskFacts {
  return {
    id: task.id,
    family: task.family,
    params: task.params,
    paramVisibilities: task.paramVisibilities,
    status: task.status,
    time: task.time,
    updated: task.updated,
    timeRunning: task.timeRunning,
    workerRunning: task.workerRunning,
    priority: task.priority,
    resources: ownMap(task.resources),
  };
}

/** Python truthiness for JSON-ish values (rpc.md §0). */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (typeof value === "number" && Number.isNaN(value)) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

export function hasKeys(map: Record<string, unknown> | null | undefined): boolean {
  if (!map) return false;
  for (const _ in map) return true;
  return false;
}

/** Python `==` over JSON values: deep, with dict key order ignored. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    // Python: 1 == 1.0 and True == 1.
    if ((typeof a === "number" || typeof a === "boolean") && (typeof b === "number" || typeof b === "boolean")) return Number(a) === Number(b);
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((item, i) => pyEquals(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  const oa = a as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(ob, k) && pyEquals(oa[k], ob[k]));
}

/** Ranking priority: a non-numeric or NaN priority ranks as 0 (rpc.md §3.4). */
export function rankPriority(priority: unknown): number {
  return typeof priority === "number" && !Number.isNaN(priority) ? priority : 0;
}
