/**
 * A set of strings that splits into many small Sets by a hash of each string
 * once it grows, for the per-worker indexes of the engine, which reach 10^5
 * ids (a worker that scheduled a big pipeline). Why: see chunked-list.ts. A
 * Set of a worker's 125,000 ids, written by every status change of one of its
 * tasks (the task leaves the index and comes back), cost each young
 * collection ~2.6 ms; split, a write touches one shard of at most ~1,000 ids.
 * A small set stays one Set, so a worker with a few tasks pays nothing for it.
 * A lookup costs a hash of the id's end and a second indirection. Iteration
 * goes shard by shard, not in insertion order: the per-worker indexes are
 * unordered.
 * @module
 */

/** Entries at which the one Set splits into shards (it never joins back)... */
const SPLIT_AT = 4096;
/**
 * ...into this many (enough for 512k ids: splitting again at 64k moved every
 * id of every big worker during a restore, +1.1 s at 10^6 tasks)...
 */
const FIRST_SHARDS = 512;
/** ...which split again, 8 ways, once they average more ids than this. */
const MAX_PER_SHARD = 1024;

/** FNV-1a over the last 12 characters: Luigi ids end in 10 hex digits of an md5, so they spread well. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, key.length - 12); i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export class ShardedSet implements Iterable<string> {
  /** One Set while small; once split, a power of two of them (undefined until a write needs one). */
  private whole: Set<string> | null = new Set();
  private split: (Set<string> | undefined)[] = [];
  private mask = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(value: string): boolean {
    return this.find(value)?.has(value) ?? false;
  }

  add(value: string): this {
    const shard = this.forWrite(value);
    const before = shard.size;
    shard.add(value);
    this.count += shard.size - before;
    return this;
  }

  delete(value: string): boolean {
    const removed = this.find(value)?.delete(value) ?? false;
    if (removed) this.count--;
    return removed;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    if (this.whole !== null) yield* this.whole;
    else for (const shard of this.split) if (shard !== undefined) yield* shard;
  }

  private find(value: string): Set<string> | undefined {
    return this.whole ?? this.split[hashOf(value) & this.mask];
  }

  private forWrite(value: string): Set<string> {
    if (this.whole !== null) {
      if (this.count < SPLIT_AT) return this.whole;
      const whole = this.whole;
      this.whole = null;
      this.spread([whole], FIRST_SHARDS);
    } else if (this.count > this.split.length * MAX_PER_SHARD) this.spread(this.split, this.split.length * 8);
    return this.shardFor(value);
  }

  /** Moves everything in `from` into `count` new shards. */
  private spread(from: (Set<string> | undefined)[], count: number): void {
    this.split = new Array(count);
    this.mask = count - 1;
    for (const shard of from) if (shard !== undefined) for (const value of shard) this.shardFor(value).add(value);
  }

  private shardFor(value: string): Set<string> {
    const s = hashOf(value) & this.mask;
    let shard = this.split[s];
    if (shard === undefined) this.split[s] = shard = new Set();
    return shard;
  }
}
