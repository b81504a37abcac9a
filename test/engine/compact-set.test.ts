import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { CompactSet } from "../../src/engine/compact-set.ts";

describe("CompactSet", () => {
  test("behaves like a Set of strings under any sequence of adds and deletes, order included", () => {
    const op = fc.tuple(fc.boolean(), fc.constantFrom(..."abcdefghijklmnop".split("")));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const real = new Set<string>();
        const compact = new CompactSet();
        for (const [add, item] of ops) {
          if (add) {
            real.add(item);
            compact.add(item);
          } else expect(compact.delete(item)).toBe(real.delete(item));
          expect([...compact]).toEqual([...real]);
          expect(compact.size).toBe(real.size);
          for (const probe of "abcq") expect(compact.has(probe)).toBe(real.has(probe));
        }
      }),
    );
  });

  test("deleting while iterating neither skips nor repeats the remaining items", () => {
    const set = new CompactSet(["a", "b", "c"]);
    const seen: string[] = [];
    for (const item of set) {
      seen.push(item);
      set.delete(item);
    }
    expect(seen).toEqual(["a", "b", "c"]);
    expect(set.size).toBe(0);
  });

  test("copies into a real Set and answers Set algebra", () => {
    const set = new CompactSet(["x", "y"]);
    expect(new Set(set)).toEqual(new Set(["x", "y"]));
    expect([...set.union(new Set(["z"]))]).toEqual(["x", "y", "z"]);
    expect(set.isSubsetOf(new Set(["x", "y", "z"]))).toBe(true);
    expect(Object.prototype.toString.call(set)).toBe("[object Set]");
  });
});
