/**
 * A stand-in for the Engine as the state store sees it: records in
 * insertion-ordered maps, and a ChangeSet of what was touched since the last drain.
 */
import type { ChangeSet } from "../../../src/engine/events.ts";
import { cloneTask } from "../../../src/engine/snapshot.ts";
import type { BatcherEntry, EngineState, TaskRecord, WorkerRecord } from "../../../src/engine/types.ts";
import type { StateSource } from "../../../src/store/state/store.ts";

const emptyChanges = (): ChangeSet => ({ tasks: new Set(), deletedTaskSeqs: [], workers: new Set(), meta: false });

export class FakeSource implements StateSource {
  readonly tasks = new Map<string, TaskRecord>();
  readonly workers = new Map<string, WorkerRecord>();
  readonly batchers: Array<{ worker: string; family: string; entry: BatcherEntry }> = [];
  paused = false;
  resources: Record<string, number> = {};
  /** Insertion numbers, as the engine gives them: a new id (or one deleted and put again) gets the next one. */
  private readonly seqs = new Map<string, number>();
  private lastSeq = 0;
  private changes: ChangeSet = emptyChanges();

  putTask(task: TaskRecord): void {
    if (!this.seqs.has(task.id)) this.seqs.set(task.id, ++this.lastSeq);
    this.tasks.set(task.id, task);
    this.changes.tasks.add(task.id);
  }
  deleteTask(id: string): void {
    const seq = this.seqs.get(id);
    if (seq !== undefined) this.changes.deletedTaskSeqs.push(seq);
    this.seqs.delete(id);
    this.tasks.delete(id);
    this.changes.tasks.add(id);
  }
  putWorker(worker: WorkerRecord): void {
    this.workers.set(worker.id, worker);
    this.changes.workers.add(worker.id);
  }
  deleteWorker(id: string): void {
    this.workers.delete(id);
    this.changes.workers.add(id);
  }
  touchMeta(): void {
    this.changes.meta = true;
  }
  drainChanges(): ChangeSet {
    const changes = this.changes;
    this.changes = emptyChanges();
    return changes;
  }

  getTask(id: string): TaskRecord | undefined {
    return this.tasks.get(id);
  }
  taskSeq(id: string): number | undefined {
    return this.seqs.get(id);
  }
  getWorker(id: string): WorkerRecord | undefined {
    return this.workers.get(id);
  }
  isPaused(): boolean {
    return this.paused;
  }
  resourceCapacities(): Record<string, number> {
    return { ...this.resources };
  }
  exportState(): EngineState {
    return {
      tasks: [...this.tasks.values()],
      taskSeqs: [...this.tasks.keys()].map((id) => this.seqs.get(id)!),
      workers: [...this.workers.values()],
      batchers: [...this.batchers],
      paused: this.paused,
      resources: { ...this.resources },
    };
  }
}

/** A task with every field set to a non-default value. */
export function fullTask(id: string, at = 1_800_000_000.125): TaskRecord {
  return {
    id,
    status: "RUNNING",
    deps: new Set([`${id}-dep1`, `${id}-dep2`]),
    stakeholders: new Set(["w1", "w2"]),
    workers: new Set(["w2", "w1"]),
    time: at,
    updated: at + 1.5,
    retry: at + 900,
    remove: at + 600,
    workerRunning: "w1",
    timeRunning: at + 2.25,
    resourcesRunning: { cpu: 2, gpu: 0.5 },
    expl: '"Runtime error:\\nTraceback..."',
    priority: 7,
    resources: { cpu: 2, gpu: 0.5 },
    family: "Family",
    module: "pkg.module",
    params: { date: "2024-01-01", list: "[1, 2]", nested: { a: [1, "b", null, true] } },
    paramVisibilities: { date: 0, secret: 1 },
    acceptsMessages: true,
    retryPolicy: { retryCount: 3, disableHardTimeout: 7200, disableWindow: 3600 },
    failures: [at - 10, at - 5],
    firstFailureTime: at - 10,
    trackingUrl: "http://tracker/1",
    statusMessage: "half way",
    progressPercentage: 50,
    schedulerMessageResponses: { "msg-1": "yes", "msg-2": { answer: 42 } },
    schedulerDisableTime: at - 1,
    runnable: true,
    batchable: true,
    batchId: "batch-123",
    owners: ["owner@example.com"],
  };
}

/** A task with every optional field at its initial value. */
export function bareTask(id: string, at = 1_800_000_000): TaskRecord {
  return {
    id,
    status: "PENDING",
    deps: new Set(),
    stakeholders: new Set(),
    workers: new Set(),
    time: at,
    updated: at,
    retry: null,
    remove: null,
    workerRunning: null,
    timeRunning: null,
    resourcesRunning: null,
    expl: null,
    priority: 0,
    resources: {},
    family: "",
    module: null,
    params: {},
    paramVisibilities: {},
    acceptsMessages: false,
    retryPolicy: { retryCount: 999999999, disableHardTimeout: 999999999, disableWindow: 3600 },
    failures: [],
    firstFailureTime: null,
    trackingUrl: null,
    statusMessage: null,
    progressPercentage: null,
    schedulerMessageResponses: {},
    schedulerDisableTime: null,
    runnable: false,
    batchable: false,
    batchId: null,
    owners: [],
  };
}

export function fullWorker(id: string, at = 1_800_000_000.5): WorkerRecord {
  return {
    id,
    reference: { host: "host-a" },
    lastActive: at + 30,
    lastGetWork: at + 29,
    started: at,
    info: { salt: "123456789", workers: 4, host: "host-a", username: "u", pid: 42, assistant: false },
    disabled: true,
    rpcMessages: [{ name: "set_worker_processes", kwargs: { n: 3 } }],
  };
}

export function bareWorker(id: string, at = 1_800_000_000): WorkerRecord {
  return { id, reference: null, lastActive: at, lastGetWork: null, started: at, info: {}, disabled: false, rpcMessages: [] };
}

/** Collects log lines so tests can assert on them and keep the output quiet. */
export function memoryLog(): { lines: string[]; info(m: string): void; warning(m: string): void; error(m: string): void } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`INFO ${m}`),
    warning: (m) => lines.push(`WARNING ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

/**
 * A restored task as a plain record with plain Sets: the store hands the engine
 * LiveTasks with CompactSets (same fields, items and order), which toEqual tells
 * apart from plain objects and Sets. The engine's own copy (cloneTask) names
 * the fields a spread would miss.
 */
export function plainTask(task: TaskRecord): TaskRecord {
  return cloneTask(task);
}

/** A restored state with every task's sets as plain Sets (see plainTask). */
export function plainState(state: EngineState): EngineState {
  return { ...state, tasks: state.tasks.map(plainTask) };
}
