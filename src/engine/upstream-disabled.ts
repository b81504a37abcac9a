/**
 * PENDING tasks blocked by a DISABLED task upstream (rpc.md §3.5), which
 * count_pending leaves out of a worker's counts. Kept as a cache that the
 * engine's changes invalidate only when they can alter it, and rebuilt by one
 * walk down from the DISABLED tasks when next asked; the per-worker counts
 * are derived once per rebuilt set.
 * @module
 */
import type { TaskRecord, TaskStatus } from "./types.ts";

/** What the cache reads of the task graph. */
export interface UpstreamGraph {
  disabledTasks(): Iterable<Readonly<TaskRecord>>;
  dependentsOf(id: string): Iterable<string>;
  recordOf(id: string): Readonly<TaskRecord> | undefined;
}

/** A worker's counted tasks (all, unique to it, last scheduled by it) that are blocked. */
export type BlockedCounts = [number, number, number];

export class UpstreamDisabled {
  private set: Set<string> | null = null;
  private blocked = new Map<string, BlockedCounts>();
  private blockedFor: Set<string> | null = null;

  constructor(private readonly graph: UpstreamGraph) {}

  /** How many of `worker`'s counted tasks are blocked, if any. */
  countsOf(worker: string): BlockedCounts | undefined {
    return this.byWorker().get(worker);
  }

  /** Everything changed (a restore). */
  reset(): void {
    this.set = null;
  }

  /** A status change: only one into or out of DISABLED, of a blocked task, or a task becoming PENDING next to a blocked or disabled dep can alter the set. */
  statusChanged(task: Readonly<TaskRecord>, from: TaskStatus, to: TaskStatus): void {
    const set = this.set;
    if (!set) return;
    if (from === "DISABLED" || to === "DISABLED" || set.has(task.id)) this.set = null;
    else if (to === "PENDING" && this.touchesDisabled(task)) this.set = null;
  }

  created(task: Readonly<TaskRecord>): void {
    if (this.set && task.status === "PENDING" && this.touchesDisabled(task)) this.set = null;
  }

  deleted(task: Readonly<TaskRecord>): void {
    if (this.set && (task.status === "DISABLED" || this.set.has(task.id))) this.set = null;
  }

  depsReplaced(task: Readonly<TaskRecord>): void {
    if (this.set && (this.set.has(task.id) || (task.status === "PENDING" && this.touchesDisabled(task)))) this.set = null;
  }

  /** A task's workers changed: the counts of a blocked one move between workers. */
  workersChanged(task: Readonly<TaskRecord>): void {
    if (this.set?.has(task.id)) this.set = null;
  }

  private byWorker(): Map<string, BlockedCounts> {
    const set = this.current();
    if (this.blockedFor === set) return this.blocked;
    const blocked = new Map<string, BlockedCounts>();
    for (const id of set) {
      const task = this.graph.recordOf(id)!;
      const n = task.workers.size;
      let i = 0;
      for (const w of task.workers) {
        let entry = blocked.get(w);
        if (!entry) blocked.set(w, (entry = [0, 0, 0]));
        entry[0]++;
        if (n === 1) entry[1]++;
        if (++i === n) entry[2]++;
      }
    }
    this.blocked = blocked;
    this.blockedFor = set;
    return blocked;
  }

  /** PENDING tasks with a path through PENDING tasks to a DISABLED one. */
  private current(): Set<string> {
    if (this.set) return this.set;
    const found = new Set<string>();
    const queue = Array.from(this.graph.disabledTasks(), (task) => task.id);
    for (let i = 0; i < queue.length; i++) {
      for (const id of this.graph.dependentsOf(queue[i]!)) {
        if (found.has(id) || this.graph.recordOf(id)?.status !== "PENDING") continue;
        found.add(id);
        queue.push(id);
      }
    }
    this.set = found;
    return found;
  }

  private touchesDisabled(task: Readonly<TaskRecord>): boolean {
    for (const dep of task.deps) {
      if (this.set?.has(dep) || this.graph.recordOf(dep)?.status === "DISABLED") return true;
    }
    return false;
  }
}
