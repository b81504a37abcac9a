/**
 * A Map whose writes gather in a small Map and reach the large one in
 * batches, for engine indexes of up to 10^6 entries written by ordinary calls
 * (the dependents of deps that have no task yet: a new task adds itself to
 * each of its deps before the missing ones are created).
 * Why: JSC's young collections rescan a written Map whole (~15 ms at 10^6
 * entries, see chunked-list.ts); here the large Map is written once per
 * MERGE_AT writes. Reads look in the small Map first. A delete is a
 * tombstone until the merge. No iteration: for indexes read by key.
 * A restore fills the large Map directly (load).
 * @module
 */

const MERGE_AT = 32_768;
const GONE: unique symbol = Symbol("gone");

export class BufferedMap<V> {
  private settled = new Map<string, V>();
  private recent = new Map<string, V | typeof GONE>();

  get(key: string): V | undefined {
    const value = this.recent.get(key);
    if (value === GONE) return undefined;
    return value !== undefined ? value : this.settled.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): this {
    this.write(key, value);
    return this;
  }

  /**
   * A tombstone even for a key only the small Map has: a long-lived Map that
   * keeps gaining and losing keys makes JSC rehash it again and again, and each
   * new storage stays reachable from the last until a full collection (see
   * the state writer's dirty Sets). The merge drops the tombstones.
   */
  delete(key: string): boolean {
    if (this.get(key) === undefined) return false;
    this.write(key, GONE);
    return true;
  }

  /** For a restore: straight into the large Map (no value may be undefined). */
  load(key: string, value: V): void {
    this.settled.set(key, value);
  }

  clear(): void {
    this.settled = new Map();
    this.recent = new Map();
  }

  private write(key: string, value: V | typeof GONE): void {
    this.recent.set(key, value);
    if (this.recent.size >= MERGE_AT) this.merge();
  }

  private merge(): void {
    for (const [key, value] of this.recent) {
      if (value === GONE) this.settled.delete(key);
      else this.settled.set(key, value);
    }
    this.recent = new Map();
  }
}
