/**
 * Follows the engine's change sets for the visualiser's task index.
 *
 * The engine's version moves on every mutation, worker pings included (every
 * worker, every second); rebuilding the index and refetching the task views
 * for those would keep a 100k-task scheduler busy for nothing. And when tasks
 * did change, knowing which ones lets the index recompute only them and what
 * depends on them, instead of the whole graph.
 *
 * The ids are appended to chunks, not added to a Set: with no visualiser open
 * nothing drains the log, and a Set of 100k ids that every add_task writes is
 * rescanned whole by each of JSC's young collections (src/engine/chunked-list.ts
 * says why): ~1 ms more per collection at 100k tasks, measured. An append
 * writes only the last chunk. Repeats are kept and dropped when drained.
 * @module
 */
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { EngineListener } from "../../rpc/service.ts";

/** More changes than this between two builds: forget them and rebuild everything. */
const MAX_TRACKED = 200_000;
const CHUNK = 1024;

export class TaskChangeLog implements EngineListener {
  readonly name = "ui-task-changes";
  private epoch = 0;
  /** Changed ids in the order they changed, repeats included; null once past MAX_TRACKED. */
  private chunks: string[][] | null = [];
  private count = 0;

  onChange(_events: readonly EngineEvent[], changes: ChangeSet): void {
    if (changes.tasks.size === 0 && !changes.meta) return;
    this.epoch++;
    const chunks = this.chunks;
    if (!chunks) return;
    for (const id of changes.tasks) {
      let last = chunks[chunks.length - 1];
      if (last === undefined || last.length === CHUNK) chunks.push((last = []));
      last.push(id);
    }
    this.count += changes.tasks.size;
    if (this.count > MAX_TRACKED) this.chunks = null;
  }

  /** Moves whenever tasks, the pause flag or resources changed. */
  readonly current = (): number => this.epoch;

  /** Ids of the tasks changed (added, updated, removed) since the last drain; null when too many to track. */
  drain(): Set<string> | null {
    const chunks = this.chunks;
    this.chunks = [];
    this.count = 0;
    if (!chunks) return null;
    const out = new Set<string>();
    for (const chunk of chunks) for (const id of chunk) out.add(id);
    return out;
  }
}
