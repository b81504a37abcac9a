/**
 * The reads behind /history and /tasklist (server.md §4.7), shaped once for
 * both the HTML pages and the JSON API so the two always agree.
 * @module
 */
import type { Database } from "bun:sqlite";
import { parameterText } from "./writer.ts";
import { type HistoryEvent, runsOf, type TaskRun } from "./runs.ts";
import { parseTs } from "./timestamp.ts";

/** A `tasks` row with what the list pages show about it. */
export interface RecordSummary {
  id: number;
  taskId: string | null;
  name: string | null;
  host: string | null;
  /** By name. */
  params: Array<{ name: string; value: string | null }>;
  /** The most recent event over all time (Luigi's "Last Action" and "Status"). */
  last: { status: string; ts: string } | null;
  /** The record's latest run, for its duration. */
  lastRun: TaskRun | null;
}

/** Everything /history/by_id shows. */
export interface RecordDetail extends RecordSummary {
  /** Newest first (ts, then id, descending), as Luigi orders them. */
  events: HistoryEvent[];
  /** Oldest first. */
  runs: TaskRun[];
}

/** A page of a list query: the rows shown and how many matched in all. */
export interface RecordPage {
  records: RecordSummary[];
  total: number;
}

export interface FamilyCount {
  name: string;
  records: number;
}

/** /tasklist/{name}: the family's runs, plus Luigi's two chart data sets for compatibility. */
export interface FamilyRuns {
  name: string;
  runs: TaskRun[];
  statusResults: Record<string, Array<{ id: string; task_id: string; x: number; y: 0; next_process: "" }>>;
  taskResults: Array<{ id: string; taskName: string; task_id: string; status: string; datetime: string; timestamp: number }>;
}

interface TaskRow {
  id: number;
  task_id: string | null;
  name: string | null;
  host: string | null;
}
interface EventRow {
  id: number;
  task_id: number;
  event_name: string;
  ts: string;
}

const ids = (rows: Array<{ id: number }>) => JSON.stringify(rows.map((r) => r.id));

export class HistoryQueries {
  /** Reads only, on the connection of whichever thread writes, so a read comes after every write handed over before it. */
  constructor(private readonly db: Database) {}

  /** Records with an event at or after `since` (all when null), newest activity first. */
  latest(since: string | null, limit: number): RecordPage {
    const where = since === null ? "" : "WHERE e.ts >= ?";
    const args = since === null ? [] : [since];
    const rows = this.db
      .query<{ id: number }, Array<string | number>>(
        `SELECT t.id FROM tasks t JOIN task_events e ON e.task_id = t.id ${where} GROUP BY t.id ORDER BY MAX(e.ts) DESC, t.id DESC LIMIT ?`,
      )
      .all(...args, limit);
    const total = this.db
      .query<{ n: number }, string[]>(`SELECT COUNT(DISTINCT t.id) AS n FROM tasks t JOIN task_events e ON e.task_id = t.id ${where}`)
      .get(...args)!.n;
    return { records: this.summaries(rows), total };
  }

  /** Records of a family whose parameters include every pair in `params`, oldest first. */
  byName(name: string, params: Record<string, unknown>, limit: number): RecordPage {
    const joins: string[] = [];
    const args: Array<string | number | null> = [];
    Object.entries(params).forEach(([key, value], i) => {
      joins.push(`JOIN task_parameters p${i} ON p${i}.task_id = t.id AND p${i}.name = ? AND p${i}.value = ?`);
      args.push(key, parameterText(value));
    });
    const from = `FROM tasks t JOIN task_events e ON e.task_id = t.id ${joins.join(" ")} WHERE t.name = ?`;
    args.push(name);
    const rows = this.db
      .query<{ id: number }, Array<string | number | null>>(`SELECT t.id ${from} GROUP BY t.id ORDER BY MIN(e.ts) ASC, t.id ASC LIMIT ?`)
      .all(...args, limit);
    const total = this.db.query<{ n: number }, Array<string | number | null>>(`SELECT COUNT(DISTINCT t.id) AS n ${from}`).get(...args)!.n;
    return { records: this.summaries(rows), total };
  }

  /** One record with its parameters, events and runs; null when there is no such row. */
  byId(id: number): RecordDetail | null {
    const row = this.db.query<TaskRow, [number]>("SELECT id, task_id, name, host FROM tasks WHERE id = ?").get(id);
    if (!row) return null;
    const summary = this.summaries([row])[0]!;
    const events = this.db
      .query<EventRow, [number]>("SELECT id, task_id, event_name, ts FROM task_events WHERE task_id = ? ORDER BY ts DESC, id DESC")
      .all(id)
      .map(toEvent);
    return { ...summary, events, runs: runsOf(events) };
  }

  /** The latest record (highest id) of a scheduler task id. */
  byTaskId(taskId: string): RecordDetail | null {
    const row = this.db.query<{ id: number }, [string]>("SELECT id FROM tasks WHERE task_id = ? ORDER BY id DESC LIMIT 1").get(taskId);
    return row ? this.byId(row.id) : null;
  }

  /** Every family with its number of records, by name (Luigi lists one pill per record; we count them). */
  families(): FamilyCount[] {
    return this.db
      .query<{ name: string | null; records: number }, []>("SELECT name, COUNT(*) AS records FROM tasks GROUP BY name ORDER BY name")
      .all()
      .map((r) => ({ name: r.name ?? "", records: r.records }));
  }

  /** The runs of every record of a family, oldest first, and Luigi's chart data sets. */
  familyRuns(name: string): FamilyRuns {
    const events = this.db
      .query<EventRow, [string]>(
        "SELECT e.id, e.task_id, e.event_name, e.ts FROM task_events e JOIN tasks t ON t.id = e.task_id WHERE t.name = ? ORDER BY e.id",
      )
      .all(name)
      .map(toEvent);
    const byRecord = Map.groupBy(events, (e) => e.recordId);
    const runs = [...byRecord.values()].flatMap(runsOf).sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : a.recordId - b.recordId));
    const statusResults: FamilyRuns["statusResults"] = {};
    const taskResults: FamilyRuns["taskResults"] = [];
    for (const e of events) {
      const x = epochOf(e.ts);
      (statusResults[e.status] ??= []).push({ id: String(e.id), task_id: String(e.recordId), x, y: 0, next_process: "" });
      taskResults.push({ id: String(e.id), taskName: name, task_id: String(e.recordId), status: e.status, datetime: e.ts, timestamp: x });
    }
    return { name, runs, statusResults, taskResults };
  }

  /** Parameters, last event and last run of the given rows, in the rows' order. */
  private summaries(rows: Array<{ id: number }>): RecordSummary[] {
    if (rows.length === 0) return [];
    const list = ids(rows);
    const tasks = new Map(
      this.db
        .query<TaskRow, [string]>("SELECT id, task_id, name, host FROM tasks WHERE id IN (SELECT value FROM json_each(?))")
        .all(list)
        .map((t) => [t.id, t]),
    );
    const params = Map.groupBy(
      this.db
        .query<{ task_id: number; name: string; value: string | null }, [string]>(
          "SELECT task_id, name, value FROM task_parameters WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY task_id, name",
        )
        .all(list),
      (p) => p.task_id,
    );
    const events = Map.groupBy(
      this.db
        .query<EventRow, [string]>("SELECT id, task_id, event_name, ts FROM task_events WHERE task_id IN (SELECT value FROM json_each(?))")
        .all(list)
        .map(toEvent),
      (e) => e.recordId,
    );
    return rows.flatMap(({ id }) => {
      const t = tasks.get(id);
      if (!t) return [];
      const own = events.get(id) ?? [];
      const last = own.reduce<HistoryEvent | null>((best, e) => (!best || e.ts > best.ts || (e.ts === best.ts && e.id > best.id) ? e : best), null);
      return [
        {
          id: t.id,
          taskId: t.task_id,
          name: t.name,
          host: t.host,
          params: (params.get(id) ?? []).map((p) => ({ name: p.name, value: p.value })),
          last: last ? { status: last.status, ts: last.ts } : null,
          lastRun: runsOf(own).at(-1) ?? null,
        },
      ];
    });
  }
}

function toEvent(row: EventRow): HistoryEvent {
  return { id: row.id, recordId: row.task_id, status: row.event_name, ts: String(row.ts) };
}

/** Luigi's chart x value: the local timestamp as whole epoch seconds. */
function epochOf(ts: string): number {
  return Math.floor(parseTs(ts) ?? 0);
}

/** The reads the pages may ask for, by name, so that a request can cross to the history thread. */
export type QueryName = "latest" | "byName" | "byId" | "byTaskId" | "families" | "familyRuns";
export type QueryArgs<K extends QueryName> = Parameters<HistoryQueries[K]>;
export type QueryResult<K extends QueryName> = ReturnType<HistoryQueries[K]>;

export function runQuery<K extends QueryName>(queries: HistoryQueries, name: K, args: QueryArgs<K>): QueryResult<K> {
  const method = queries[name] as (...a: QueryArgs<K>) => QueryResult<K>;
  return method.apply(queries, args);
}
