/**
 * get_work's resource rules (rpc.md §3.6, §6.3): capacities, actual use and
 * the greedy reservations made for higher-ranked work of active workers.
 * Each case is a behaviour Luigi's scheduler_api_test pins.
 */
import { describe, expect, test } from "bun:test";
import { Sched } from "./helpers.ts";

const W = "myworker";
const direct = { currentTasks: null };

type Case = [name: string, run: (s: Sched) => void];

const cases: Case[] = [
  ["an unconfigured resource has capacity one", (s) => {
    s.add("A", "X", { resources: { R1: 1 } });
    expect(s.work("X", direct)).toBe("A");
  }],
  ["a task needing two of an unconfigured resource never runs", (s) => {
    s.add("A", "X", { resources: { R1: 2 } });
    expect(s.work("X", direct)).toBeNull();
  }],
  ["insufficient capacity blocks the task", (s) => {
    s.add("A", "X", { resources: { R1: 3 } }).resources({ R1: 2 });
    expect(s.work("X", direct)).toBeNull();
  }],
  ["sufficient capacity lets the task run", (s) => {
    s.add("A", "X", { resources: { R1: 3 } }).resources({ R1: 3 });
    expect(s.work("X", direct)).toBe("A");
  }],
  ["a resource in use by a running task is not handed out twice", (s) => {
    s.add("A", "X", { resources: { R1: 1 } });
    expect(s.work("X", direct)).toBe("A");
    s.add("B", "Y", { resources: { R1: 1 } }).resources({ R1: 1 });
    expect(s.work("Y", direct)).toBeNull();
  }],
  ["over-use of one resource does not block tasks needing another", (s) => {
    s.add("A", "X", { resources: { R1: 2 } }).resources({ R1: 2 });
    expect(s.work("X", direct)).toBe("A");
    s.add("B", "Y", { resources: { R2: 2 } }).resources({ R1: 1, R2: 2 });
    expect(s.work("Y", direct)).toBe("B");
  }],
  ["an active worker's higher-priority task holds the resource back", (s) => {
    s.add("A", "X");
    expect(s.work("X", direct)).toBe("A");
    s.add("B", "X", { resources: { R: 1 }, priority: 10 }).add("C", "Y", { resources: { R: 1 }, priority: 1 }).resources({ R: 1 });
    expect(s.work("Y", direct)).toBeNull();
    s.add("D", "Y");
    expect(s.work("Y", direct)).toBe("D");
  }],
  ["a worker that never asked for work reserves nothing", (s) => {
    s.add("A", "X", { priority: 10 }).add("B", "X", { resources: { R: 1 }, priority: 5 }).add("C", "Y", { resources: { R: 1 }, priority: 1 });
    s.resources({ R: 1 }).addWorker("X", { workers: 1 });
    expect(s.work("Y", direct)).toBe("C");
  }],
  ["a ready worker with a free slot reserves for its higher-priority task", (s) => {
    s.getWork("X", direct);
    s.add("A", "X", { priority: 10 }).add("B", "X", { resources: { R: 1 }, priority: 5 }).add("C", "Y", { resources: { R: 1 }, priority: 1 });
    s.resources({ R: 1 }).addWorker("X", { workers: 2 }).addWorker("Y", {});
    expect(s.work("Y", direct)).toBeNull();
  }],
  ["a worker busy with higher-priority work reserves nothing more", (s) => {
    s.add("A", "X", { priority: 10 }).add("B", "X", { resources: { R: 1 }, priority: 5 }).add("C", "Y", { resources: { R: 1 }, priority: 1 });
    s.resources({ R: 1 }).addWorker("X", { workers: 1 });
    expect(s.work("X", direct)).toBe("A");
    expect(s.work("Y", direct)).toBe("C");
  }],
  ["a worker running lower-priority work still reserves for its higher-priority task", (s) => {
    s.add("A", "X", { priority: 4 });
    expect(s.work("X", direct)).toBe("A");
    s.add("B", "X", { resources: { R: 1 }, priority: 5 }).add("C", "Y", { resources: { R: 1 }, priority: 1 });
    s.resources({ R: 1 }).addWorker("X", { workers: 1 });
    expect(s.work("Y", direct)).toBeNull();
  }],
  ["the second worker's reservation limits the first worker", (s) => {
    s.getWork("Y", direct);
    s.add("A", "X", { resources: { R: 1 } }).add("B", "X", { resources: { R: 1 } }).add("C", "Y", { resources: { R: 1 }, priority: 10 });
    s.addWorker("X", { workers: 2 }).addWorker("Y", { workers: 1 }).resources({ R: 2 });
    expect(s.work("X", direct)).toBe("A");
    expect(s.work("X", direct)).toBeNull();
  }],
  ["lower-priority work without the resource runs while waiting for it", (s) => {
    s.add("A", "X", { resources: { R: 1 } });
    expect(s.work("X", direct)).toBe("A");
    s.add("B", "Y", { resources: { R: 1 }, priority: 10 }).add("C", "Y").resources({ R: 1 });
    expect(s.work("Y", direct)).toBe("C");
  }],
  ["a resource change on a re-added task unblocks it", (s) => {
    s.add("A", W, { deps: ["B"] }).add("B", W, { resources: { r: 2 } }).resources({ r: 1 });
    expect(s.order(W)).toEqual([]);
    s.add("B", W, { resources: { r: 1 } });
    expect(s.order(W)).toEqual(["B", "A"]);
  }],
  ["several resources are checked together", (s) => {
    s.add("A", W, { resources: { r1: 1, r2: 1 } }).add("B", W, { resources: { r1: 1, r2: 1 } }).add("C", W, { resources: { r1: 1 } });
    s.resources({ r1: 2, r2: 1 });
    expect(s.work(W, direct)).toBe("A");
    expect(s.order(W)).toEqual(["C"]);
  }],
  ["a worker waits for its higher-priority task's resource instead of starting a smaller one", (s) => {
    s.add("A", "X", { resources: { r: 1 } });
    expect(s.work("X", direct)).toBe("A");
    s.add("B", W, { resources: { r: 2 }, priority: 10 }).add("C", W, { resources: { r: 1 } }).resources({ r: 2 });
    expect(s.order(W)).toEqual([]);
  }],
  ["a task needing more than the capacity never blocks others", (s) => {
    s.add("A", W, { resources: { r: 2 }, priority: 10 }).add("B", W, { resources: { r: 1 } }).resources({ r: 1 });
    expect(s.order(W)).toEqual(["B"]);
  }],
  ["an active worker's task reserves every resource it needs", (s) => {
    s.getWork("X", direct);
    s.add("A", "X", { resources: { r1: 1, r2: 1 }, priority: 10 }).add("B", W, { resources: { r2: 1 } }).add("C", W, { resources: { r1: 1 } });
    s.resources({ r1: 1, r2: 1 });
    expect(s.order(W)).toEqual([]);
  }],
  ["a task that does not compete may go first", (s) => {
    s.add("A", W, { resources: { r1: 1 }, priority: 10 }).add("B", W, { resources: { r1: 1, r2: 1 }, priority: 10 }).add("C", W, { resources: { r2: 1 } });
    s.resources({ r1: 1, r2: 2 });
    expect(s.work(W, direct)).toBe("A");
    expect(s.order(W)).toEqual(["C"]);
  }],
  ["a running task keeps the resources it started with", (s) => {
    s.add("A1", W, { resources: { a: 1 }, priority: 10 }).add("A2", W, { resources: { a: 1 }, priority: 1 });
    expect(s.work(W, direct)).toBe("A1");
    expect(s.work(W, direct)).toBeNull();
    s.add("A1", "other", { resources: { b: 1 }, priority: 1 });
    expect(s.work(W, direct)).toBeNull();
  }],
  ["interleaved resource changes never run more than one task per resource", (s) => {
    for (let i = 0; i < 100; i++) s.add(`A${i}`, W, { resources: { a: 1 }, priority: 100 - i });
    for (let i = 0; i < 100; i++) {
      s.getWork(W, direct);
      s.add(`A${i}`, "other", { resources: { b: 1 }, priority: 100 - i });
    }
    expect(s.running().length).toBe(2);
  }],
  ["priorities decide the order", (s) => {
    s.add("A", W, { priority: 10 }).add("B", W, { priority: 5 }).add("C", W, { priority: 15 }).add("D", W, { priority: 9 });
    expect(s.order(W)).toEqual(["C", "A", "D", "B"]);
  }],
  ["equal priorities go oldest first", (s) => {
    s.add("B", W).add("A", W).add("C", W);
    expect(s.order(W)).toEqual(["B", "A", "C"]);
  }],
  ["a dependency inherits the priority of its dependents", (s) => {
    s.add("C", W, { deps: ["B"], priority: 100 }).add("B", W, { deps: ["A"] }).add("A", W).add("D", W, { priority: 10 });
    expect(s.order(W)).toEqual(["A", "B", "C", "D"]);
  }],
];

describe("get_work with resources and priorities", () => {
  for (const [name, run] of cases) test(name, () => run(new Sched({ retryDelay: 100, removeDelay: 1000, workerDisconnectDelay: 10, disablePersist: 10, disableWindow: 10, retryCount: 3, disableHardTimeout: 3600, stableDoneCooldownSecs: 0 })));
});
