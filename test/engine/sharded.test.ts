import { describe, expect, test } from "bun:test";
import { seededRandom } from "../support/seeded.ts";
import { ShardedSet } from "../../src/engine/sharded.ts";
import { TaskTable } from "../../src/engine/task-table.ts";


/** Luigi-like ids (more than split into shards), short ones and an empty one. */
const ids = [...Array.from({ length: 9000 }, (_, i) => `Task_${i}_${((i * 2654435761) >>> 0).toString(16)}`), "", "a", "é", "T"];

describe("ShardedSet behaves as a Set (order aside), before and after it splits", () => {
  test("random adds and deletes", () => {
    const sharded = new ShardedSet();
    const reference = new Set<string>();
    const random = seededRandom(11);
    for (let step = 0; step < 60_000; step++) {
      const id = ids[Math.floor(random() * ids.length)]!;
      if (random() < 0.6) {
        expect(sharded.add(id)).toBe(sharded);
        reference.add(id);
      } else expect(sharded.delete(id)).toBe(reference.delete(id));
      expect(sharded.size).toBe(reference.size);
      if (step % 6000 === 0) for (const probe of ids.slice(0, 50)) expect(sharded.has(probe)).toBe(reference.has(probe));
    }
    expect(reference.size).toBeGreaterThan(4096);
    expect([...sharded].sort()).toEqual([...reference].sort());
  });

});

test("a set that keeps growing splits again and still holds exactly what it was given", () => {
  const sharded = new ShardedSet();
  // Past 512 shards x 1,024 ids, where it splits a second time.
  const many = Array.from({ length: 600_000 }, (_, i) => `Big_${i}_${((i * 40503) >>> 0).toString(16)}`);
  for (const id of many) sharded.add(id);
  for (const id of many.filter((_, i) => i % 3 === 0)) expect(sharded.delete(id)).toBe(true);
  const left = many.filter((_, i) => i % 3 !== 0);
  expect(sharded.size).toBe(left.length);
  expect([...sharded].sort()).toEqual([...left].sort());
  expect(sharded.has(many[0]!)).toBe(false);
  expect(sharded.has(many[1]!)).toBe(true);
});

test("TaskTable keeps Map's insertion order (new ids last, a known id keeps its place) across its merges", () => {
  const table = new TaskTable<number>();
  const reference = new Map<string, number>();
  const random = seededRandom(3);
  // More new ids than one merge takes (32,768), with deletes and re-sets of old and new ones.
  const many = Array.from({ length: 80_000 }, (_, i) => `T_${i}`);
  for (let step = 0; step < 120_000; step++) {
    const id = many[Math.floor(random() * (step < 60_000 ? step + 1 : many.length))]!;
    if (random() < 0.8) {
      table.set(id, step);
      reference.set(id, step);
    } else expect(table.delete(id)).toBe(reference.delete(id));
    if (step % 20_000 === 0) expect([...table.values()]).toEqual([...reference.values()]);
  }
  expect(table.size).toBe(reference.size);
  expect([...table.values()]).toEqual([...reference.values()]);
  for (const id of many.slice(0, 500)) {
    expect(table.get(id)).toBe(reference.get(id));
    expect(table.has(id)).toBe(reference.has(id));
  }
  table.clear();
  expect(table.size).toBe(0);
  expect([...table.values()]).toEqual([]);
});

test("TaskTable: tasks loaded by a restore come first, then new ones, and all are found", () => {
  const table = new TaskTable<number>();
  for (let i = 0; i < 40_000; i++) table.load(`R_${i}`, i);
  table.set("N_1", -1);
  table.set("R_5", 5_000);
  expect(table.size).toBe(40_001);
  expect(table.get("R_39999")).toBe(39_999);
  expect(table.get("R_5")).toBe(5_000);
  const values = [...table.values()];
  expect(values[5]).toBe(5_000);
  expect(values.at(-1)).toBe(-1);
});

test("TaskTable does not merge under a walk of its values: ids set during it are visited once", () => {
  const table = new TaskTable<number>();
  for (let i = 0; i < 32_000; i++) table.set(`A_${i}`, i);
  const seen: number[] = [];
  let added = false;
  for (const value of table.values()) {
    seen.push(value);
    if (!added) {
      added = true;
      for (let i = 0; i < 2_000; i++) table.set(`B_${i}`, 100_000 + i);
    }
  }
  expect(seen).toHaveLength(34_000);
  expect(new Set(seen).size).toBe(34_000);
  expect([...table.values()]).toEqual(seen);
});
