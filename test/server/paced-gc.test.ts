/**
 * Young collections paced by calls (src/server/paced-gc.ts): one after every
 * `every` calls, run after the call that reached the count, never two queued
 * at once, and none while no calls come.
 */
import { describe, expect, test } from "bun:test";
import { PacedCollector } from "../../src/server/paced-gc.ts";

function paced(every: number) {
  const state = { collections: 0, deferred: [] as Array<() => void> };
  const c = new PacedCollector({ every, collect: () => state.collections++, defer: (run) => state.deferred.push(run) });
  const calls = (n: number) => {
    for (let i = 0; i < n; i++) c.onCall();
  };
  const turn = () => state.deferred.splice(0).forEach((run) => run());
  return { state, calls, turn };
}

describe("young collections paced by calls", () => {
  test("one after every `every` calls, on a later turn, not inside the call", () => {
    const { state, calls, turn } = paced(320);
    calls(319);
    turn();
    expect(state.collections).toBe(0);
    calls(1);
    expect(state.collections).toBe(0);
    turn();
    expect(state.collections).toBe(1);
    calls(640);
    turn();
    expect(state.collections).toBe(2);
  });

  test("calls that arrive before the queued collection ran do not queue a second one", () => {
    const { state, calls, turn } = paced(10);
    calls(10);
    calls(25);
    expect(state.deferred.length).toBe(1);
    turn();
    expect(state.collections).toBe(1);
    // The count went on while one was queued: the next collection comes as soon as calls resume.
    calls(1);
    turn();
    expect(state.collections).toBe(2);
  });

  test("no calls, no collections", () => {
    const { state, turn } = paced(320);
    for (let i = 0; i < 100; i++) turn();
    expect(state.collections).toBe(0);
  });
});
