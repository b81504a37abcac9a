/**
 * An ordered collection with cheap insert, delete and in-order iteration:
 * a list of sorted buckets (the "sorted containers" layout). Inserting or
 * deleting costs a binary search over bucket maxima plus a splice inside one
 * bucket of at most `BUCKET` items, so it stays fast at 10^6 entries without
 * the pointer overhead of a balanced tree.
 *
 * The comparator must be a strict total order over the stored items: deletion
 * finds an item by comparison, then by identity.
 * @module
 */

const BUCKET = 512;

export class SortedList<T> {
  private buckets: T[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    const buckets = this.buckets;
    this.count++;
    if (buckets.length === 0) {
      buckets.push([item]);
      return;
    }
    const b = this.bucketFor(item);
    const bucket = buckets[b]!;
    bucket.splice(this.indexIn(bucket, item), 0, item);
    if (bucket.length > BUCKET * 2) buckets.splice(b + 1, 0, bucket.splice(BUCKET));
  }

  /** Removes `item` (the same object that was added); false if absent. */
  delete(item: T): boolean {
    const buckets = this.buckets;
    if (buckets.length === 0) return false;
    const b = this.bucketFor(item);
    const bucket = buckets[b]!;
    let i = this.indexIn(bucket, item);
    // Equal keys cannot happen with a total order, but tolerate a neighbour scan.
    while (i < bucket.length && bucket[i] !== item && this.compare(bucket[i]!, item) === 0) i++;
    if (bucket[i] !== item) return false;
    bucket.splice(i, 1);
    this.count--;
    if (bucket.length === 0) buckets.splice(b, 1);
    else if (bucket.length < BUCKET / 4 && buckets.length > 1) this.merge(b);
    return true;
  }

  first(): T | undefined {
    return this.buckets[0]?.[0];
  }

  *[Symbol.iterator](): IterableIterator<T> {
    // Iterate over a snapshot of the bucket list so that callers may stop early
    // cheaply; callers must not mutate the list while iterating.
    for (const bucket of this.buckets) yield* bucket;
  }

  /** Items from `item`'s place onwards (those ordered at or after it), in order. */
  *from(item: T): IterableIterator<T> {
    const buckets = this.buckets;
    if (buckets.length === 0) return;
    const b = this.bucketFor(item);
    yield* buckets[b]!.slice(this.indexIn(buckets[b]!, item));
    for (let i = b + 1; i < buckets.length; i++) yield* buckets[i]!;
  }

  toArray(): T[] {
    return this.buckets.flat();
  }

  clear(): void {
    this.buckets = [];
    this.count = 0;
  }

  /** Index of the first bucket whose last item is >= item (or the last bucket). */
  private bucketFor(item: T): number {
    const buckets = this.buckets;
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const bucket = buckets[mid]!;
      if (this.compare(bucket[bucket.length - 1]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Lower bound of item inside one bucket. */
  private indexIn(bucket: T[], item: T): number {
    let lo = 0;
    let hi = bucket.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(bucket[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private merge(b: number): void {
    const buckets = this.buckets;
    const other = b + 1 < buckets.length ? b + 1 : b - 1;
    const [lo, hi] = other > b ? [b, other] : [other, b];
    const merged = buckets[lo]!.concat(buckets[hi]!);
    buckets.splice(lo, 2, merged);
    if (merged.length > BUCKET * 2) buckets.splice(lo + 1, 0, merged.splice(BUCKET));
  }
}
