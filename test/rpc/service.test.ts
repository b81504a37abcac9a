/**
 * SchedulerService.call, the path of every RPC: the reply waits for the
 * durable listeners, one after another; listeners hear what the engine did
 * even when the call fails; observers learn whether it succeeded.
 */
import { describe, expect, test } from "bun:test";
import { defaultConfig } from "../../src/config/defaults.ts";
import { Engine } from "../../src/engine/engine.ts";
import { FakeClock } from "../../src/lib/clock.ts";
import { type EngineListener, SchedulerService } from "../../src/rpc/service.ts";

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(error: Error): void;
}

function gate(): Gate {
  let open = () => {};
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

function setup() {
  const service = new SchedulerService(new Engine(defaultConfig().engine), new FakeClock());
  const log: string[] = [];
  const gates: Gate[] = [];
  const durable = (name: string): EngineListener => ({
    name,
    onChange: (events) => log.push(`${name}:change:${events.length}`),
    flush: () => {
      log.push(`${name}:flush`);
      const g = gate();
      gates.push(g);
      return g.promise;
    },
  });
  service.addListener(durable("a"));
  service.addListener({ name: "plain", onChange: () => log.push("plain:change") });
  service.addListener(durable("b"));
  const observed: Array<[string, boolean]> = [];
  service.observeCalls((method, seconds, ok) => {
    expect(seconds).toBeGreaterThanOrEqual(0);
    observed.push([method, ok]);
  });
  return { service, log, gates, observed };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("SchedulerService.call", () => {
  test("resolves only once every durable listener has flushed, one after the other", async () => {
    const { service, log, gates, observed } = setup();
    let reply: unknown = "pending";
    const call = service.call("add_task", { worker: "W", task_id: "A", status: "PENDING" }).then((value) => (reply = value));
    expect(log).toEqual(["a:change:1", "plain:change", "b:change:1", "a:flush"]);
    gates[0]!.open();
    await settled();
    expect(log.at(-1)).toBe("b:flush");
    expect(reply).toBe("pending");
    expect(observed).toEqual([]);
    gates[1]!.open();
    await call;
    expect(reply).toBeNull();
    expect(observed).toEqual([["add_task", true]]);
  });

  test("an engine error rejects the call, still reaches the listeners, waits for no flush, and is observed as failed", async () => {
    const { service, log, observed } = setup();
    await expect(service.call("no_such_method", {})).rejects.toThrow();
    expect(log).toEqual(["a:change:0", "plain:change", "b:change:0"]);
    expect(observed).toEqual([["no_such_method", false]]);
  });

  test("a failed flush rejects the call with its error and is observed as failed", async () => {
    const { service, gates, observed } = setup();
    const call = service.call("ping", { worker: "W" });
    gates[0]!.fail(new Error("disk full"));
    await expect(call).rejects.toThrow("disk full");
    expect(gates).toHaveLength(1);
    expect(observed).toEqual([["ping", false]]);
  });
});
