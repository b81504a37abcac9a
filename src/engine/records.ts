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

export function newTaskRecord(id: string, status: TaskStatus, now: Seconds, policy: RetryPolicy, fields: NewTaskFields): TaskRecord {
  return {
    id,
    status,
    deps: depsSet(fields.deps),
    stakeholders: EMPTY_SET,
    workers: EMPTY_SET,
    time: now,
    updated: now,
    retry: null,
    remove: null,
    workerRunning: null,
    timeRunning: null,
    resourcesRunning: null,
    expl: null,
    priority: fields.priority ?? 0,
    resources: fields.resources ?? EMPTY_MAP,
    family: fields.family ?? "",
    module: fields.module ?? null,
    params: fields.params ?? EMPTY_MAP,
    paramVisibilities: fields.paramVisibilities ?? EMPTY_MAP,
    acceptsMessages: false,
    retryPolicy: policy,
    failures: EMPTY_LIST,
    firstFailureTime: null,
    trackingUrl: null,
    statusMessage: null,
    progressPercentage: null,
    schedulerMessageResponses: EMPTY_MAP,
    schedulerDisableTime: null,
    runnable: false,
    batchable: false,
    batchId: null,
    owners: EMPTY_LIST,
  };
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

export function taskFacts(task: TaskRecord): TaskFacts {
  return {
    id: task.id,
    family: task.family,
    params: { ...task.params },
    paramVisibilities: { ...task.paramVisibilities },
    status: task.status,
    time: task.time,
    updated: task.updated,
    timeRunning: task.timeRunning,
    workerRunning: task.workerRunning,
    priority: task.priority,
    resources: { ...task.resources },
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
