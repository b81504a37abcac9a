import { describe, expect, test } from "bun:test";
import { ChunkedList } from "../../src/engine/chunked-list.ts";
import { seededRandom } from "../support/seeded.ts";

interface Item {
  id: number;
  slot: number;
}

function list(): ChunkedList<Item> {
  return new ChunkedList<Item>((item, slot) => {
    item.slot = slot;
  });
}

const items = (n: number, from = 0): Item[] => Array.from({ length: n }, (_, i) => ({ id: from + i, slot: -1 }));

describe("ChunkedList", () => {
  test("keeps push order across chunks and tells each item its slot", () => {
    const l = list();
    const all = items(3000);
    for (const item of all) l.push(item);
    expect(l.size).toBe(3000);
    expect([...l].map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(all.map((i) => i.slot)).toEqual(all.map((_, i) => i));
  });

  test("removal by slot drops the item; a wrong item or slot removes nothing", () => {
    const l = list();
    const [a, b, c] = items(3);
    for (const item of [a!, b!, c!]) l.push(item);
    expect(l.remove(b!, a!.slot)).toBe(false);
    expect(l.remove(b!, 99_999)).toBe(false);
    expect(l.remove(b!, b!.slot)).toBe(true);
    expect(l.remove(b!, b!.slot)).toBe(false);
    expect([...l].map((i) => i.id)).toEqual([0, 2]);
    expect(l.size).toBe(2);
  });

  test("a small list whose items come and go keeps its slots low: holes are squeezed out early", () => {
    const l = list();
    const live: Item[] = [];
    let highest = 0;
    for (let i = 0; i < 10_000; i++) {
      const item = { id: i, slot: -1 };
      l.push(item);
      live.push(item);
      highest = Math.max(highest, item.slot);
      if (live.length > 8) {
        const first = live.shift()!;
        expect(l.remove(first, first.slot)).toBe(true);
      }
    }
    expect([...l].map((i) => i.id)).toEqual(live.map((i) => i.id));
    // A walk visits every slot up to the highest: at most the live items, as many holes, and 64.
    expect(highest).toBeLessThan(8 + 64 + 8);
  });

  test("a re-pushed item goes last, as with a Set's delete then add", () => {
    const l = list();
    const all = items(4);
    for (const item of all) l.push(item);
    l.remove(all[1]!, all[1]!.slot);
    l.push(all[1]!);
    expect([...l].map((i) => i.id)).toEqual([0, 2, 3, 1]);
  });

  test("random pushes and removals match an ordered reference, holes squeezed out and slots kept right", () => {
    const l = list();
    let reference: Item[] = [];
    let next = 0;
    const random = seededRandom(7);
    for (let step = 0; step < 60_000; step++) {
      if (reference.length === 0 || random() < 0.45) {
        const item = { id: next++, slot: -1 };
        l.push(item);
        reference.push(item);
      } else {
        const victim = reference[Math.floor(random() * reference.length)]!;
        expect(l.remove(victim, victim.slot)).toBe(true);
        reference = reference.filter((i) => i !== victim);
      }
      if (step % 5000 === 0) expect([...l]).toEqual(reference);
    }
    expect(l.size).toBe(reference.length);
    expect([...l]).toEqual(reference);
    // Every slot still leads to its item: removing them all by slot empties the list.
    for (const item of reference) expect(l.remove(item, item.slot)).toBe(true);
    expect(l.size).toBe(0);
    expect([...l]).toEqual([]);
  });

  test("an iteration sees items pushed during it, skips those removed, and is never squeezed under", () => {
    const l = list();
    const all = items(3000);
    for (const item of all) l.push(item);
    // Enough holes that a push would squeeze, were no iteration running.
    for (const item of all.slice(0, 2500)) l.remove(item, item.slot);
    const seen: number[] = [];
    const extra = items(2, 10_000);
    for (const item of l) {
      seen.push(item.id);
      if (item.id === 2500) {
        l.push(extra[0]!);
        l.remove(all[2501]!, all[2501]!.slot);
      }
    }
    expect(seen.slice(0, 2)).toEqual([2500, 2502]);
    expect(seen.at(-1)).toBe(10_000);
    expect(seen).toHaveLength(499 + 1);
    // After the walk a push may squeeze, and the order survives it.
    l.push(extra[1]!);
    expect([...l].map((i) => i.id)).toEqual([2500, ...all.slice(2502).map((i) => i.id), 10_000, 10_001]);
  });

  test("clear empties it", () => {
    const l = list();
    for (const item of items(10)) l.push(item);
    l.clear();
    expect(l.size).toBe(0);
    expect([...l]).toEqual([]);
  });
});
