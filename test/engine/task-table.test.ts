import { expect, test } from "bun:test";
import { seededRandom } from "../support/seeded.ts";
import { TaskTable } from "../../src/engine/task-table.ts";


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
