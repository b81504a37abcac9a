/**
 * Failure counting and the auto-disable test (rpc.md §3.3). Mutates only the
 * task's failure list, as Luigi does when it counts (old entries are dropped);
 * the list is replaced, never changed in place (it may be shared).
 * @module
 */
import { EMPTY_LIST } from "./records.ts";
import type { Seconds, TaskRecord } from "./types.ts";

export function recordFailure(task: TaskRecord, now: Seconds): void {
  if (!task.firstFailureTime) task.firstFailureTime = now;
  task.failures = [...task.failures, now];
}

export function clearFailures(task: TaskRecord): void {
  task.failures = EMPTY_LIST;
  task.firstFailureTime = null;
}

/** Whether the task has failed too often: the hard timeout, else the window count. */
export function hasExcessiveFailures(task: TaskRecord, now: Seconds): boolean {
  const policy = task.retryPolicy;
  if (task.firstFailureTime !== null && now >= task.firstFailureTime + policy.disableHardTimeout) return true;
  const minTime = now - policy.disableWindow;
  let drop = 0;
  while (drop < task.failures.length && task.failures[drop]! < minTime) drop++;
  if (drop > 0) task.failures = task.failures.slice(drop);
  return task.failures.length >= policy.retryCount;
}
