import { expect, test } from "bun:test";
import { seededRandom } from "../support/seeded.ts";
import { BufferedMap } from "../../src/engine/buffered-map.ts";


test("BufferedMap answers as a Map across its merges: sets, overwrites, deletes of settled and recent keys", () => {
  const buffered = new BufferedMap<number>();
  const reference = new Map<string, number>();
  // A restore's entries first, straight into the large map.
  for (let i = 0; i < 50_000; i++) {
    buffered.load(`K_${i}`, -i);
    reference.set(`K_${i}`, -i);
  }
  const random = seededRandom(17);
  for (let step = 0; step < 200_000; step++) {
    const key = `K_${Math.floor(random() * 100_000)}`;
    const roll = random();
    if (roll < 0.55) {
      expect(buffered.set(key, step)).toBe(buffered);
      reference.set(key, step);
    } else if (roll < 0.85) expect(buffered.delete(key)).toBe(reference.delete(key));
    else expect(buffered.get(key)).toBe(reference.get(key));
  }
  for (let i = 0; i < 100_000; i++) {
    const key = `K_${i}`;
    expect(buffered.get(key)).toBe(reference.get(key));
    expect(buffered.has(key)).toBe(reference.has(key));
  }
  buffered.clear();
  expect(buffered.get("K_1")).toBeUndefined();
  expect(buffered.delete("K_1")).toBe(false);
});
