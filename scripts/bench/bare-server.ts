/**
 * The yardstick of issue 3's "same kind of machine": a bare Bun server that
 * reads each POST's body and answers a small RPC reply, nothing else (no
 * engine, no state file, no access log). run.ts's `machine` scenario drives
 * it; what it answers per second says how fast this machine is at the moment,
 * next to the issue's reference (about 35,000 RPC/s to a fetch-based client).
 *
 *   bun scripts/bench/bare-server.ts PORT
 *
 * Prints "ready" once it listens, on 127.0.0.1 only.
 * @module
 */
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error("usage: bare-server.ts PORT");

Bun.serve({
  hostname: "127.0.0.1",
  port,
  async fetch(request) {
    await request.text();
    return Response.json({ response: { status: "ok" } });
  },
});
console.log("ready");
