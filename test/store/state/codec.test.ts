import { describe, expect, test } from "bun:test";
import {
  DecodeError,
  decodeBatchers,
  decodeJson,
  decodeTask,
  decodeWorker,
  encodeBatchers,
  encodeJson,
  encodeTask,
  encodeWorker,
} from "../../../src/store/state/codec.ts";
import { CompactSet } from "../../../src/engine/compact-set.ts";
import { bareTask, bareWorker, fullTask, fullWorker } from "./fake-source.ts";

describe("task documents", () => {
  test("every field of a fully populated task survives, Sets included and in order", () => {
    const task = fullTask("T(a=1)");
    const back = decodeTask(encodeTask(task));
    expect(back).toEqual(task);
    expect([...back.workers]).toEqual(["w2", "w1"]);
    expect(back.deps).toBeInstanceOf(Set);
    expect(Object.keys(back).sort()).toEqual(Object.keys(task).sort());
  });

  test("a task at its initial values survives (nulls stay nulls)", () => {
    const task = bareTask("Bare__99914b932b");
    expect(decodeTask(encodeTask(task))).toEqual(task);
  });

  test("non-finite numbers in typed fields and in free-form values survive", () => {
    const task = {
      ...fullTask("inf"),
      priority: Infinity,
      retryPolicy: { retryCount: Infinity, disableHardTimeout: -Infinity, disableWindow: NaN },
      resources: { cpu: Infinity },
      params: { big: Infinity, list: [NaN, -Infinity, 1] },
    };
    const text = encodeTask(task);
    expect(() => JSON.parse(text)).not.toThrow();
    const back = decodeTask(text);
    expect(back.priority).toBe(Infinity);
    expect(back.retryPolicy.retryCount).toBe(Infinity);
    expect(back.retryPolicy.disableHardTimeout).toBe(-Infinity);
    expect(back.retryPolicy.disableWindow).toBeNaN();
    expect(back.resources.cpu).toBe(Infinity);
    expect(back.params).toEqual({ big: Infinity, list: [NaN, -Infinity, 1] });
  });

  test("lists and maps stored as they are still encode non-finite numbers and hostile keys, and are left untouched", () => {
    const resources: Record<string, number> = { gpu: 2 };
    Object.defineProperty(resources, "__proto__", { value: 3, enumerable: true });
    const task = { ...fullTask("lists"), failures: [1700000000.5, NaN], resourcesRunning: { db: -Infinity }, resources };
    const back = decodeTask(encodeTask(task));
    expect(back.failures[0]).toBe(1700000000.5);
    expect(back.failures[1]).toBeNaN();
    expect(back.resourcesRunning).toEqual({ db: -Infinity });
    expect(Object.getOwnPropertyDescriptor(back.resources, "__proto__")?.value).toBe(3);
    expect(back.resources.gpu).toBe(2);
    expect(Object.getPrototypeOf(back.resources)).toBe(Object.prototype);
    // Encoding copies nothing in the common case, so it must not change what it was given.
    expect(task.failures).toHaveLength(2);
    expect(Object.keys(task.resourcesRunning!)).toEqual(["db"]);
  });

  test("the engine's compact sets (empty, one id, a few, many) encode in order", () => {
    const many = Array.from({ length: 12 }, (_, i) => `d${11 - i}`);
    const task = { ...fullTask("sets"), deps: new CompactSet(many), stakeholders: new CompactSet(["w1"]), workers: new CompactSet([]) };
    const back = decodeTask(encodeTask(task));
    expect([...back.deps]).toEqual(many);
    expect([...back.stakeholders]).toEqual(["w1"]);
    expect(back.workers.size).toBe(0);
    const few = decodeTask(encodeTask({ ...task, deps: new CompactSet(["b", "a", "c"]) }));
    expect([...few.deps]).toEqual(["b", "a", "c"]);
  });

  test("hostile keys cannot forge a tag or touch prototypes", () => {
    const params: Record<string, unknown> = { $n: "Infinity", $$x: 1, "$": 2, nested: { $n: "NaN" } };
    Object.defineProperty(params, "__proto__", { value: { polluted: true }, enumerable: true });
    const back = decodeTask(encodeTask({ ...fullTask("h"), params })).params;
    expect(back.$n).toBe("Infinity");
    expect(back.$$x).toBe(1);
    expect(back.$).toBe(2);
    expect(back.nested).toEqual({ $n: "NaN" });
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("free-form values round-trip through encodeJson/decodeJson", () => {
    const value = { a: [1, "x", null, false, { b: Infinity }], $c: { $n: 1 } };
    expect(decodeJson(JSON.parse(JSON.stringify(encodeJson(value))))).toEqual(value);
  });

  test("a document with a wrong type is rejected with the field named", () => {
    const doc = JSON.parse(encodeTask(fullTask("bad")));
    doc[2] = "not a list"; // deps
    expect(() => decodeTask(JSON.stringify(doc))).toThrow(new DecodeError("deps: expected a list of strings"));
    const wrong = JSON.parse(encodeTask(fullTask("bad")));
    wrong[1] = 5; // status
    expect(() => decodeTask(JSON.stringify(wrong))).toThrow(/status: expected a string/);
    const policy = JSON.parse(encodeTask(fullTask("bad")));
    policy[20] = { retryCount: 1 };
    expect(() => decodeTask(JSON.stringify(policy))).toThrow(/retryPolicy.disableHardTimeout: expected a number/);
    expect(() => decodeTask(JSON.stringify(doc.slice(1)))).toThrow(/task: expected a list of 32 fields/);
    expect(() => decodeTask("{not json")).toThrow();
  });

  test("free-form values without tags are stored as they are", () => {
    const doc = JSON.parse(encodeTask(fullTask("plain")));
    expect(doc[17]).toEqual(fullTask("plain").params);
  });
});

describe("worker documents", () => {
  test("every field survives", () => {
    const worker = fullWorker("Worker(salt=123456789, workers=4, host=h, username=u, pid=1)");
    expect(decodeWorker(encodeWorker(worker))).toEqual(worker);
    expect(decodeWorker(encodeWorker(bareWorker("w")))).toEqual(bareWorker("w"));
  });

  test("a worker with a broken message queue is rejected", () => {
    const doc = JSON.parse(encodeWorker(fullWorker("w")));
    doc[7] = [{ name: "x" }];
    expect(() => decodeWorker(JSON.stringify(doc))).toThrow(/rpcMessages\[\]\.kwargs: expected an object/);
  });
});

test("task batchers keep an unlimited batch size", () => {
  const batchers = [
    { worker: "w1", family: "Partition", entry: { batchedArgs: ["day"], maxBatchSize: 3 } },
    { worker: "w1", family: "Snapshot", entry: { batchedArgs: ["version"], maxBatchSize: Infinity } },
  ];
  expect(decodeBatchers(encodeBatchers(batchers))).toEqual(batchers);
});
