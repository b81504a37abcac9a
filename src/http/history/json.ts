/**
 * The JSON form of every history page (`?format=json`): the same records the
 * HTML shows, in Luigi's snake_case wire style.
 * @module
 */
import type { FamilyCount, FamilyRuns, RecordDetail, RecordSummary } from "../../store/history/queries.ts";
import type { TaskRun } from "../../store/history/runs.ts";

export function runJson(run: TaskRun) {
  return { record_id: run.recordId, started: run.started, ended: run.ended, outcome: run.outcome, seconds: run.seconds };
}

export function recordJson(r: RecordSummary) {
  return {
    id: r.id,
    task_id: r.taskId,
    name: r.name,
    host: r.host,
    params: Object.fromEntries(r.params.map((p) => [p.name, p.value])),
    last_action: r.last?.ts ?? null,
    status: r.last?.status ?? null,
    last_run: r.lastRun ? runJson(r.lastRun) : null,
  };
}

export function detailJson(r: RecordDetail) {
  return {
    ...recordJson(r),
    events: r.events.map((e) => ({ id: e.id, status: e.status, ts: e.ts })),
    runs: r.runs.map(runJson),
  };
}

export function familiesJson(families: FamilyCount[]) {
  return { families: families.map((f) => ({ name: f.name, records: f.records })) };
}

export function familyRunsJson(f: FamilyRuns) {
  return { name: f.name, runs: f.runs.map(runJson), status_results: f.statusResults, task_results: f.taskResults };
}
