/**
 * Follows the engine's change sets for the visualiser's task index.
 *
 * The engine's version moves on every mutation, worker pings included (every
 * worker, every second); rebuilding the index and refetching the task views
 * for those would keep a 100k-task scheduler busy for nothing. And when tasks
 * did change, knowing which ones lets the index recompute only them and what
 * depends on them, instead of the whole graph.
 *
 * The ids are appended to a ChunkedList, not added to a Set: with no
 * visualiser open nothing drains the log, and a Set of 100k ids that every
 * add_task writes is rescanned whole by each of JSC's young collections
 * (chunked-list.ts says why): ~1 ms more per collection at 100k tasks,
 * measured. An append writes only the last chunk. Repeats are kept and
 * dropped when drained.
 * @module
 */
import { ChunkedList } from "../../engine/chunked-list.ts";
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { EngineListener } from "../../rpc/service.ts";

/** More changes than this between two builds: forget them and rebuild everything. */
const MAX_TRACKED = 200_000;
/** Ids are never removed from the log, so their slots need not be kept. */
const noSlots = (): void => {};

export class TaskChangeLog implements EngineListener {
  readonly name = "ui-task-changes";
  private epoch = 0;
  /** Changed ids in the order they changed, repeats included; null once past MAX_TRACKED. */
  private changed: ChunkedList<string> | null = new ChunkedList(noSlots);

  onChange(_events: readonly EngineEvent[], changes: ChangeSet): void {
    if (changes.tasks.size === 0 && !changes.meta) return;
    this.epoch++;
    const changed = this.changed;
    if (!changed) return;
    for (const id of changes.tasks) changed.push(id);
    if (changed.size > MAX_TRACKED) this.changed = null;
  }

  /** Moves whenever tasks, the pause flag or resources changed. */
  readonly current = (): number => this.epoch;

  /** Ids of the tasks changed (added, updated, removed) since the last drain; null when too many to track. */
  drain(): Set<string> | null {
    const changed = this.changed;
    this.changed = new ChunkedList(noSlots);
    return changed && new Set(changed);
  }
}
