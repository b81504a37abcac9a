/**
 * task_list's one-pass serialiser (src/engine/queries/json-text.ts) against
 * the object path it replaces on the wire: for every listing, the bytes must
 * be exactly those of JSON.stringify({response: taskList(…)}), hostile
 * strings, odd keys and non-finite numbers included.
 */
import { describe, expect, test } from "bun:test";
import type { TaskListArgs } from "../../src/engine/args.ts";
import { ascii, JsonReply, JsonWriter } from "../../src/engine/queries/json-text.ts";
import { taskList, taskListJson } from "../../src/engine/queries/task-list.ts";
import type { TaskRecord } from "../../src/engine/types.ts";
import { dispatch } from "../../src/rpc/table.ts";
import { Sched } from "./helpers.ts";
import { seededRandom } from "../support/seeded.ts";

const decoder = new TextDecoder();

/** Strings JSON.stringify escapes, or that a naive writer would get wrong. */
const HOSTILE_STRINGS = [
  "",
  'quote " inside',
  "back\\slash",
  "\\",
  '"',
  "nul \u0000 bell \u0007 tab \t newline \n cr \r unit-sep \u001f",
  "del \u007f",
  "line sep \u2028 para sep \u2029",
  "lone high \ud800 end",
  "lone low \udc00 end",
  "high at end \udbff",
  "\udfff low at start",
  "pair \ud83d\ude00 ok",
  "latin-1 é ß ÿ",
  "CJK 漢字",
  "__proto__",
  "constructor",
  "123",
  "0",
  "4294967294",
  "4294967295",
  "01",
  "-1",
];

function args(over: Partial<TaskListArgs> = {}): TaskListArgs {
  return { status: "", upstreamStatus: "", limit: true, search: null, maxShownTasks: null, ...over };
}

function oldBytes(s: Sched, a: TaskListArgs): string {
  return JSON.stringify({ response: taskList(s.engine, a, s.now) });
}

function newBytes(s: Sched, a: TaskListArgs): string {
  const reply = taskListJson(s.engine, a, s.now);
  return reply instanceof JsonReply ? decoder.decode(reply.envelope()) : JSON.stringify({ response: reply });
}

function expectSameListing(s: Sched, a: TaskListArgs = args()): void {
  const expected = oldBytes(s, a);
  expect(newBytes(s, a)).toBe(expected);
  // Again with the reply gzipped as it is written, in chunks of about 200 bytes.
  const streamed = taskListJson(s.engine, a, s.now, 200);
  if (streamed instanceof JsonReply) {
    if (expected.length > 2000) expect(streamed.gzipped).toBe(true);
    expect(decoder.decode(streamed.envelope())).toBe(expected);
  }
}

describe("JsonWriter writes what JSON.stringify writes", () => {
  function written(write: (out: JsonWriter) => void): string {
    const out = new JsonWriter(4); // tiny, so that every test also grows the buffer
    write(out);
    return decoder.decode(out.finish());
  }

  test.each(HOSTILE_STRINGS.map((s) => [JSON.stringify(s), s]))("string %s", (_, s) => {
    expect(written((out) => out.string(s))).toBe(JSON.stringify(s));
    expect(written((out) => out.recurring(s))).toBe(JSON.stringify(s));
  });

  test.each([0, -0, 1, -1.5, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 1_763_741_234.123456, Infinity, -Infinity, NaN])("number %p", (n) => {
    expect(written((out) => out.number(n))).toBe(JSON.stringify(n));
  });

  test("timestamps of whole microseconds (written digit by digit) and any other double", () => {
    const random = seededRandom(7);
    const edges = [1, 1.000001, 9.999999, 10, 1e6, 4294967295.999999, 4294967296, 2 ** 31, 1_800_000_000.0379972, 1_763_741_234.1, 0.999999];
    const values = [...edges];
    for (let i = 0; i < 20_000; i++) {
      const t = random() * 4.3e9;
      values.push(t, Math.round(t * 1e6) / 1e6, Math.round(t * 1e3) / 1e3, Math.floor(t), Math.round(t * 1e6) / 1e6 + 1e-6, random() * 10);
    }
    const out = new JsonWriter();
    for (const n of values) {
      out.raw(",");
      out.number(n);
    }
    expect(decoder.decode(out.finish())).toBe(values.map((n) => `,${JSON.stringify(n)}`).join(""));
  });

  test("members: every kind of value, dropped where JSON.stringify drops them", () => {
    const values: unknown[] = [
      "s", 1, NaN, -Infinity, true, false, null, undefined, () => 1, Symbol("x"),
      [1, "two", undefined, NaN], { a: 1 }, new Date(0), { toJSON: () => undefined }, { toJSON: () => "via toJSON" },
      Object.assign(Object.create(null), { nested: { deeper: ["x", { y: undefined }] } }),
      new String("boxed"), new Number(7), new Map([["k", 1]]),
    ];
    for (const value of values) {
      const expected = JSON.stringify({ a: 0, k: value }).slice(0, -1);
      expect(written((out) => (out.raw('{"a":0'), out.member(ascii(',"k":'), value)))).toBe(expected);
    }
  });

  test("maps keep JSON.stringify's key order and treat __proto__ as an ordinary key", () => {
    const map = Object.create(null) as Record<string, unknown>;
    for (const key of ["b", "10", "a", "2", "__proto__", "01", "-1", "4294967295", "4294967294", ...HOSTILE_STRINGS]) map[key] = key;
    map.dropped = undefined;
    map.fn = () => 0;
    const plain = JSON.parse('{"__proto__": {"polluted": 1}, "z": [1, {"__proto__": 2}]}') as Record<string, unknown>;
    for (const value of [map, plain, { toJSON: 1, ok: true }, {}]) {
      expect(written((out) => out.member(ascii('"m":'), value))).toBe(`"m":${JSON.stringify(value)}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("random strings of any code units", () => {
    const random = seededRandom(42);
    const pick = [0x00, 0x1f, 0x20, 0x22, 0x5c, 0x7e, 0x7f, 0x80, 0xff, 0x2028, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffe];
    for (let i = 0; i < 2000; i++) {
      let s = "";
      const length = Math.floor(random() * 12);
      for (let j = 0; j < length; j++) {
        s += String.fromCharCode(random() < 0.5 ? 0x20 + Math.floor(random() * 95) : random() < 0.5 ? pick[Math.floor(random() * pick.length)]! : Math.floor(random() * 0x10000));
      }
      expect(written((out) => out.string(s))).toBe(JSON.stringify(s));
    }
  });
});

describe("task_list's bytes are the object path's bytes", () => {
  test("an empty listing and the too-many answer", () => {
    const s = new Sched({ maxShownTasks: 2 });
    expectSameListing(s);
    for (const id of ["A", "B", "C"]) s.add(id, "w", { family: "F" });
    expect(taskListJson(s.engine, args(), s.now)).toEqual({ num_tasks: 3 });
    expect(taskListJson(s.engine, args({ upstreamStatus: "UPSTREAM_MISSING_INPUT" }), s.now)).toEqual({ num_tasks: -1 });
    expectSameListing(s, args({ limit: false }));
    expectSameListing(s, args({ maxShownTasks: 5 }));
  });

  test("hostile ids, families, params, workers, statuses, resources and messages", () => {
    const s = new Sched();
    HOSTILE_STRINGS.forEach((text, i) => {
      const params = Object.create(null) as Record<string, unknown>;
      params[text] = text;
      params.other = i % 2 ? { nested: [text, i, null, true] } : i;
      params.__proto__ = { polluted: 1 };
      const resources = Object.create(null) as Record<string, number>;
      resources[text] = i;
      s.add(`${text}#${i}`, `worker ${text}`, { family: text, params, resources, priority: i, trackingUrl: text });
      s.add(text, `worker ${text}`, { family: `F${i}`, params: { p: text }, paramVisibilities: { p: i % 3 } });
    });
    s.engine.setTaskStatusMessage({ taskId: "__proto__", statusMessage: 'msg "\u2028\ud800' }, s.now);
    s.engine.setTaskProgressPercentage({ taskId: "__proto__", progressPercentage: 12.5 }, s.now);
    expectSameListing(s);
    expectSameListing(s, args({ status: "PENDING" }));
    expectSameListing(s, args({ search: "lone" }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("pretty ids stay right on every later listing (they are cached by params map)", () => {
    const s = new Sched();
    // No params: tasks of two families share one empty map.
    s.add("A1", "w", { family: "A" }).add("B1", "w", { family: "B" }).add("A2", "w", { family: "A" });
    // Params hidden only after the first listing, by a later add_task.
    s.add("P", "w", { family: "P", params: { a: "1", b: "2" } });
    // A family given only after the params.
    s.add("Q", "w", { family: "", params: { x: "1" } });
    // Two families whose names are prefixes of each other, and a pretty id that needs escaping.
    s.add("F1", "w", { family: "F", params: { k: "v" } }).add("FF1", "w", { family: "FF", params: { k: "v" } });
    s.add("E", "w", { family: "E", params: { q: 'say "hi" ☃' } });
    expectSameListing(s);
    expectSameListing(s);
    s.add("P", "w", { paramVisibilities: { b: 2 } });
    s.add("Q", "w", { family: "Qfam" });
    const names = (taskList(s.engine, args(), s.now) as Record<string, { display_name?: string }>);
    expect(names.P?.display_name).toBe("P(a=1)");
    expect(names.Q?.display_name).toBe("Qfam(x=1)");
    expectSameListing(s);
    expectSameListing(s);
  });

  test("the cached pretty id is invisible in the task's params: keys, JSON, copies and the exported state are as given", () => {
    const s = new Sched();
    s.add("D", "w", { family: "Daily", params: { day: "mon", n: 3 } });
    const params = s.engine.getTask("D")!.params;
    newBytes(s, args());
    expect(newBytes(s, args())).toContain('"display_name":"Daily(day=mon, n=3)"');
    expect(Object.keys(params)).toEqual(["day", "n"]);
    expect(JSON.stringify(params)).toBe('{"day":"mon","n":3}');
    expect(Object.getOwnPropertySymbols({ ...params })).toEqual([]);
    expect(Object.getOwnPropertySymbols(Object.assign({}, params))).toEqual([]);
    expect(JSON.stringify(s.engine.exportState().tasks.find((t) => t.id === "D")?.params)).toBe('{"day":"mon","n":3}');
  });

  test("array-index ids come first in numeric order, as JSON.stringify orders an object's keys", () => {
    const s = new Sched();
    for (const id of ["b", "10", "a", "2", "01", "4294967295", "4294967294", "0"]) s.add(id, "w", { family: "F" });
    expectSameListing(s);
    const keys = Object.keys((JSON.parse(newBytes(s, args())) as { response: object }).response);
    expect(keys).toEqual(["0", "2", "10", "4294967294", "b", "a", "01", "4294967295"]);
  });

  test("non-finite priorities and resources become null, as the wire accepts them", () => {
    const s = new Sched();
    s.add("Inf", "w", { family: "F", priority: Infinity, resources: { r: -Infinity } });
    s.add("NaN", "w", { family: "F", priority: NaN, resources: { r: NaN } });
    s.add("Neg0", "w", { family: "F", priority: -0 });
    expectSameListing(s);
    expect(newBytes(s, args())).toContain('"priority":null');
  });

  test("every status: running (messages, resources running), disabled (re_enable_able), done, failed, batch", () => {
    const s = new Sched({ retryCount: 2, disableWindow: 100, disablePersist: 50 });
    s.resources({ r: 5 });
    s.add("Run", "w1", { family: "F", resources: { r: 2 }, acceptsMessages: true, trackingUrl: "http://x/\"y\"" });
    expect(s.work("w1")).toBe("Run");
    s.add("Fail", "w2", { family: "F" });
    s.fail("Fail", "w2");
    s.add("Done", "w2", { family: "F" });
    s.done("Done", "w2");
    s.add("Dis", "w2", { family: "F" });
    s.fail("Dis", "w2");
    s.fail("Dis", "w2");
    s.add("Blocked", "w3", { family: "F", deps: ["Fail"] });
    s.batcher("w4", "B", ["p"]);
    s.add("B1", "w4", { family: "B", params: { p: "1" }, batchable: true });
    s.add("B2", "w4", { family: "B", params: { p: "2" }, batchable: true });
    s.getWork("w4");
    s.engine.setTaskStatusMessage({ taskId: "Run", statusMessage: "half way" }, s.now);
    s.engine.setTaskProgressPercentage({ taskId: "Run", progressPercentage: 50 }, s.now);
    // The listing below really holds every kind of task it claims to.
    expect(["Run", "Fail", "Done", "Dis", "Blocked", "B1"].map((id) => s.status(id))).toEqual(["RUNNING", "FAILED", "DONE", "DISABLED", "PENDING", "BATCH_RUNNING"]);
    expect(newBytes(s, args({ status: "DISABLED" }))).toContain('"re_enable_able":');
    expect(newBytes(s, args({ status: "RUNNING" }))).toContain('"accepts_messages":true');
    expectSameListing(s);
    for (const status of ["RUNNING", "FAILED", "DONE", "DISABLED", "PENDING", "BATCH_RUNNING"]) expectSameListing(s, args({ status }));
    expectSameListing(s, args({ status: "PENDING", upstreamStatus: "UPSTREAM_FAILED" }));
    const noMessages = new Sched({ sendMessages: false });
    noMessages.add("Run", "w", { family: "F", acceptsMessages: true });
    noMessages.work("w");
    expectSameListing(noMessages);
  });

  test("a record holding values of unexpected types reads as JSON.stringify writes them", () => {
    const s = new Sched();
    s.add("Odd", "w", { family: "F", params: { a: "1" } });
    const task = s.engine.getTask("Odd") as TaskRecord;
    const odd = task as unknown as Record<string, unknown>;
    odd.trackingUrl = undefined;
    odd.statusMessage = { text: "an object" };
    odd.priority = "7";
    odd.resources = [1, 2];
    odd.resourcesRunning = new Date(0);
    expectSameListing(s);
  });

  test("a listing past a megabyte is one gzip member, written in chunks, that decodes to the same bytes", () => {
    const s = new Sched();
    for (let i = 0; i < 3000; i++) s.add(`Task_${i}_${"x".repeat(i % 50)}`, `w${i % 7}`, { family: `F${i % 3}`, params: { i: String(i), q: 'a"b' }, priority: i });
    const reply = taskListJson(s.engine, args(), s.now);
    expect(reply).toBeInstanceOf(JsonReply);
    const gz = (reply as JsonReply).body;
    expect((reply as JsonReply).gzipped).toBe(true);
    expect([gz[0], gz[1], gz[2]]).toEqual([0x1f, 0x8b, 8]);
    const expected = oldBytes(s, args());
    expect(expected.length).toBeGreaterThan(1 << 20);
    // Bun.gunzipSync checks the CRC-32 and length in the trailer.
    expect(decoder.decode(Bun.gunzipSync(gz))).toBe(expected);
    expect(gz.length).toBeLessThan(expected.length / 5);
    expect(JSON.stringify({ response: reply })).toBe(JSON.stringify(JSON.parse(expected)));
  });

  test("the wire table answers with the serialised reply, and JSON.stringify of it gives the same value", () => {
    const s = new Sched();
    for (const text of HOSTILE_STRINGS) s.add(`T ${text}`, "w", { family: "F", params: { p: text } });
    const reply = dispatch(s.engine, "task_list", { status: "PENDING" }, s.now);
    expect(reply).toBeInstanceOf(JsonReply);
    const expected = oldBytes(s, args({ status: "PENDING" }));
    expect(decoder.decode((reply as JsonReply).envelope())).toBe(expected);
    expect(JSON.stringify({ response: reply })).toBe(JSON.stringify(JSON.parse(expected)));
  });
});
