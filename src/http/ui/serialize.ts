/**
 * Engine records -> the UI's JSON (types.ts). Pure functions; pretty ids and
 * public params are the engine's own (Luigi's rules live in one place).
 * @module
 */
import { displayName, publicParams } from "../../engine/queries/index.ts";
import type { TaskRecord } from "../../engine/types.ts";
import type { Category, UiTask } from "./types.ts";
import { asPercent } from "./percent.ts";

/** The category of a task that is not PENDING (PENDING needs the upstream status). */
export function categoryOfStatus(status: string): Category {
  switch (status) {
    case "PENDING":
    case "RUNNING":
    case "BATCH_RUNNING":
    case "DONE":
    case "FAILED":
    case "DISABLED":
      return status;
    default:
      return "UNKNOWN";
  }
}

export function toUiTask(task: Readonly<TaskRecord>, category: Category, sendMessages: boolean, name = displayName(task)): UiTask {
  return {
    id: task.id,
    name: task.family,
    displayName: name,
    status: task.status,
    category,
    params: publicParams(task),
    priority: task.priority,
    resources: task.resources,
    resourcesRunning: task.resourcesRunning,
    workers: [...task.workers],
    workerRunning: task.workerRunning,
    timeRunning: task.timeRunning,
    startTime: task.time,
    lastUpdated: task.updated,
    trackingUrl: task.trackingUrl,
    statusMessage: task.statusMessage,
    progressPercentage: asPercent(task.progressPercentage),
    reEnableAble: task.status === "DISABLED" && task.schedulerDisableTime !== null,
    acceptsMessages: sendMessages && task.status === "RUNNING" && task.acceptsMessages,
    deps: task.deps.size,
  };
}
