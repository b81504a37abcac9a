/**
 * Engine records handed to the state store and taken back from it: exported
 * copies (exportState), and restored records made the engine's own in place
 * (loadState), with compact sets and shared empties.
 * @module
 */
import { CompactSet, EMPTY_SET, type SingletonSets } from "./compact-set.ts";
import { EMPTY_LIST, EMPTY_MAP, hasKeys, ownMap } from "./records.ts";
import type { RetryPolicy, TaskRecord, WorkerRecord } from "./types.ts";

/**
 * Makes a restored record the engine's own, in place: compact sets, shared
 * empties, and one string instance for each repeated value (worker ids,
 * families, modules, short explanations), which a decoder creates anew for
 * every task.
 */
export function adoptTask(task: TaskRecord, policy: RetryPolicy, intern: (s: string) => string, singletons: SingletonSets): void {
  // deps are rebuilt by loadState once every id is known.
  task.stakeholders = adoptWorkerSet(task.stakeholders, intern, singletons);
  task.workers = adoptWorkerSet(task.workers, intern, singletons);
  task.family = intern(task.family);
  if (task.module !== null) task.module = intern(task.module);
  if (task.workerRunning !== null) task.workerRunning = intern(task.workerRunning);
  if (task.expl !== null && task.expl.length <= 16) task.expl = intern(task.expl);
  if (!hasKeys(task.resources)) task.resources = EMPTY_MAP;
  if (task.resourcesRunning !== null && !hasKeys(task.resourcesRunning)) task.resourcesRunning = EMPTY_MAP;
  if (!hasKeys(task.params)) task.params = EMPTY_MAP;
  if (!hasKeys(task.paramVisibilities)) task.paramVisibilities = EMPTY_MAP;
  if (!hasKeys(task.schedulerMessageResponses)) task.schedulerMessageResponses = EMPTY_MAP;
  if (task.failures.length === 0) task.failures = EMPTY_LIST;
  if (task.owners.length === 0) task.owners = EMPTY_LIST;
  if (samePolicy(task.retryPolicy, policy)) task.retryPolicy = policy;
}

/** A restored stakeholders/workers set: shared when empty or single (no generator: 10^6 tasks go through here). */
function adoptWorkerSet(set: Set<string>, intern: (s: string) => string, singletons: SingletonSets): Set<string> {
  const n = set.size;
  if (n === 0) return EMPTY_SET;
  if (n === 1) for (const id of set) return singletons.of(id);
  const out = new CompactSet();
  for (const id of set) out.add(intern(id));
  return out;
}

function samePolicy(a: RetryPolicy, b: RetryPolicy): boolean {
  return a.retryCount === b.retryCount && a.disableHardTimeout === b.disableHardTimeout && a.disableWindow === b.disableWindow;
}

/**
 * A copy of a record for exportState, as a plain object with plain Sets; empty
 * maps and lists become the shared empties. The spread takes the record's own
 * fields; the rare ones behind LiveTask's accessors are named here.
 */
export function cloneTask(task: TaskRecord): TaskRecord {
  return {
    ...task,
    firstFailureTime: task.firstFailureTime,
    trackingUrl: task.trackingUrl,
    statusMessage: task.statusMessage,
    progressPercentage: task.progressPercentage,
    schedulerDisableTime: task.schedulerDisableTime,
    deps: new Set(task.deps),
    stakeholders: new Set(task.stakeholders),
    workers: new Set(task.workers),
    resourcesRunning: task.resourcesRunning ? { ...task.resourcesRunning } : null,
    resources: ownMap(task.resources),
    params: ownMap(task.params),
    paramVisibilities: ownMap(task.paramVisibilities),
    retryPolicy: { ...task.retryPolicy },
    failures: task.failures.length > 0 ? [...task.failures] : EMPTY_LIST,
    schedulerMessageResponses: ownMap(task.schedulerMessageResponses),
    owners: task.owners.length > 0 ? [...task.owners] : EMPTY_LIST,
  };
}

export function cloneWorker(worker: WorkerRecord): WorkerRecord {
  return {
    ...worker,
    reference: worker.reference ? { ...worker.reference } : null,
    info: { ...worker.info },
    rpcMessages: worker.rpcMessages.map((m) => ({ name: m.name, kwargs: { ...m.kwargs } })),
  };
}
