/**
 * Counts the engine changes the task views depend on. The engine's version
 * moves on every mutation, worker pings included (every worker, every
 * second); rebuilding the task index and refetching the task list for those
 * would keep a 100k-task scheduler busy for nothing.
 * @module
 */
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { EngineListener } from "../../rpc/service.ts";

export class TaskChangeEpoch implements EngineListener {
  readonly name = "ui-task-epoch";
  private epoch = 0;

  onChange(_events: readonly EngineEvent[], changes: ChangeSet): void {
    if (changes.tasks.size > 0 || changes.meta) this.epoch++;
  }

  /** Moves whenever tasks, the pause flag or resources changed. */
  readonly current = (): number => this.epoch;
}
