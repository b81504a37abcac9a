import { describe, expect, test } from "bun:test";
import { JsonSyntaxError, MAX_JSON_DEPTH, parseTolerantJson } from "../../src/lib/tolerant-json.ts";

describe("parseTolerantJson", () => {
  test("standard JSON parses as JSON.parse does", () => {
    const text = '{"a": [1, 2.5e3, -0.5, true, false, null, "x\\u00e9\\n\\"q\\""], "b": {}}';
    expect(parseTolerantJson(text)).toEqual(JSON.parse(text));
  });

  test("bare Infinity, -Infinity and NaN outside strings, as Python's json.dumps writes them", () => {
    const value = parseTolerantJson('{"max_batch_size": Infinity, "lo": -Infinity, "n": NaN, "list": [Infinity, 1]}') as Record<string, unknown>;
    expect(value.max_batch_size).toBe(Number.POSITIVE_INFINITY);
    expect(value.lo).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(value.n)).toBe(true);
    expect(value.list).toEqual([Number.POSITIVE_INFINITY, 1]);
  });

  test("the tokens inside strings stay text, escapes and all", () => {
    expect(parseTolerantJson('{"s": "Infinity \\" NaN", "t": Infinity}')).toEqual({ s: 'Infinity " NaN', t: Number.POSITIVE_INFINITY });
  });

  test("a __proto__ key is an own member, never the prototype", () => {
    const value = parseTolerantJson('{"__proto__": {"polluted": 1}, "x": NaN}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    ["", "end of text"],
    ["{", "expected a string key"],
    ['{"a": Inf}', "unexpected token"],
    ['{"a": 1,}', "expected a string key"],
    ["[1 2]", 'expected "]"'],
    ["{\"a\": nan}", "unexpected token"],
    ["Infinity x", "unexpected text after the value"],
    ['"unterminated', "unterminated string"],
    ["01", "unexpected text after the value"],
  ])("rejects %p with a reason", (text, reason) => {
    expect(() => parseTolerantJson(text)).toThrow(JsonSyntaxError);
    expect(() => parseTolerantJson(text)).toThrow(reason);
  });

  test("deep nesting is refused with a syntax error, not a stack overflow", () => {
    const deep = `${"[".repeat(100_000)}NaN${"]".repeat(100_000)}`;
    expect(() => parseTolerantJson(deep)).toThrow(`nesting deeper than ${MAX_JSON_DEPTH}`);
  });
});
