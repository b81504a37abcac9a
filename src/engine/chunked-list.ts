/**
 * An insertion-ordered collection kept in fixed-size chunks, for the engine's
 * largest indexes (tasks by status: 980,000 DONE records at 10^6 tasks).
 *
 * Why not a Set: JavaScriptCore's generational GC remembers an old object as a
 * whole once anything is stored into it, and every young collection then
 * rescans it. A Set of 10^6 entries written by one status change costs each
 * young collection ~20 ms (measured: 0.3 ms without it), and the server makes
 * several young collections a second under load. Here a write touches one
 * chunk of CHUNK slots, so a collection rescans that chunk only.
 *
 * Each item's slot is kept by the caller (setSlot), which is how removal finds
 * it without a lookup table (that table would be the same big object again).
 * Removal leaves a hole; holes are squeezed out once they outnumber the items
 * (and MIN_HOLES), never while an iteration is running.
 * @module
 */

const SHIFT = 10;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;
/**
 * Holes a small list may keep. A walk visits every slot up to the end, and
 * get_work walks the RUNNING list (a handful of tasks that come and go) a few
 * times a call: with a chunk's worth of holes allowed, that was ~1,000 slots a
 * walk. The squeeze this costs is paid once per MIN_HOLES removals.
 */
const MIN_HOLES = 64;

/** Items are compared by identity (===), so any non-nullish value may be stored; undefined marks a hole. */
export class ChunkedList<T extends {}> {
  private chunks: (T | undefined)[][] = [];
  /** The next slot to fill. */
  private end = 0;
  private live = 0;
  private iterating = 0;

  /** `setSlot` is told every item's slot: when it is pushed and when squeezing moves it. */
  constructor(private readonly setSlot: (item: T, slot: number) => void) {}

  get size(): number {
    return this.live;
  }

  push(item: T): void {
    if (this.iterating === 0 && this.end - this.live > Math.max(MIN_HOLES, this.live)) this.squeeze();
    const slot = this.end++;
    const c = slot >>> SHIFT;
    if (c === this.chunks.length) this.chunks.push([]);
    this.chunks[c]![slot & MASK] = item;
    this.live++;
    this.setSlot(item, slot);
  }

  /** Removes `item`, found at `slot` (what setSlot was last told); false when it is not there. */
  remove(item: T, slot: number): boolean {
    const chunk = this.chunks[slot >>> SHIFT];
    if (chunk === undefined || chunk[slot & MASK] !== item) return false;
    chunk[slot & MASK] = undefined;
    this.live--;
    return true;
  }

  clear(): void {
    this.chunks = [];
    this.end = 0;
    this.live = 0;
  }

  /** Items in the order they were pushed; items pushed during the walk are visited too. */
  *[Symbol.iterator](): IterableIterator<T> {
    this.iterating++;
    try {
      for (let slot = 0; slot < this.end; slot++) {
        const item = this.chunks[slot >>> SHIFT]![slot & MASK];
        if (item !== undefined) yield item;
      }
    } finally {
      this.iterating--;
    }
  }

  /** Drops the holes, keeping the order; every moved item gets its new slot. */
  private squeeze(): void {
    const old = this.chunks;
    const end = this.end;
    this.chunks = [];
    this.end = 0;
    this.live = 0;
    for (let slot = 0; slot < end; slot++) {
      const item = old[slot >>> SHIFT]![slot & MASK];
      if (item !== undefined) this.push(item);
    }
  }
}
