/**
 * A hand-built engine state for the read-side queries: tasks and workers as
 * plain records, so each query's rules can be pinned without driving the
 * mutating engine.
 * @module
 */
import type { EngineView } from "../../../src/engine/queries/view.ts";
import { configRetryPolicy, newTaskRecord, newWorkerRecord } from "../../../src/engine/records.ts";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig, type TaskRecord, type WorkerRecord } from "../../../src/engine/types.ts";

export function aTask(id: string, fields: Partial<Omit<TaskRecord, "deps" | "workers" | "stakeholders">> & { deps?: string[]; workers?: string[] } = {}): TaskRecord {
  const { deps = [], workers = [], ...rest } = fields;
  const task = newTaskRecord(id, "PENDING", 100, configRetryPolicy(DEFAULT_ENGINE_CONFIG), { deps, family: id.split("_")[0] ?? "" });
  // Assigned, not spread: a spread would drop the fields behind LiveTask's accessors.
  return Object.assign(task, { stakeholders: new Set(workers), workers: new Set(workers), runnable: true }, rest);
}

export function aWorker(id: string, fields: Partial<WorkerRecord> = {}): WorkerRecord {
  return { ...newWorkerRecord(id, 100), ...fields };
}

export class FakeView implements EngineView {
  readonly config: EngineConfig;
  readonly taskTable = new Map<string, TaskRecord>();
  readonly workerTable = new Map<string, WorkerRecord>();
  capacities: Record<string, number> = {};
  used: Record<string, number> = {};
  prunes: number[] = [];

  constructor(tasks: TaskRecord[] = [], config: Partial<EngineConfig> = {}) {
    this.config = { ...DEFAULT_ENGINE_CONFIG, ...config };
    for (const task of tasks) this.taskTable.set(task.id, task);
  }

  addWorker(worker: WorkerRecord): this {
    this.workerTable.set(worker.id, worker);
    return this;
  }

  getTask(id: string) {
    return this.taskTable.get(id);
  }
  tasks() {
    return this.taskTable.values();
  }
  taskCount() {
    return this.taskTable.size;
  }
  *tasksByStatus(status: string) {
    for (const task of this.taskTable.values()) if (task.status === status) yield task;
  }
  countByStatus(status: string) {
    return [...this.tasksByStatus(status)].length;
  }
  getWorker(id: string) {
    return this.workerTable.get(id);
  }
  workers() {
    return this.workerTable.values();
  }
  resourceCapacities() {
    return this.capacities;
  }
  resourcesInUse() {
    return this.used;
  }
  prune(now: number) {
    this.prunes.push(now);
  }
}
