/**
 * What the engine reports after each operation, so that persistence, task
 * history, metrics and e-mail can follow it without the engine knowing they
 * exist. The engine appends to a queue; the server drains it after each call
 * (`Engine.drainEvents()`), in order.
 * @module
 */
import type { Seconds, TaskStatus } from "./types.ts";

/** A copy of the task fields listeners need, taken when the event happened. */
export interface TaskFacts {
  id: string;
  family: string;
  /** Shared with the task (taskFacts says why): read, never write. */
  params: Readonly<Record<string, unknown>>;
  paramVisibilities: Readonly<Record<string, number>>;
  status: TaskStatus;
  time: Seconds;
  updated: Seconds;
  timeRunning: Seconds | null;
  workerRunning: string | null;
  priority: number;
  resources: Record<string, number>;
}

export type EngineEvent =
  /** Task history (server.md §4.5): the status *requested* by add_task / get_work / forgive / mark_as_done. */
  | { type: "history"; at: Seconds; task: TaskFacts; status: "PENDING" | "RUNNING" | "DONE" | "FAILED"; host: string | null }
  /** Metrics "started" hook: get_work hands out a single task (incl. a re-send), or update_metrics_task_started. */
  | { type: "task_started"; at: Seconds; task: TaskFacts }
  /** The status actually changed (any cause). Metrics fire failed/disabled/done from `to`. */
  | { type: "status_changed"; at: Seconds; task: TaskFacts; from: TaskStatus; to: TaskStatus }
  /** A FAILED report from a worker (batch e-mails). `expl` already JSON-decoded where possible. */
  | { type: "failure_reported"; at: Seconds; task: TaskFacts; worker: string; expl: string | null; owners: string[]; unbatchedParams: Record<string, unknown>; disabled: boolean }
  /** The scheduler disabled a task for excessive failures (immediate e-mail when batch_emails is off). */
  | { type: "auto_disabled"; at: Seconds; task: TaskFacts; retryCount: number; disableWindow: number; disablePersist: number }
  /** announce_scheduling_failure. */
  | { type: "scheduling_failure"; at: Seconds; taskName: string; family: string; unbatchedParams: Record<string, unknown>; expl: string; owners: string[]; worker: string }
  /** report_task_statistics for a known task. */
  | { type: "task_statistics"; at: Seconds; task: TaskFacts; statistics: unknown };

/**
 * What changed since the last drain, for the durable store: ids whose current
 * record must be written (or deleted, when the engine no longer has it), and
 * whether the scheduler-wide part (pause flag, resources, batchers) changed.
 */
export interface ChangeSet {
  tasks: Set<string>;
  /**
   * The insertion number (`Engine.taskSeq`) of every task deleted since the
   * last drain: the store addresses task rows by it, and a deleted task's
   * number is no longer anywhere else. A task deleted and created again has
   * its old number here and a new one in the engine.
   */
  deletedTaskSeqs: number[];
  workers: Set<string>;
  meta: boolean;
}
