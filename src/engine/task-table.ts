/**
 * The engine's table of tasks: id -> the engine's record of the task, walked
 * in insertion order (Luigi's dict order, which task listings show).
 *
 * Two Maps, not one: JSC's young collections rescan an old Map whole once
 * anything is written into it (see chunked-list.ts), and the table gains an
 * entry with every new task: at 10^6 known tasks each young collection after
 * new tasks arrived took ~15 ms. New ids go into a small Map and move into the
 * large one MERGE_AT at a time, so the large one is written once per batch.
 * A lookup costs one native Map lookup, two for the newest tasks (a Map split
 * by key hash made every lookup ~3x slower).
 * @module
 */

/** A restore handed the table one id twice: the saved state is not one the engine wrote. */
export class DuplicateTaskError extends Error {}

/** New ids gathered before they move into the large Map. */
const MERGE_AT = 32_768;

export class TaskTable<V> {
  private settled = new Map<string, V>();
  private recent = new Map<string, V>();
  private iterating = 0;

  get size(): number {
    return this.settled.size + this.recent.size;
  }

  get(id: string): V | undefined {
    return this.settled.get(id) ?? this.recent.get(id);
  }

  has(id: string): boolean {
    return this.settled.has(id) || this.recent.has(id);
  }

  /** As Map.set: a new id goes last, a known one keeps its place. */
  set(id: string, value: V): this {
    if (this.settled.has(id)) this.settled.set(id, value);
    else {
      this.recent.set(id, value);
      if (this.recent.size >= MERGE_AT && this.iterating === 0) this.merge();
    }
    return this;
  }

  /**
   * For a restore into an empty table: straight into the large Map, since
   * these are old from the start. An id given twice throws (nothing in the
   * state file's schema rules it out).
   */
  load(id: string, value: V): void {
    const size = this.settled.size;
    this.settled.set(id, value);
    if (this.settled.size === size) throw new DuplicateTaskError(`the restored state holds task ${JSON.stringify(id.slice(0, 200))} twice`);
  }

  delete(id: string): boolean {
    return this.recent.delete(id) || this.settled.delete(id);
  }

  clear(): void {
    this.settled = new Map();
    this.recent = new Map();
  }

  /** Entries in insertion order; entries set during the walk are visited too. */
  *values(): IterableIterator<V> {
    this.iterating++;
    try {
      yield* this.settled.values();
      yield* this.recent.values();
    } finally {
      this.iterating--;
    }
  }

  private merge(): void {
    for (const [id, value] of this.recent) this.settled.set(id, value);
    this.recent = new Map();
  }
}
