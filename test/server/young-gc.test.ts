/**
 * Young collections on a call count (src/server/young-gc.ts): one every N
 * calls of the service, whatever their outcome, a full one after a restore
 * that brought tasks back, and none once stopped.
 */
import { describe, expect, test } from "bun:test";
import { defaultConfig } from "../../src/config/defaults.ts";
import { Engine } from "../../src/engine/engine.ts";
import { FakeClock } from "../../src/lib/clock.ts";
import { SchedulerService } from "../../src/rpc/service.ts";
import { collectYoungEvery, EVERY_CALLS, YoungCollector } from "../../src/server/young-gc.ts";

function counting(everyCalls?: number) {
  const state = { collections: 0, full: 0 };
  const collector = new YoungCollector({ everyCalls, collect: () => state.collections++, collectAll: () => state.full++ });
  return { state, collector };
}

describe("young collections every few hundred calls", () => {
  test("the default spacing is 500 calls: the 500th call collects, the 499 before it do not", () => {
    const { state, collector } = counting();
    expect(EVERY_CALLS).toBe(500);
    for (let i = 0; i < 499; i++) collector.onCall();
    expect(state.collections).toBe(0);
    collector.onCall();
    expect(state.collections).toBe(1);
    for (let i = 0; i < 1000; i++) collector.onCall();
    expect(state.collections).toBe(3);
  });

  test("a restore that brought tasks back runs one full collection; an empty start none", () => {
    const restored = counting(10);
    restored.collector.afterRestore(1_000_000);
    expect(restored.state).toEqual({ collections: 0, full: 1 });
    const empty = counting(10);
    empty.collector.afterRestore(0);
    expect(empty.state).toEqual({ collections: 0, full: 0 });
  });

  test("once stopped, no call collects", () => {
    const { state, collector } = counting(2);
    collector.onCall();
    collector.onCall();
    collector.stop();
    for (let i = 0; i < 10; i++) collector.onCall();
    expect(state.collections).toBe(1);
  });

  test("the service's calls are what is counted, failed ones included", async () => {
    const service = new SchedulerService(new Engine(defaultConfig().engine), new FakeClock());
    let collections = 0;
    const stop = collectYoungEvery(service, 0, { everyCalls: 3, collect: () => collections++, collectAll: () => collections++ });
    await service.call("ping", { worker: "w" });
    await service.call("add_task", { worker: "w", task_id: "A", status: "PENDING" });
    expect(collections).toBe(0);
    await expect(service.call("add_task", { worker: "w", task_id: 7 })).rejects.toThrow();
    expect(collections).toBe(1);
    stop();
    for (let i = 0; i < 6; i++) await service.call("ping", { worker: "w" });
    expect(collections).toBe(1);
  });

  test("the default collection is a real young collection: an object dropped before it is finalised after it", async () => {
    let finalised = 0;
    const registry = new FinalizationRegistry(() => finalised++);
    dropOne(registry);
    new YoungCollector({ everyCalls: 1 }).onCall();
    for (let i = 0; i < 5 && finalised === 0; i++) await Bun.sleep(0);
    expect(finalised).toBe(1);
  });
});

/** In a frame of its own, so that nothing on the test's stack still points at the object. */
function dropOne(registry: FinalizationRegistry<void>): void {
  registry.register({ payload: new Array(64).fill(0) }, undefined);
}
