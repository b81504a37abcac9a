/** The engine's own data structures against plain-array models. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MinHeap } from "../../src/engine/min-heap.ts";
import { SortedList } from "../../src/engine/sorted-list.ts";

describe("SortedList", () => {
  test("keeps order through any mix of inserts and deletes, across bucket splits and merges", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 4000 }), (ops) => {
        const list = new SortedList<{ k: number }>((a, b) => a.k - b.k);
        const model = new Map<number, { k: number }>();
        for (const [add, k] of ops) {
          if (add && !model.has(k)) {
            const item = { k };
            model.set(k, item);
            list.add(item);
          } else if (!add) {
            const item = model.get(k) ?? { k };
            expect(list.delete(item)).toBe(model.delete(k));
          }
        }
        const expected = [...model.keys()].sort((a, b) => a - b);
        expect(list.toArray().map((x) => x.k)).toEqual(expected);
        expect([...list].length).toBe(expected.length);
        expect(list.size).toBe(expected.length);
        expect(list.first()?.k).toBe(expected[0]);
      }),
      { numRuns: 60 },
    );
  });

  test("deleting an equal but different object removes nothing", () => {
    const list = new SortedList<{ k: number }>((a, b) => a.k - b.k);
    list.add({ k: 1 });
    expect(list.delete({ k: 1 })).toBe(false);
    expect(list.size).toBe(1);
  });
});

describe("MinHeap", () => {
  test("pops ids in key order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 500 }), (keys) => {
        const heap = new MinHeap();
        keys.forEach((k, i) => heap.push(k, `id${i}`));
        const popped: number[] = [];
        while (heap.size > 0) {
          const key = heap.peekKey()!;
          heap.pop();
          popped.push(key);
        }
        expect(popped).toEqual([...keys].sort((a, b) => a - b));
        expect(heap.pop()).toBeUndefined();
      }),
    );
  });
});

test("SortedList.from starts at an item's place", () => {
  const list = new SortedList<{ k: number }>((a, b) => a.k - b.k);
  const items = Array.from({ length: 3000 }, (_, i) => ({ k: i * 2 }));
  for (const item of items) list.add(item);
  expect([...list.from(items[1500]!)].map((x) => x.k)).toEqual(items.slice(1500).map((x) => x.k));
  expect([...list.from({ k: 2999 })][0]?.k).toBe(3000);
  expect([...list.from({ k: 99999 })]).toEqual([]);
});
