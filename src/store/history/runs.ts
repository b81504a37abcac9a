/**
 * Runs and durations, derived from a record's events. Luigi's /tasklist pairs
 * a RUNNING event with the event whose id is one higher, which breaks as soon
 * as two tasks interleave; we pair RUNNING with the next DONE/FAILED event of
 * the same record (server.md §4.9 [DEV]).
 * @module
 */
import type { Seconds } from "../../engine/types.ts";
import { parseTs } from "./timestamp.ts";

/** A `task_events` row. */
export interface HistoryEvent {
  id: number;
  recordId: number;
  status: string;
  ts: string;
}

/** One execution of a record: from a RUNNING event to the DONE/FAILED that ended it. */
export interface TaskRun {
  recordId: number;
  started: string;
  /** null while running, or when the run never reported (worker lost, re-sent, scheduler restarted). */
  ended: string | null;
  outcome: "DONE" | "FAILED" | null;
  seconds: Seconds | null;
}

/** Runs of one record's events, oldest first; the events may come in any order. */
export function runsOf(events: readonly HistoryEvent[]): TaskRun[] {
  const ordered = [...events].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.id - b.id));
  const runs: TaskRun[] = [];
  let open: TaskRun | null = null;
  for (const event of ordered) {
    if (event.status === "RUNNING") {
      // A second RUNNING without an outcome in between means the first run never reported.
      if (open) runs.push(open);
      open = { recordId: event.recordId, started: event.ts, ended: null, outcome: null, seconds: null };
    } else if (open && (event.status === "DONE" || event.status === "FAILED")) {
      const start = parseTs(open.started);
      const end = parseTs(event.ts);
      runs.push({ ...open, ended: event.ts, outcome: event.status, seconds: start === null || end === null ? null : Math.max(0, Math.round((end - start) * 1e6) / 1e6) });
      open = null;
    }
  }
  if (open) runs.push(open);
  return runs;
}

/** `H:MM:SS` with milliseconds when under a minute, as the charts' axis shows. */
export function formatDuration(seconds: Seconds | null): string {
  if (seconds === null) return "";
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const base = `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return seconds < 60 ? `${base}.${String(Math.round((seconds - whole) * 1000) % 1000).padStart(3, "0")}` : base;
}
