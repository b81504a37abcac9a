/**
 * A deliberately naive model of Luigi's get_work choice and count_pending
 * (rpc.md §5.3, §6), written straight from the spec: full scans and a full
 * sort on every call. Tests compare the indexed engine against it.
 */
import type { Engine } from "../../src/engine/engine.ts";
import type { TaskRecord } from "../../src/engine/types.ts";

type Task = Readonly<TaskRecord>;

export interface ReferenceChoice {
  best: string | null;
  members: string[];
}

const truthy = (v: unknown): boolean => !(v === null || v === undefined || v === false || v === 0 || v === "");
const nonEmpty = (m: Record<string, unknown> | null | undefined): boolean => !!m && Object.keys(m).length > 0;

function fits(need: Record<string, number>, already: Record<string, number>, capacities: Readonly<Record<string, number>>): boolean {
  for (const [name, amount] of Object.entries(need)) {
    if (amount + (already[name] ?? 0) > (Object.hasOwn(capacities, name) ? capacities[name]! : 1)) return false;
  }
  return true;
}

/** What get_work({worker, assistant, current_tasks}) at `now` should pick, judged before the call. */
export function referenceGetWork(engine: Engine, W: string, assistant: boolean, currentTasks: string[] | null, now: number): ReferenceChoice {
  const config = engine.config;
  const worker = engine.getWorker(W);
  if (worker?.disabled) return { best: null, members: [] };
  const info: Record<string, unknown> = { ...(worker?.info ?? {}) };
  if (assistant) info.assistant = true;
  const byStatus = (s: string) => [...engine.tasksByStatus(s)];
  const reset = new Set<Task>();
  const statusOf = (t: Task) => (reset.has(t) ? "PENDING" : t.status);
  const rankLess = (a: Task, b: Task) => a.priority < b.priority || (a.priority === b.priority && a.time > b.time);

  if (currentTasks !== null) {
    const ct = new Set(currentTasks);
    let resend: Task | null = null;
    for (const t of byStatus("RUNNING")) if (t.workerRunning === W && !ct.has(t.id) && (resend === null || !rankLess(t, resend))) resend = t;
    if (resend) return { best: resend.id, members: [] };
    const live = new Set(byStatus("RUNNING").filter((t) => t.workerRunning === W).map((t) => t.batchId));
    for (const t of byStatus("BATCH_RUNNING")) if (t.workerRunning === W && !live.has(t.batchId)) reset.add(t);
  }
  if (engine.isPaused()) return { best: null, members: [] };

  const pending = [...byStatus("PENDING"), ...reset];
  const running = byStatus("RUNNING");
  const mine = (t: Task) => t.workers.has(W);
  const trivial = !truthy(info.assistant) && pending.filter(mine).every((t) => !nonEmpty(t.resources));
  let relevant: Task[];
  let used: Record<string, number> = {};
  const greedy = new Map<string, number>();
  if (trivial) {
    relevant = [...pending, ...running].filter(mine);
  } else {
    relevant = [...pending, ...running];
    used = {};
    for (const t of running) for (const [k, v] of Object.entries(t.resourcesRunning ?? t.resources)) used[k] = (used[k] ?? 0) + v;
    const limit = now - config.workerDisconnectDelay;
    for (const w of engine.workers()) {
      const lastGetWork = w.id === W ? now : w.lastGetWork;
      if (lastGetWork !== null && lastGetWork > limit) greedy.set(w.id, typeof w.info.workers === "number" ? w.info.workers : 1);
    }
    if (!worker && now > limit) greedy.set(W, 1);
  }
  const order = relevant.map((t, i) => ({ t, i }));
  order.sort((a, b) => b.t.priority - a.t.priority || a.t.time - b.t.time || a.i - b.i);
  const schedulable = (t: Task) => statusOf(t) === "PENDING" && [...t.deps].every((d) => engine.getTask(d)?.status === "DONE" && !reset.has(engine.getTask(d)!));
  const capacities = engine.resourceCapacities();
  const reserved: Record<string, number> = {};
  const add = (into: Record<string, number>, amounts: Record<string, number>) => {
    for (const [k, v] of Object.entries(amounts)) into[k] = (into[k] ?? 0) + v;
  };

  let best: Task | null = null;
  let batchNames: string[] | null = null;
  let fixed: Array<[string, unknown]> = [];
  let maxBatch = 1;
  const members: Task[] = [];
  for (const { t } of order) {
    if (best && batchNames && t.family === best.family && members.length < maxBatch && t.batchable &&
      fixed.every(([k, v]) => JSON.stringify(t.params[k] ?? null) === JSON.stringify(v)) &&
      JSON.stringify(sorted(t.resources)) === JSON.stringify(sorted(best.resources)) && schedulable(t)) {
      members.push(t);
    }
    if (best) continue;
    if (statusOf(t) === "RUNNING" && t.workerRunning !== null && greedy.has(t.workerRunning)) {
      greedy.set(t.workerRunning, greedy.get(t.workerRunning)! - 1);
      add(reserved, t.resourcesRunning ?? t.resources);
    }
    if (schedulable(t) && fits(t.resources, reserved, capacities)) {
      const eligible = (assistant && t.runnable) || t.workers.has(W);
      if (eligible && fits(t.resources, used, capacities)) {
        best = t;
        const batcher = engine.getBatcher(W, t.family);
        if (batcher && batcher.batchedArgs.length > 0 && t.batchable && batcher.batchedArgs.every((n) => Object.hasOwn(t.params, n))) {
          batchNames = batcher.batchedArgs;
          maxBatch = batcher.maxBatchSize;
          fixed = Object.entries(t.params).filter(([k]) => !batchNames!.includes(k));
          members.push(t);
        }
      } else {
        const takers = assistant ? [...t.workers, W] : [...t.workers];
        for (const w of takers) {
          if ((greedy.get(w) ?? 0) > 0) {
            greedy.set(w, greedy.get(w)! - 1);
            add(reserved, t.resources);
            break;
          }
        }
      }
    }
  }
  return { best: best?.id ?? null, members: members.length > 1 ? members.map((t) => t.id) : [] };
}

function sorted(m: Record<string, number>): Array<[string, number]> {
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const SEVERITY = ["", "UPSTREAM_RUNNING", "UPSTREAM_MISSING_INPUT", "UPSTREAM_FAILED", "UPSTREAM_DISABLED"];

/** §3.5 by plain recursion (DAGs only). */
export function referenceUpstream(engine: Engine, id: string, memo = new Map<string, string>()): string {
  const known = memo.get(id);
  if (known !== undefined) return known;
  const t = engine.getTask(id);
  let out = "";
  if (!t || t.status === "DONE") out = "";
  else if (t.status === "PENDING" && t.deps.size > 0) {
    out = "";
    for (const d of t.deps) {
      const u = referenceUpstream(engine, d, memo);
      if (SEVERITY.indexOf(u) > SEVERITY.indexOf(out)) out = u;
    }
  } else if (t.status === "FAILED") out = "UPSTREAM_FAILED";
  else if (t.status === "RUNNING" || t.status === "BATCH_RUNNING") out = "UPSTREAM_RUNNING";
  else if (t.status === "PENDING") out = "UPSTREAM_MISSING_INPUT";
  else if (t.status === "DISABLED") out = "UPSTREAM_DISABLED";
  memo.set(id, out);
  return out;
}

export function referenceCounts(engine: Engine, W: string): { nPendingTasks: number; nUniquePending: number; nPendingLastScheduled: number; running: string[] } {
  let n = 0;
  let unique = 0;
  let last = 0;
  const memo = new Map<string, string>();
  for (const t of engine.tasks()) {
    if (!t.workers.has(W) || (t.status !== "PENDING" && t.status !== "FAILED")) continue;
    if (referenceUpstream(engine, t.id, memo) === "UPSTREAM_DISABLED") continue;
    n++;
    if (t.workers.size === 1) unique++;
    if ([...t.workers].at(-1) === W) last++;
  }
  const running = [...engine.tasksByStatus("RUNNING")].filter((t) => t.workers.has(W)).map((t) => t.id);
  return { nPendingTasks: n, nUniquePending: unique, nPendingLastScheduled: last, running };
}
