/**
 * worker_list (rpc.md §5.20).
 * @module
 */
import type { WorkerListArgs } from "../args.ts";
import type { Seconds, WorkerRecord } from "../types.ts";
import { displayName, type SerialisedTask, serialiseTask } from "./serialise.ts";
import type { EngineView } from "./view.ts";
import { dict } from "./dict.ts";

export interface WorkerListEntry {
  name: string;
  last_active: Seconds;
  started: Seconds;
  state: "active" | "disabled";
  first_task_display_name: unknown;
  num_unread_rpc_messages: number;
  /** The worker's `info` keys (salt, workers, host, username, pid, first_task, …). */
  [info: string]: unknown;
  num_running?: number;
  num_pending?: number;
  num_uniques?: number;
  running?: Record<string, SerialisedTask>;
}

/** The pretty id of `info.first_task` when that task exists, else the raw value ("" when unset). */
function firstTaskDisplayName(engine: EngineView, worker: Readonly<WorkerRecord>): unknown {
  // As Python's info.get("first_task", ""): a first_task sent as null stays null (assistants send it so).
  const firstTask = Object.hasOwn(worker.info, "first_task") ? worker.info.first_task : "";
  const task = typeof firstTask === "string" ? engine.getTask(firstTask) : undefined;
  return task ? displayName(task) : firstTask;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Newest first. An `info` key never overrides a fixed key (Luigi would crash: quirk 28). */
export function workerList(engine: EngineView, args: WorkerListArgs, now: Seconds): WorkerListEntry[] {
  engine.prune(now);
  const entries: WorkerListEntry[] = [];
  for (const worker of engine.workers()) {
    const entry: WorkerListEntry = {
      name: worker.id,
      last_active: worker.lastActive,
      started: worker.started,
      state: worker.disabled ? "disabled" : "active",
      first_task_display_name: firstTaskDisplayName(engine, worker),
      num_unread_rpc_messages: worker.rpcMessages.length,
    };
    for (const [key, value] of Object.entries(worker.info)) {
      if (!Object.hasOwn(entry, key)) Object.defineProperty(entry, key, { value, enumerable: true, writable: true, configurable: true });
    }
    entries.push(entry);
  }
  // Array.prototype.sort is stable, like Python's: equal start times keep table order.
  entries.sort((a, b) => b.started - a.started);
  if (!args.includeRunning) return entries;

  const running = new Map<string, Record<string, SerialisedTask>>();
  for (const task of engine.tasksByStatus("RUNNING")) {
    if (!task.workerRunning) continue;
    let tasks = running.get(task.workerRunning);
    if (!tasks) running.set(task.workerRunning, (tasks = dict()));
    tasks[task.id] = serialiseTask(task, engine.config);
  }
  const pending = new Map<string, number>();
  const uniques = new Map<string, number>();
  for (const task of engine.tasksByStatus("PENDING")) {
    for (const worker of task.workers) increment(pending, worker);
    if (task.workers.size === 1) increment(uniques, task.workers.values().next().value!);
  }
  for (const entry of entries) {
    const tasks = running.get(entry.name) ?? dict<SerialisedTask>();
    entry.num_running = Object.keys(tasks).length;
    entry.num_pending = pending.get(entry.name) ?? 0;
    entry.num_uniques = uniques.get(entry.name) ?? 0;
    entry.running = tasks;
  }
  return entries;
}
