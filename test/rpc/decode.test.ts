import { describe, expect, test } from "bun:test";
import { LuigidError } from "../../src/lib/errors.ts";
import { ArgReader, truthy } from "../../src/rpc/decode.ts";

describe("truthy follows Python", () => {
  test.each([
    [null, false],
    [false, false],
    [0, false],
    [Number.NaN, false],
    ["", false],
    [[], false],
    [{}, false],
    [true, true],
    [1, true],
    [-0.5, true],
    ["0", true],
    ["false", true],
    [[0], true],
    [{ a: null }, true],
  ])("truthy(%p) is %p", (value, expected) => {
    expect(truthy(value)).toBe(expected);
  });
});

function badArguments(run: () => unknown): LuigidError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LuigidError);
    expect((error as LuigidError).code).toBe("BAD_ARGUMENTS");
    return error as LuigidError;
  }
  throw new Error("expected BAD_ARGUMENTS");
}

describe("ArgReader", () => {
  test("an absent key takes the default, a null value does not", () => {
    const args = new ArgReader("m", { present: null });
    expect(args.flag("absent", true)).toBe(true);
    expect(args.flag("present", true)).toBe(false);
    expect(args.optionalFlag("present", false)).toBeNull();
    expect(args.optionalFlag("absent", false)).toBe(false);
  });

  test("the empty string is a valid required string (Luigi accepts worker \"\")", () => {
    expect(new ArgReader("ping", { worker: "" }).string("worker")).toBe("");
  });

  test("a missing required argument names the method and the argument", () => {
    const error = badArguments(() => new ArgReader("ping", {}).string("worker"));
    expect(error.message).toContain("ping");
    expect(error.message).toContain('"worker"');
  });

  test("wrong types are refused with the type found", () => {
    expect(badArguments(() => new ArgReader("m", { n: "5" }).number("n")).message).toContain('the string "5"');
    expect(badArguments(() => new ArgReader("m", { d: ["a", 1] }).optionalStringList("d")).message).toContain("a list");
    expect(badArguments(() => new ArgReader("m", { r: { cpu: "1" } }).optionalNumberMap("r")).message).toContain('"r.cpu"');
    expect(badArguments(() => new ArgReader("m", { o: [1] }).optionalObject("o")).message).toContain("a list");
  });

  test("non-finite numbers from the tolerant JSON reader are numbers", () => {
    expect(new ArgReader("m", { x: Number.POSITIVE_INFINITY }).number("x")).toBe(Number.POSITIVE_INFINITY);
  });

  test("a long hostile string is cut in the error message", () => {
    const error = badArguments(() => new ArgReader("m", { x: "y".repeat(10_000) }).number("x"));
    expect(error.message.length).toBeLessThan(200);
  });
});
