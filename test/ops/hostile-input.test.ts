/**
 * Gaps the fuzz test found, pinned in-process so they stay fixed.
 */
import { describe, expect, test } from "bun:test";
import { MAX_JSON_DEPTH, parseTolerantJson } from "../../src/lib/tolerant-json.ts";
import { decodeTask, encodeTask } from "../../src/store/state/codec.ts";
import { createTestApp } from "../support/app.ts";
import { bareTask } from "../store/state/fake-source.ts";

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

describe("deeply nested but well-formed JSON", () => {
  test("is refused even when JSON.parse would take it (JSON.stringify of it would overflow later)", () => {
    expect(() => JSON.parse(nested(50_000))).not.toThrow();
    expect(() => parseTolerantJson(nested(50_000))).toThrow(`nesting deeper than ${MAX_JSON_DEPTH}`);
    expect(() => parseTolerantJson(`[${nested(MAX_JSON_DEPTH)}]`)).toThrow(`nesting deeper than ${MAX_JSON_DEPTH}`);
  });

  test("up to the limit parses, and brackets inside strings do not count", () => {
    expect(parseTolerantJson(nested(MAX_JSON_DEPTH))).toBeDefined();
    const text = JSON.stringify({ s: "[{".repeat(5000), t: '\\"[[[' });
    expect(parseTolerantJson(text)).toEqual({ s: "[{".repeat(5000), t: '\\"[[[' });
  });

  test("as deep as Python's json parses (~990 levels) is accepted, listed and stored", async () => {
    const t = createTestApp();
    const deep = JSON.parse(nested(990)) as unknown;
    expect((await t.call("add_task", { worker: "w", task_id: "Deep", family: "Deep", params: { x: deep } })).status).toBe(200);
    const listed = (await t.rpc("task_list", { status: "PENDING", upstream_status: "" })) as Record<string, { params: unknown }>;
    expect(listed.Deep!.params).toEqual({ x: deep });
    const task = { ...bareTask("Deep"), params: { x: deep } };
    expect(decodeTask(encodeTask(task))).toEqual(task);
  });

  test("over HTTP it is a 400 and the scheduler keeps answering", async () => {
    const t = createTestApp();
    const reply = await t.call("is_paused", nested(50_000));
    expect(reply.status).toBe(400);
    expect(reply.text).toContain("nesting deeper than");
    expect((await t.call("is_paused", {})).status).toBe(200);
  });
});
