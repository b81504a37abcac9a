/**
 * A set of strings split over many small Sets by a hash of each string, for
 * per-worker indexes that reach 10^5 ids (a worker that scheduled a big
 * pipeline). Why: see chunked-list.ts. A single Set of 125,000 ids, written by
 * every status change of one of its tasks, cost each young GC ~2.6 ms; here a
 * write touches one shard. Iteration order is by shard, not insertion: for
 * indexes whose order no reply depends on.
 * @module
 */

const SHARDS = 64;

/** FNV-1a over the last 12 characters: Luigi ids end in 10 hex digits of an md5, so they spread well. */
function shardOf(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, value.length - 12); i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % SHARDS;
}

export class ShardedSet implements Iterable<string> {
  private readonly shards: (Set<string> | undefined)[] = new Array(SHARDS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(value: string): boolean {
    return this.shards[shardOf(value)]?.has(value) ?? false;
  }

  add(value: string): this {
    const s = shardOf(value);
    let shard = this.shards[s];
    if (shard === undefined) this.shards[s] = shard = new Set();
    const before = shard.size;
    shard.add(value);
    this.count += shard.size - before;
    return this;
  }

  delete(value: string): boolean {
    const removed = this.shards[shardOf(value)]?.delete(value) ?? false;
    if (removed) this.count--;
    return removed;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (const shard of this.shards) if (shard !== undefined) yield* shard;
  }
}
