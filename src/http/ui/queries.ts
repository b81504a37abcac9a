/**
 * The /ui-api read models: a page of the task list, a task's neighbourhood
 * graph, workers, resources, the summary. Each does bounded work per request:
 * ids, order and counts come from the TaskIndex snapshot; the rows shown are
 * read fresh from the engine.
 * @module
 */
import type { TaskRecord } from "../../engine/types.ts";
import type { UiEngineView, UiSettings } from "./engine-view.ts";
import { categoryOfStatus, toUiTask } from "./serialize.ts";
import type { Dependants, IndexRow, Snapshot, WorkerPending } from "./task-index.ts";
import type { Category, SortKey, UiGraph, UiGraphNode, UiResource, UiSummary, UiTask, UiTaskPage, UiWorker } from "./types.ts";

export interface TaskQuery {
  categories: Category[];
  family: string | null;
  search: string;
  sort: SortKey | null;
  desc: boolean;
  offset: number;
  limit: number;
}

/** Serialises a task with the category the snapshot gave it (or its own status's, when it is new). */
function uiTask(task: TaskRecord, snapshotCategory: Category | undefined, settings: UiSettings, display?: string): UiTask {
  const own = categoryOfStatus(task.status);
  // The snapshot may trail the engine by a second: trust it only while the status agrees.
  const category = snapshotCategory && (snapshotCategory === own || (own === "PENDING" && snapshotCategory.startsWith("UPSTREAM_"))) ? snapshotCategory : own;
  return toUiTask(task, category, settings.sendMessages, display);
}

const CATEGORY_ORDER = new Map<Category, number>(
  (["RUNNING", "BATCH_RUNNING", "DONE", "PENDING", "UPSTREAM_DISABLED", "UPSTREAM_FAILED", "DISABLED", "FAILED", "UNKNOWN"] as const).map((c, i) => [c, i]),
);

const comparators: Record<SortKey, (a: IndexRow, b: IndexRow) => number> = {
  category: (a, b) => (CATEGORY_ORDER.get(a.category) ?? 0) - (CATEGORY_ORDER.get(b.category) ?? 0) || a.seq - b.seq,
  name: (a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : a.seq - b.seq),
  details: (a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : a.seq - b.seq),
  priority: (a, b) => a.priority - b.priority || a.seq - b.seq,
  time: (a, b) => a.updated - b.updated || a.seq - b.seq,
};

/** How long a sorted list may be reused across snapshots (sorting 100k rows takes tens of ms). */
const SORTED_REUSE_MS = 5000;

interface CachedList {
  snapshot: Snapshot;
  base: number;
  rows: IndexRow[];
}

/**
 * Filtered and sorted row lists: paging through a list, or several open pages
 * asking the same thing, costs one filter pass per snapshot. A sorted list is
 * kept a few seconds longer, across snapshots, so that a busy scheduler does
 * not make every open page re-sort 100k rows each time the index moves (the
 * rows shown are still read fresh from the engine).
 */
export class TaskListCache {
  private entries = new Map<string, CachedList>();

  rows(snapshot: Snapshot, q: TaskQuery): { base: number; rows: IndexRow[] } {
    const key = JSON.stringify([q.categories, q.family, q.search, q.sort, q.desc]);
    const hit = this.entries.get(key);
    if (hit && (hit.snapshot === snapshot || (q.sort !== null && snapshot.builtAtMs - hit.snapshot.builtAtMs < SORTED_REUSE_MS))) return hit;
    let rows: IndexRow[];
    if (q.categories.length === 0) rows = snapshot.rows;
    else if (q.categories.length === 1) rows = snapshot.byCategory.get(q.categories[0] as Category) ?? [];
    else {
      const wanted = new Set(q.categories);
      rows = snapshot.rows.filter((r) => wanted.has(r.category));
    }
    const base = rows.length;
    if (q.family !== null) rows = rows.filter((r) => r.family === q.family);
    const terms = q.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length > 0) rows = rows.filter((r) => terms.every((t) => r.text.includes(t)));
    if (q.sort) {
      const compare = comparators[q.sort];
      rows = rows.slice().sort(q.desc ? (a, b) => compare(b, a) : compare);
    }
    const made = { snapshot, base, rows };
    this.entries.delete(key);
    // Drop entries of older snapshots (and the oldest, past 32) so memory stays bounded.
    for (const [k, entry] of this.entries) if (snapshot.builtAtMs - entry.snapshot.builtAtMs >= SORTED_REUSE_MS) this.entries.delete(k);
    if (this.entries.size >= 32) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, made);
    return made;
  }
}

export function taskPage(engine: UiEngineView, snapshot: Snapshot, cache: TaskListCache, q: TaskQuery, settings: UiSettings): UiTaskPage {
  const { base, rows } = cache.rows(snapshot, q);
  const page: UiTask[] = [];
  for (const row of rows.slice(q.offset, q.offset + q.limit)) {
    const task = engine.getTask(row.id);
    if (task) page.push(uiTask(task, row.category, settings, row.display));
  }
  return { version: engine.version, matched: rows.length, total: base, offset: q.offset, rows: page };
}

/** Families listed in the summary at most; past that the filter box finds the rest. */
export const MAX_FAMILIES = 2000;

export function summary(engine: UiEngineView, snapshot: Snapshot, settings: UiSettings, resources: number, indexBuildMs: number): UiSummary {
  let families = [...snapshot.families].map(([name, count]) => ({ name, count }));
  if (families.length > MAX_FAMILIES) families = families.sort((a, b) => b.count - a.count).slice(0, MAX_FAMILIES);
  let workers = 0;
  for (const _ of engine.workers()) workers++;
  return {
    version: engine.version,
    indexVersion: snapshot.version,
    indexBuildMs,
    total: snapshot.rows.length,
    counts: snapshot.counts,
    families,
    familyCount: snapshot.families.size,
    pauseEnabled: settings.pauseEnabled,
    paused: engine.isPaused(),
    hasHistory: settings.hasHistory,
    workers,
    resources,
  };
}

/** One task with its fresh category, or null. */
export function taskDetail(engine: UiEngineView, snapshot: Snapshot, id: string, settings: UiSettings): UiTask | null {
  const task = engine.getTask(id);
  if (!task) return null;
  const row = snapshot.rows.find((r) => r.id === id);
  return uiTask(task, row?.category, settings);
}

export interface GraphQuery {
  root: string;
  direction: "down" | "up";
  hops: number;
  hideDone: boolean;
  limit: number;
}

/**
 * Breadth-first neighbourhood of `root`, `hops` steps along dependencies
 * (down) or dependants (up), at most `limit` nodes. Closest nodes are kept,
 * as in Luigi's dep_graph; nodes whose edges lead past the cut are flagged.
 */
export function neighbourhood(engine: UiEngineView, snapshot: Snapshot, dependants: Dependants | null, q: GraphQuery, settings: UiSettings): UiGraph {
  const rootTask = engine.getTask(q.root);
  const graph: UiGraph = { version: engine.version, root: q.root, found: !!rootTask, direction: q.direction, hops: q.hops, nodes: [], truncatedCount: 0, limit: q.limit };
  if (!rootTask) return graph;
  const edgesOf = (task: TaskRecord): string[] => {
    const raw = [...(q.direction === "down" ? task.deps : (dependants?.get(task.id) ?? []))];
    const kept = q.hideDone ? raw.filter((id) => engine.getTask(id)?.status !== "DONE") : raw;
    return kept.sort();
  };
  const depth = new Map<string, number>([[q.root, 0]]);
  const queue: string[] = [q.root];
  const cut = new Set<string>();
  const nodes = new Map<string, UiGraphNode>();
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    const d = depth.get(id) ?? 0;
    const task = engine.getTask(id);
    const edges = task ? edgesOf(task) : [];
    let truncated = false;
    for (const next of edges) {
      if (depth.has(next)) continue;
      if (d + 1 > q.hops || depth.size >= q.limit) {
        truncated = true;
        cut.add(next);
        continue;
      }
      depth.set(next, d + 1);
      queue.push(next);
    }
    const base: UiTask = task ? uiTask(task, undefined, settings) : placeholder(id);
    nodes.set(id, { ...base, edges, depth: d, truncated });
  }
  // Upstream categories come from the snapshot (one pass, no per-node graph walk).
  for (const row of snapshot.rows) {
    const node = nodes.get(row.id);
    if (node && node.category === "PENDING" && row.category.startsWith("UPSTREAM_")) node.category = row.category;
  }
  for (const node of nodes.values()) node.edges = node.edges.filter((e) => nodes.has(e));
  for (const id of cut) if (nodes.has(id)) cut.delete(id);
  graph.nodes = [...nodes.values()];
  graph.truncatedCount = cut.size;
  return graph;
}

/** A dependency nobody has added: Luigi's UNKNOWN placeholder, family guessed from the id. */
function placeholder(id: string): UiTask {
  const family = /^([^(_]+)[(_]/.exec(id)?.[1] ?? id;
  return {
    id,
    name: family,
    displayName: id,
    status: "UNKNOWN",
    category: "UNKNOWN",
    params: {},
    priority: 0,
    resources: {},
    resourcesRunning: null,
    workers: [],
    workerRunning: null,
    timeRunning: null,
    startTime: 0,
    lastUpdated: 0,
    trackingUrl: null,
    statusMessage: null,
    progressPercentage: null,
    reEnableAble: false,
    acceptsMessages: false,
    deps: 0,
  };
}

function runningTasks(engine: UiEngineView): TaskRecord[] {
  return [...engine.tasksByStatus("RUNNING")].sort((a, b) => (a.timeRunning ?? 0) - (b.timeRunning ?? 0));
}

function infoString(info: Record<string, unknown>, key: string): string | null {
  const value = info[key];
  return value === undefined || value === null ? null : String(value);
}

/** Workers, newest first (Luigi's order), each with its running tasks. */
export function workerList(engine: UiEngineView, workerPending: WorkerPending, settings: UiSettings): UiWorker[] {
  const running = new Map<string, UiTask[]>();
  for (const task of runningTasks(engine)) {
    if (!task.workerRunning) continue;
    const list = running.get(task.workerRunning) ?? [];
    list.push(toUiTask(task, "RUNNING", settings.sendMessages));
    running.set(task.workerRunning, list);
  }
  const out: UiWorker[] = [];
  for (const worker of engine.workers()) {
    const firstTask = infoString(worker.info, "first_task");
    const first = firstTask ? engine.getTask(firstTask) : undefined;
    const processes = Number(worker.info.workers);
    const pending = workerPending.get(worker.id);
    out.push({
      id: worker.id,
      state: worker.disabled ? "disabled" : "active",
      started: worker.started,
      lastActive: worker.lastActive,
      firstTask,
      firstTaskDisplayName: first ? toUiTask(first, "UNKNOWN", false).displayName : (firstTask ?? ""),
      processes: worker.info.workers === undefined || !Number.isFinite(processes) ? null : processes,
      host: infoString(worker.info, "host"),
      username: infoString(worker.info, "username"),
      pid: infoString(worker.info, "pid"),
      unreadMessages: worker.rpcMessages.length,
      numPending: pending?.pending ?? 0,
      numUniques: pending?.uniques ?? 0,
      running: running.get(worker.id) ?? [],
    });
  }
  return out.sort((a, b) => b.started - a.started);
}

/** Configured resources with usage and the RUNNING tasks holding them. */
export function resourceList(engine: UiEngineView, settings: UiSettings): UiResource[] {
  const capacities = engine.resourceCapacities();
  const used = engine.resourcesInUse();
  const running = runningTasks(engine);
  return Object.entries(capacities).map(([name, total]) => ({
    name,
    total,
    used: used[name] ?? 0,
    // Consumers by what they hold (resources_running), as "used" counts them; Luigi's own list
    // reads `resources`, which a worker's tracking-URL update resets to {} (rpc.md quirk 4).
    running: running.filter((t) => name in (t.resourcesRunning ?? t.resources)).map((t) => toUiTask(t, "RUNNING", settings.sendMessages)),
  }));
}
