/**
 * Realistic task graphs for the benchmarks: per date, S extract → transform →
 * load chains (loads need the `db` resource) fanning into one report per
 * date, with params, priorities (recent dates first) and owners split over W
 * workers. Ids look like the Python client's (`Family_summary_hash10`).
 */
import { createHash } from "node:crypto";

export interface BenchTask {
  id: string;
  family: string;
  params: Record<string, string>;
  deps: string[];
  priority: number;
  resources: Record<string, number>;
  /** Index of the worker that schedules it. */
  owner: number;
}

function taskId(family: string, params: Record<string, string>): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1))));
  const hash = createHash("md5").update(canonical).digest("hex").slice(0, 10);
  const summary = Object.keys(params).sort().slice(0, 3).map((k) => params[k]!.slice(0, 16)).join("_").replace(/[^A-Za-z0-9_]/g, "_");
  return `${family}_${summary}_${hash}`;
}

/** About `n` tasks over `workers` workers; `sources` chains per date. */
export function buildDag(n: number, workers: number, sources = 10): BenchTask[] {
  const perDate = 3 * sources + 1;
  const dates = Math.max(1, Math.round(n / perDate));
  const out: BenchTask[] = [];
  for (let d = 0; d < dates; d++) {
    const date = new Date(Date.UTC(2020, 0, 1) + d * 86400000).toISOString().slice(0, 10);
    const owner = d % workers;
    const priority = Math.floor((d / dates) * 100);
    const loads: string[] = [];
    for (let s = 0; s < sources; s++) {
      const source = `src${s}`;
      const extract = { family: "Extract", params: { date, source } };
      const transform = { family: "Transform", params: { date, source, mode: "full" } };
      const load = { family: "Load", params: { date, table: `t_${source}` } };
      const eid = taskId(extract.family, extract.params);
      const tid = taskId(transform.family, transform.params);
      const lid = taskId(load.family, load.params);
      out.push({ id: eid, ...extract, deps: [], priority, resources: {}, owner });
      out.push({ id: tid, ...transform, deps: [eid], priority, resources: {}, owner });
      out.push({ id: lid, ...load, deps: [tid], priority, resources: { db: 1 }, owner });
      loads.push(lid);
    }
    const report = { family: "Report", params: { date } };
    out.push({ id: taskId(report.family, report.params), ...report, deps: loads, priority: priority + 1, resources: {}, owner });
  }
  return out;
}

/** Tasks in the order a Luigi worker reports them while scheduling: each root, then breadth-first deps. */
export function schedulingOrder(tasks: BenchTask[]): BenchTask[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dependedOn = new Set(tasks.flatMap((t) => t.deps));
  const seen = new Set<string>();
  const out: BenchTask[] = [];
  for (const root of tasks) {
    if (dependedOn.has(root.id) || seen.has(root.id)) continue;
    const queue = [root];
    seen.add(root.id);
    for (let i = 0; i < queue.length; i++) {
      const t = queue[i]!;
      out.push(t);
      for (const d of t.deps) {
        const dep = byId.get(d);
        if (dep && !seen.has(d)) {
          seen.add(d);
          queue.push(dep);
        }
      }
    }
  }
  return out;
}

/** The worker ids of the simulated workers, shaped like the Python client's. */
export const workerId = (i: number) => `Worker(salt=${100000000 + i}, workers=1, host=bench, username=bench, pid=${4000 + i})`;

/** Shape A of rpc.md §5.1: a task found while scheduling. */
export function scheduleArgs(worker: string, t: BenchTask): Record<string, unknown> {
  return {
    task_id: t.id, status: "PENDING", runnable: true, deps: t.deps, new_deps: null, expl: null, resources: t.resources,
    priority: t.priority, family: t.family, module: "bench.pipeline", params: t.params, param_visibilities: {},
    accepts_messages: false, assistant: false, tracking_url: null, worker, batchable: false, batch_id: null,
    retry_policy_dict: { retry_count: null, disable_hard_timeout: null, disable_window: null }, owners: null,
  };
}

/** Shape B: the final report after running. */
export function doneArgs(worker: string, taskId: string): Record<string, unknown> {
  return {
    task_id: taskId, status: "DONE", runnable: null, deps: null, new_deps: [], expl: "null", resources: null, priority: 0,
    family: "", module: null, params: null, param_visibilities: null, accepts_messages: false, assistant: false,
    tracking_url: null, worker, batchable: null, batch_id: null, retry_policy_dict: null, owners: null,
  };
}

/** A Luigi-like task id: family, a number, and a hex hash at its end (the part luigid's indexes hash). */
export function hashedId(family: string, n: number): string {
  return `${family}_${n}_${((n * 2654435761) >>> 0).toString(16).padStart(8, "0")}`;
}

/** A task the server has not seen (no phase runs 100,000 rounds a worker, so `phase` keeps phases apart). */
export function freshTask(worker: number, round: number, phase = 0): BenchTask {
  const n = worker * 1_000_000 + phase * 100_000 + round;
  return { id: hashedId("Fresh", n), family: "Fresh", params: { n: String(n) }, deps: [], priority: 0, resources: {}, owner: worker };
}

/** New tasks for the rounds of one phase. */
export function freshTasks(phase: number): (worker: number, round: number) => BenchTask {
  return (worker, round) => freshTask(worker, round, phase);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
