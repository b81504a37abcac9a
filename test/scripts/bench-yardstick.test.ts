import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { Client, Latencies } from "../../scripts/bench/client.ts";
import { freePort } from "../../scripts/bench/support.ts";

const script = join(import.meta.dir, "..", "..", "scripts", "bench", "bare-server.ts");

describe("the machine scenario's yardstick server", () => {
  let proc: Subprocess<"ignore", "pipe", "pipe">;
  let base = "";

  beforeAll(async () => {
    const port = await freePort();
    proc = Bun.spawn([process.execPath, script, String(port)], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const first = await proc.stdout.pipeThrough(new TextDecoderStream()).getReader().read();
    expect(first.value).toStartWith("ready");
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    proc.kill();
    await proc.exited;
  });

  test("answers the benchmark's RPCs, from both of its clients, with a small RPC reply", async () => {
    const latencies = new Latencies();
    for (const kind of ["fetch", "socket"] as const) {
      const client = new Client(base, latencies, kind);
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
