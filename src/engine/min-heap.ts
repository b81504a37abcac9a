/**
 * A binary min-heap of (key, id) pairs, used as a timer queue: prune pops the
 * ids whose deadline has passed. Entries are never updated in place; callers
 * push again when a deadline changes and check an entry is still current when
 * they pop it.
 * @module
 */
export class MinHeap {
  private keys: number[] = [];
  private ids: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(key: number, id: string): void {
    const keys = this.keys;
    const ids = this.ids;
    let i = keys.length;
    keys.push(key);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      ids[i] = ids[parent]!;
      i = parent;
    }
    keys[i] = key;
    ids[i] = id;
  }

  peekKey(): number | undefined {
    return this.keys[0];
  }

  /** Removes and returns the id with the smallest key. */
  pop(): string | undefined {
    const keys = this.keys;
    const ids = this.ids;
    if (keys.length === 0) return undefined;
    const top = ids[0];
    const lastKey = keys.pop()!;
    const lastId = ids.pop()!;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && keys[r]! < keys[l]! ? r : l;
        if (keys[c]! >= lastKey) break;
        keys[i] = keys[c]!;
        ids[i] = ids[c]!;
        i = c;
      }
      keys[i] = lastKey;
      ids[i] = lastId;
    }
    return top;
  }

  clear(): void {
    this.keys = [];
    this.ids = [];
  }
}
