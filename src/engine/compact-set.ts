/**
 * An insertion-ordered set of strings for the three per-task sets (deps,
 * stakeholders, workers). A JS Set costs about 260 bytes once it holds one
 * item; a task usually holds one to a few ids in each, so at 100k tasks the
 * engine kept ~80 MB in near-empty Sets. This keeps a lone id bare, up to
 * SMALL ids in an array, and switches to a real Set beyond that (fan-in
 * tasks with thousands of deps stay O(1) per lookup).
 *
 * It implements the whole Set<string> interface, so the data model keeps
 * saying `Set<string>`; exportState() hands out real Sets.
 * @module
 */
const SMALL = 8;
const EMPTY: readonly string[] = Object.freeze([]);

export class CompactSet implements Set<string> {
  /** undefined (empty) | one id | 2..SMALL ids in order | a real Set. */
  private v: string | string[] | Set<string> | undefined;

  constructor(items?: Iterable<string> | null) {
    if (items) for (const item of items) this.add(item);
  }

  get size(): number {
    const v = this.v;
    if (v === undefined) return 0;
    if (typeof v === "string") return 1;
    return Array.isArray(v) ? v.length : v.size;
  }

  has(item: string): boolean {
    const v = this.v;
    if (v === undefined) return false;
    if (typeof v === "string") return v === item;
    return Array.isArray(v) ? v.includes(item) : v.has(item);
  }

  add(item: string): this {
    const v = this.v;
    if (v === undefined) this.v = item;
    else if (typeof v === "string") {
      if (v !== item) this.v = [v, item];
    } else if (Array.isArray(v)) {
      if (!v.includes(item)) {
        if (v.length < SMALL) v.push(item);
        else this.v = new Set([...v, item]);
      }
    } else v.add(item);
    return this;
  }

  delete(item: string): boolean {
    const v = this.v;
    if (v === undefined) return false;
    if (typeof v === "string") {
      if (v !== item) return false;
      this.v = undefined;
      return true;
    }
    if (Array.isArray(v)) {
      const i = v.indexOf(item);
      if (i < 0) return false;
      // Copy rather than splice, so an iteration in progress sees the old list.
      const rest = v.filter((_, j) => j !== i);
      this.v = rest.length === 1 ? rest[0] : rest;
      return true;
    }
    return v.delete(item);
  }

  clear(): void {
    this.v = undefined;
  }

  /** Native iterators (no generator): listings spread these sets for every task. */
  values(): SetIterator<string> {
    const v = this.v;
    const list = v === undefined ? EMPTY : typeof v === "string" ? [v] : v;
    return list.values() as unknown as SetIterator<string>;
  }

  /** The items, in order, as a list not to be modified (no copy when there are several). */
  items(): readonly string[] {
    const v = this.v;
    if (v === undefined) return EMPTY;
    if (typeof v === "string") return [v];
    return Array.isArray(v) ? v : [...v];
  }

  toArray(): string[] {
    const v = this.v;
    if (v === undefined) return [];
    if (typeof v === "string") return [v];
    return Array.isArray(v) ? v.slice() : [...v];
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const item of this.values()) yield [item, item];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, key: string, set: Set<string>) => void, thisArg?: unknown): void {
    for (const item of this.values()) callback.call(thisArg, item, item, this);
  }

  get [Symbol.toStringTag](): string {
    return "Set";
  }

  union<U>(other: ReadonlySetLike<U>): Set<string | U> {
    return new Set(this).union(other);
  }

  intersection<U>(other: ReadonlySetLike<U>): Set<string & U> {
    return new Set(this).intersection(other);
  }

  difference<U>(other: ReadonlySetLike<U>): Set<string> {
    return new Set(this).difference(other);
  }

  symmetricDifference<U>(other: ReadonlySetLike<U>): Set<string | U> {
    return new Set(this).symmetricDifference(other);
  }

  isSubsetOf(other: ReadonlySetLike<unknown>): boolean {
    return new Set(this).isSubsetOf(other);
  }

  isSupersetOf(other: ReadonlySetLike<unknown>): boolean {
    return new Set(this).isSupersetOf(other);
  }

  isDisjointFrom(other: ReadonlySetLike<unknown>): boolean {
    return new Set(this).isDisjointFrom(other);
  }
}

/** The items of a set as a new array; a CompactSet's without an iterator (listings do this for every task). */
export function toArray(set: ReadonlySet<string>): string[] {
  return set instanceof CompactSet ? set.toArray() : [...set];
}

/**
 * A CompactSet that never changes, shared by many tasks: the empty set, and
 * one single-id set per worker (most tasks have exactly one stakeholder and
 * one worker). Code that changes a task's set replaces it (see `withItem`,
 * `withoutItem`); a write to a shared set throws rather than changing every
 * task that holds it.
 */
export class SharedSet extends CompactSet {
  private sealed = false;

  constructor(items?: Iterable<string> | null) {
    super(items);
    this.sealed = true;
  }

  override add(item: string): this {
    if (this.sealed) throw new Error("engine: a shared set was about to be changed in place");
    return super.add(item);
  }

  override delete(item: string): boolean {
    if (this.sealed) throw new Error("engine: a shared set was about to be changed in place");
    return super.delete(item);
  }

  override clear(): void {
    if (this.sealed) throw new Error("engine: a shared set was about to be changed in place");
    super.clear();
  }
}

export const EMPTY_SET: Set<string> = new SharedSet();

/** Shared single-id sets, one per id, dropped when the id (a worker) goes away. */
export class SingletonSets {
  private readonly pool = new Map<string, SharedSet>();

  of(id: string): Set<string> {
    let set = this.pool.get(id);
    if (!set) this.pool.set(id, (set = new SharedSet([id])));
    return set;
  }

  forget(id: string): void {
    this.pool.delete(id);
  }

  /** The set to store for these items: shared when empty or single, else a private CompactSet. */
  share(items: Iterable<string>): Set<string> {
    const own = new CompactSet(items);
    if (own.size === 0) return EMPTY_SET;
    if (own.size === 1) return this.of(own.values().next().value!);
    return own;
  }

  /** `set` plus `id`: the same set when already there, else a changed private copy or a shared singleton. */
  withItem(set: Set<string>, id: string): Set<string> {
    if (set.has(id)) return set;
    if (set.size === 0) return this.of(id);
    const out = set instanceof SharedSet ? new CompactSet(set) : set;
    return out.add(id);
  }

  /** `set` without `id`, sharing the result when it is empty or single. */
  withoutItem(set: Set<string>, id: string): Set<string> {
    if (!set.has(id)) return set;
    if (set.size === 1) return EMPTY_SET;
    const out = set instanceof SharedSet ? new CompactSet(set) : set;
    out.delete(id);
    return out.size === 1 ? this.of(out.values().next().value!) : out;
  }
}
