import { expect, test } from "bun:test";
import { ShardedSet } from "../../src/engine/sharded-set.ts";

test("ShardedSet behaves as a Set of strings (order aside) under random adds and deletes", () => {
  const sharded = new ShardedSet();
  const reference = new Set<string>();
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  // Luigi-like ids, short ones and an empty one.
  const ids = [...Array.from({ length: 3000 }, (_, i) => `Task_${i}_${(i * 2654435761 >>> 0).toString(16)}`), "", "a", "é", "T"];
  for (let step = 0; step < 40_000; step++) {
    const id = ids[Math.floor(random() * ids.length)]!;
    if (random() < 0.6) {
      expect(sharded.add(id)).toBe(sharded);
      reference.add(id);
    } else expect(sharded.delete(id)).toBe(reference.delete(id));
    expect(sharded.size).toBe(reference.size);
    if (step % 4000 === 0) for (const probe of ids.slice(0, 50)) expect(sharded.has(probe)).toBe(reference.has(probe));
  }
  expect([...sharded].sort()).toEqual([...reference].sort());
  expect(new Set(sharded).size).toBe(sharded.size);
});
