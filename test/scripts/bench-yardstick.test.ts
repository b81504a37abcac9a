import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client, Latencies } from "../../scripts/bench/client.ts";
import { startBareServer } from "../../scripts/bench/support.ts";

const script = join(import.meta.dir, "..", "..", "scripts", "bench", "bare-server.ts");

describe("the machine scenario's yardstick server", () => {
  let server: { base: string; stop(): Promise<void> };

  beforeAll(async () => {
    server = await startBareServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  test("answers the benchmark's RPCs, from both of its clients, with a small RPC reply", async () => {
    const latencies = new Latencies();
    for (const kind of ["fetch", "socket"] as const) {
      const client = new Client(server.base, latencies, kind);
      expect(await client.call("ping", { worker: "yardstick" })).toEqual({ status: "ok" });
    }
    expect(latencies.calls).toBe(2);
  });

  test("refuses to start without a port", async () => {
    const bad = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "pipe" });
    expect(await bad.exited).not.toBe(0);
    expect(await new Response(bad.stderr).text()).toContain("usage: bare-server.ts PORT");
  });
});
