/**
 * startServer in process: listeners, the prune timer, and a shutdown that
 * drains requests in flight (bounded) and runs once however often it is asked.
 */
import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { startServer } from "../../src/server/start.ts";
import { StartupError } from "../../src/server/startup-error.ts";
import { endOnShutdown } from "../../src/server/streams.ts";
import { testConfig } from "../support/app.ts";
import { rpc, rpcRaw } from "../support/rpc.ts";

const start = (options: Parameters<typeof startServer>[1] = {}) =>
  startServer(testConfig(), { address: "127.0.0.1", port: 0, log: silentLogger, ...options });

describe("startServer", () => {
  test("serves /api on the bound port and reports it", async () => {
    const server = await start();
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.context.readiness.ready).toBe(true);
      expect(await rpc(`http://127.0.0.1:${server.port}`, "is_paused")).toEqual({ paused: false });
    } finally {
      await server.stop();
    }
  });

  test("the prune timer prunes: a silent worker is dropped once the clock passes worker_disconnect_delay", async () => {
    const clock = new FakeClock(1_000);
    const server = await start({ clock, pruneIntervalMs: 10 });
    try {
      await rpc(`http://127.0.0.1:${server.port}`, "add_worker", { worker: "w1", info: {} });
      expect([...server.engine.workers()].map((w) => w.id)).toEqual(["w1"]);
      clock.advance(server.engine.config.workerDisconnectDelay + 1);
      const deadline = Date.now() + 2000;
      while ([...server.engine.workers()].length > 0 && Date.now() < deadline) await Bun.sleep(10);
      expect([...server.engine.workers()]).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  test("stop lets a request in flight finish, then closes; calling it twice is one shutdown", async () => {
    const server = await start();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let closes = 0;
    server.service.addListener({ name: "slow", onChange() {}, flush: () => held, close: () => void closes++ });
    const url = `http://127.0.0.1:${server.port}`;
    const inFlight = rpcRaw(url, "pause");
    await Bun.sleep(50);
    const first = server.stop();
    const second = server.stop();
    expect(second).toBe(first);
    release();
    expect((await inFlight).status).toBe(200);
    await first;
    expect(closes).toBe(1);
    expect(server.context.readiness.ready).toBe(false);
    await expect(fetch(`${url}/api/is_paused`)).rejects.toThrow();
  });

  test("a request that never finishes is cut after drainTimeoutMs", async () => {
    const server = await start({ drainTimeoutMs: 100 });
    server.service.addListener({ name: "stuck", onChange() {}, flush: () => new Promise(() => {}) });
    const inFlight = rpcRaw(`http://127.0.0.1:${server.port}`, "pause").catch((error: unknown) => error);
    await Bun.sleep(50);
    const started = performance.now();
    await server.stop();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await inFlight).toBeInstanceOf(Error);
  });

  test("a busy port is a StartupError", async () => {
    const first = await start();
    try {
      await expect(start({ port: first.port as number })).rejects.toThrow(StartupError);
    } finally {
      await first.stop();
    }
  });
});

describe("long-lived responses at shutdown", () => {
  test("endOnShutdown passes bytes through and ends the stream (cancelling the source) on abort", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("event: version\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    const closing = new AbortController();
    const reader = endOnShutdown(source, closing.signal).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("event: version\n\n");
    const next = reader.read();
    closing.abort();
    expect((await next).done).toBe(true);
    expect(cancelled).toBe(true);
  });

  test("an open event stream (the visualiser's live updates) does not hold shutdown to the drain timeout", async () => {
    const server = await start({ drainTimeoutMs: 10_000 });
    const response = await fetch(`http://127.0.0.1:${server.port}/ui-api/events`);
    expect(response.headers.get("Content-Type")).toStartWith("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const started = performance.now();
    await server.stop();
    expect(performance.now() - started).toBeLessThan(2000);
    let done = false;
    while (!done) done = (await reader.read()).done;
  });
});
