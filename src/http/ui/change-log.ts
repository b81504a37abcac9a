/**
 * Follows the engine's change sets for the visualiser's task index.
 *
 * The engine's version moves on every mutation, worker pings included (every
 * worker, every second); rebuilding the index and refetching the task views
 * for those would keep a 100k-task scheduler busy for nothing. And when tasks
 * did change, knowing which ones lets the index recompute only them and what
 * depends on them, instead of the whole graph.
 * @module
 */
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { EngineListener } from "../../rpc/service.ts";

/** More changed ids than this between two builds: forget them and rebuild everything. */
const MAX_TRACKED = 200_000;

export class TaskChangeLog implements EngineListener {
  readonly name = "ui-task-changes";
  private epoch = 0;
  private changed: Set<string> | null = new Set();

  onChange(_events: readonly EngineEvent[], changes: ChangeSet): void {
    if (changes.tasks.size === 0 && !changes.meta) return;
    this.epoch++;
    if (!this.changed) return;
    for (const id of changes.tasks) this.changed.add(id);
    if (this.changed.size > MAX_TRACKED) this.changed = null;
  }

  /** Moves whenever tasks, the pause flag or resources changed. */
  readonly current = (): number => this.epoch;

  /** Ids of the tasks changed (added, updated, removed) since the last drain; null when too many to track. */
  drain(): Set<string> | null {
    const out = this.changed;
    this.changed = new Set();
    return out;
  }
}
