/**
 * The tasks a worker is linked to (a stakeholder of, or in the `workers` set
 * of), for the only two walks over them: disabling the worker and forgetting
 * it. Both are rare, so nothing here is looked up: each link is one slot of a
 * chunked log, 8 bytes. The two per-worker Sets of ids it replaces cost ~190
 * bytes a task together at 10^5 tasks (a fifth of the engine's heap), and every
 * status change wrote into one of them.
 *
 * The log is told when a link is made, not when it goes: a walk asks the
 * caller whether each entry still links the worker and skips the rest. The
 * caller counts unlinks, and once dead entries outnumber live ones (plus a
 * chunk) the log keeps only the live ones, so a long-lived worker whose tasks
 * come and go does not grow it without bound.
 * @module
 */
import { ChunkedList } from "./chunked-list.ts";

/** Dead entries tolerated on top of the live ones before a squeeze. */
const SLACK = 1024;

const noSlot = (): void => {};

export class WorkerLinks<T extends {}> {
  private log = new ChunkedList<T>(noSlot);
  private live = 0;

  /** Links still counted as live (what `unlinked` has not taken back). */
  get size(): number {
    return this.live;
  }

  /** A new link: the item did not link this worker before. */
  link(item: T): void {
    this.log.push(item);
    this.live++;
  }

  /** A link went (its task was deleted, or no longer holds the worker); `isLinked` says which entries still count. */
  unlinked(isLinked: (item: T) => boolean): void {
    this.live = Math.max(0, this.live - 1);
    if (this.log.size > 2 * this.live + SLACK) this.squeeze(isLinked);
  }

  /**
   * The items that still link the worker, each once, as a copy: the caller may
   * change links while it walks them.
   */
  items(isLinked: (item: T) => boolean): T[] {
    const seen = new Set<T>();
    for (const item of this.log) if (isLinked(item)) seen.add(item);
    return [...seen];
  }

  private squeeze(isLinked: (item: T) => boolean): void {
    const kept = this.items(isLinked);
    this.log = new ChunkedList<T>(noSlot);
    for (const item of kept) this.log.push(item);
    this.live = kept.length;
  }
}
