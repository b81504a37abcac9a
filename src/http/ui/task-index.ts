/**
 * A periodically rebuilt snapshot of what the task list needs at scale: each
 * task's category (which, for PENDING tasks, depends on the upstream status of
 * the whole dependency graph below it), the lower-cased text searches match,
 * per-family and per-category counts, reverse edges, and per-worker pending
 * counts.
 *
 * Why a snapshot: a scheduler with 100k tasks cannot afford a graph walk per
 * page poll (Luigi's visualiser did that and stalled workers, #2277). The
 * build runs in slices of a few milliseconds and yields to the event loop
 * between them, so worker RPCs keep flowing; it starts only when someone asks
 * and the engine changed, and never more often than a small duty cycle
 * allows. Pages read the snapshot for ids and order, and the engine itself for
 * the rows they show, so the visible fields are always current.
 *
 * Builds are incremental when a TaskChangeLog says which tasks changed: only
 * those, and the PENDING tasks that (transitively) depend on them, get a new
 * category; every other row is reused. A full build runs first, when the log
 * lost track, and every FULL_EVERY builds as a safety net.
 * @module
 */
import { displayName, UpstreamStatusMemo } from "../../engine/queries/index.ts";
import type { TaskRecord } from "../../engine/types.ts";
import type { UiEngineView } from "./engine-view.ts";
import { categoryOfStatus } from "./serialize.ts";
import { CATEGORIES, type Category } from "./types.ts";

export interface IndexRow {
  id: string;
  /** Insertion order in the engine, for the default "as received" order. */
  seq: number;
  family: string;
  category: Category;
  display: string;
  /** Lower-cased display name and id: what the filter box matches. */
  text: string;
  /** The params map `display` and `text` were made from: reused while the task keeps it (it is never changed in place). */
  params: Readonly<Record<string, unknown>>;
  priority: number;
  updated: number;
}

export interface Snapshot {
  /** Engine version the snapshot is current for (moved forward while no task changes). */
  version: number;
  /** Task-change epoch it was built at (see TaskIndex). */
  epoch: number;
  builtAtMs: number;
  rows: IndexRow[];
  byCategory: Map<Category, IndexRow[]>;
  counts: Record<Category, number>;
  families: Map<string, number>;
  /** The records the snapshot was built from, for the derived maps below. */
  records: ReadonlyArray<Readonly<TaskRecord>>;
  /** Built from scratch (true) or from the previous snapshot and the changed tasks. */
  full: boolean;
}

/** dependency id -> ids of the tasks that depend on it. */
export type Dependants = ReadonlyMap<string, ReadonlySet<string>>;

/** What the index needs from a TaskChangeLog. */
export interface ChangeSource {
  current(): number;
  drain(): Set<string> | null;
}

const FULL_EVERY = 100;
/** worker id -> PENDING tasks it may run, and those only it may run. */
export type WorkerPending = Map<string, { pending: number; uniques: number }>;

export interface TaskIndexOptions {
  /** Never rebuild more often than this. */
  minIntervalMs?: number;
  /** Share of wall time rebuilds may take: the wait after a build is its CPU time / dutyCycle. */
  dutyCycle?: number;
  /** Longest stretch of work before yielding to the event loop. */
  sliceMs?: number;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** CPU time this process has used, in milliseconds (user + system). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Cooperative time slicing: call `tick()` between units of work; it yields to
 * the event loop once `sliceMs` of wall time has run, and counts the CPU time
 * the work used. CPU, not wall time: on a busy machine a slice may be
 * preempted, and the duty cycle is about what we take from worker RPCs.
 */
class Slicer {
  cpu = 0;
  private sliceStart = performance.now();
  private cpuStart = cpuMs();
  constructor(private readonly sliceMs: number) {}
  async tick(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    this.cpu += cpuMs() - this.cpuStart;
    await yieldToLoop();
    this.sliceStart = performance.now();
    this.cpuStart = cpuMs();
  }
  done(): number {
    this.cpu += cpuMs() - this.cpuStart;
    return this.cpu;
  }
}

export class TaskIndex {
  private snapshot: Snapshot | null = null;
  private building: Promise<Snapshot> | null = null;
  private nextBuildAtMs = 0;
  /** Pages ask for a fresh snapshot right after an action; that may run builds at most 5x as often. */
  private nextFreshAtMs = 0;
  /**
   * The latest row of every task, reused by incremental builds; a full build
   * still takes each task's pretty id from it (they are costly at 100k tasks
   * and rarely change). Not a WeakMap by record: JSC walks every entry of a
   * WeakMap in each collection, young ones included (~3.5 ms at 100k).
   */
  private rowById = new Map<string, IndexRow>();
  /** Each task's dependencies as of the latest build, and the reverse map they make up. */
  private depsOf = new Map<string, readonly string[]>();
  private reverse = new Map<string, Set<string>>();
  private buildsSinceFull = 0;
  private readonly minIntervalMs: number;
  private readonly dutyCycle: number;
  private readonly sliceMs: number;
  /** CPU time of the last build, for the benchmark and the summary. */
  lastBuildMs = 0;

  /**
   * @param changes the engine changes that touched tasks, the pause flag or
   *   resources (a TaskChangeLog listening to the service). Without one,
   *   every version change counts and every build is a full one.
   */
  constructor(
    private readonly engine: UiEngineView,
    private readonly changes: ChangeSource | null = null,
    { minIntervalMs = 250, dutyCycle = 0.05, sliceMs = 2 }: TaskIndexOptions = {},
  ) {
    this.minIntervalMs = minIntervalMs;
    this.dutyCycle = dutyCycle;
    this.sliceMs = sliceMs;
  }

  /**
   * The latest snapshot; starts a rebuild when the engine moved on and the
   * duty cycle allows one. Waits only when there is no snapshot at all, or
   * when `fresh` asks for the engine's current version (then a rebuild may
   * come sooner, but still under a bound, so `fresh=1` cannot be used to keep
   * the server busy).
   */
  async get({ fresh = false } = {}): Promise<Snapshot> {
    const current = this.snapshot;
    if (current && current.version === this.engine.version) return current;
    // Only workers changed (pings, mostly): the snapshot is still right for the new version.
    if (current && !this.building && current.epoch === this.epoch()) {
      current.version = this.engine.version;
      return current;
    }
    const now = performance.now();
    if (!this.building && (!current || now >= this.nextBuildAtMs || (fresh && now >= this.nextFreshAtMs))) {
      const building = this.build().finally(() => {
        this.building = null;
      });
      // Observed here, so a failure nobody waits for is not an unhandled rejection.
      building.catch(() => {});
      this.building = building;
    }
    if (current && !fresh) return current;
    return this.building ?? (current as Snapshot);
  }

  /**
   * The engine version the latest snapshot shows, starting a rebuild when one
   * is due. Live pages are told about this version, not the engine's: telling
   * them earlier would make them fetch a snapshot that does not show the
   * change yet, and then never hear about it again.
   */
  shownVersion(): number {
    this.get().catch(() => {}); // a failed build is reported to the requests that wait for one
    return this.snapshot?.version ?? -1;
  }

  /** The task-change epoch of the latest snapshot (what task views depend on). */
  shownEpoch(): number {
    return this.snapshot?.epoch ?? -1;
  }

  private epoch(): number {
    return this.changes ? this.changes.current() : this.engine.version;
  }

  /** Reverse edges, as of the latest build (kept up to date incrementally). */
  dependants(): Dependants {
    return this.reverse;
  }

  /** Replaces the edges a task contributes to the reverse map. */
  private setDeps(id: string, deps: readonly string[]): void {
    for (const dep of this.depsOf.get(id) ?? []) {
      const set = this.reverse.get(dep);
      set?.delete(id);
      if (set?.size === 0) this.reverse.delete(dep);
    }
    if (deps.length === 0) {
      this.depsOf.delete(id);
      return;
    }
    this.depsOf.set(id, deps);
    for (const dep of deps) {
      let set = this.reverse.get(dep);
      if (!set) this.reverse.set(dep, (set = new Set()));
      set.add(id);
    }
  }

  /** `changed` plus every PENDING task whose upstream status may depend on one of them. */
  private affectedBy(changed: ReadonlySet<string>): Set<string> {
    const affected = new Set(changed);
    const queue = [...changed];
    while (queue.length > 0) {
      const id = queue.pop() as string;
      for (const dependant of this.reverse.get(id) ?? []) {
        if (affected.has(dependant) || this.engine.getTask(dependant)?.status !== "PENDING") continue;
        affected.add(dependant);
        queue.push(dependant);
      }
    }
    return affected;
  }

  /** Per-worker pending counts of a snapshot, built on first use (the workers view). */
  workerPending(snapshot: Snapshot): Promise<WorkerPending> {
    return this.derived(snapshot, "workerPending", async (slicer) => {
      const out: WorkerPending = new Map();
      for (let i = 0; i < snapshot.records.length; i++) {
        const task = snapshot.records[i] as Readonly<TaskRecord>;
        if (task.status === "PENDING") {
          for (const worker of task.workers) {
            let entry = out.get(worker);
            if (!entry) out.set(worker, (entry = { pending: 0, uniques: 0 }));
            entry.pending++;
            if (task.workers.size === 1) entry.uniques++;
          }
        }
        if ((i & 1023) === 0) await slicer.tick();
      }
      return out;
    });
  }

  private derivedCache = new WeakMap<Snapshot, Map<string, Promise<unknown>>>();

  private derived<T>(snapshot: Snapshot, key: string, make: (slicer: Slicer) => Promise<T>): Promise<T> {
    let entries = this.derivedCache.get(snapshot);
    if (!entries) this.derivedCache.set(snapshot, (entries = new Map()));
    let made = entries.get(key) as Promise<T> | undefined;
    if (!made) entries.set(key, (made = make(new Slicer(this.sliceMs))));
    return made;
  }

  private async build(): Promise<Snapshot> {
    const version = this.engine.version;
    const epoch = this.epoch();
    const changed = this.changes?.drain() ?? null;
    const previous = this.snapshot;
    const full = !previous || changed === null || this.buildsSinceFull >= FULL_EVERY;
    const slicer = new Slicer(this.sliceMs);
    const records = [...this.engine.tasks()];

    let affected: Set<string> | null = null;
    const previousRows = this.rowById;
    if (full) {
      this.depsOf.clear();
      this.reverse.clear();
      this.rowById = new Map();
      for (let i = 0; i < records.length; i++) {
        const task = records[i] as Readonly<TaskRecord>;
        if (task.deps.size > 0) this.setDeps(task.id, [...task.deps]);
        if ((i & 1023) === 0) await slicer.tick();
      }
      this.buildsSinceFull = 0;
    } else {
      for (const id of changed) {
        const task = this.engine.getTask(id);
        this.setDeps(id, task ? [...task.deps] : []);
        if (!task) this.rowById.delete(id);
      }
      affected = this.affectedBy(changed);
      this.buildsSinceFull++;
    }
    await slicer.tick();

    // One memo per build, as Luigi keeps one per request: shared sub-graphs are walked once.
    const upstream = new UpstreamStatusMemo(this.engine);
    const rows: IndexRow[] = new Array(records.length);
    const byCategory = new Map<Category, IndexRow[]>(CATEGORIES.map((c) => [c, []]));
    const families = new Map<string, number>();
    for (let i = 0; i < records.length; i++) {
      const task = records[i] as Readonly<TaskRecord>;
      let row = this.rowById.get(task.id);
      if (!row || !affected || affected.has(task.id)) {
        let category = categoryOfStatus(task.status);
        if (category === "PENDING") {
          const blocked = upstream.of(task.id);
          if (blocked === "UPSTREAM_FAILED" || blocked === "UPSTREAM_DISABLED") category = blocked;
        }
        const before = row ?? previousRows.get(task.id);
        const same = before !== undefined && before.params === task.params && before.family === task.family;
        const display = same ? before.display : displayName(task);
        const text = same ? before.text : `${display}\n${task.id}`.toLowerCase();
        row = { id: task.id, seq: i, family: task.family, category, display, text, params: task.params, priority: task.priority, updated: task.updated };
        this.rowById.set(task.id, row);
      } else if (row.seq !== i) {
        // Removals ahead of it shifted its place; rows are shared with the previous snapshot, so copy.
        row = { ...row, seq: i };
        this.rowById.set(task.id, row);
      }
      rows[i] = row;
      byCategory.get(row.category)?.push(row);
      families.set(row.family, (families.get(row.family) ?? 0) + 1);
      if ((i & 1023) === 0) await slicer.tick();
    }
    const counts = Object.fromEntries(CATEGORIES.map((c) => [c, byCategory.get(c)?.length ?? 0])) as Record<Category, number>;
    const cpu = slicer.done();

    const snapshot: Snapshot = { version, epoch, builtAtMs: Date.now(), rows, byCategory, counts, families, records, full };
    this.snapshot = snapshot;
    this.lastBuildMs = cpu;
    const end = performance.now();
    // A planned full build (the first one, or the periodic safety net) is followed by cheap
    // incremental ones: pages need not wait out its cost. One forced by lost track of changes is.
    const planned = full && (changed !== null || !previous);
    const spent = planned ? 0 : cpu;
    this.nextBuildAtMs = end + Math.max(this.minIntervalMs, spent / this.dutyCycle);
    this.nextFreshAtMs = end + spent / Math.min(1, this.dutyCycle * 5);
    return snapshot;
  }
}
