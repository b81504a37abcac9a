/** Builders for the engine's history events, so store tests need no engine. */
import type { EngineEvent, TaskFacts } from "../../../src/engine/events.ts";

export type HistoryStatus = "PENDING" | "RUNNING" | "DONE" | "FAILED";

export function facts(id: string, family: string, params: Record<string, unknown> = {}): TaskFacts {
  return {
    id,
    family,
    params,
    paramVisibilities: {},
    status: "PENDING",
    time: 0,
    updated: 0,
    timeRunning: null,
    workerRunning: null,
    priority: 0,
    resources: {},
  };
}

export function historyEvent(task: TaskFacts, status: HistoryStatus, at: number, host: string | null = null): EngineEvent {
  return { type: "history", at, task, status, host };
}

export const noChanges = () => ({ tasks: new Set<string>(), workers: new Set<string>(), meta: false });
