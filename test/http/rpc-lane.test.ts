/**
 * The RPC lane (src/http/api.ts rpcLane) answers the calls Luigi's workers
 * make without Hono; everything else goes to Hono's /api route. Which requests
 * it takes, that its answers are the route's answers byte for byte, and that
 * auth or CORS turn it off.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { rpcLane } from "../../src/http/api.ts";
import { createLogger } from "../../src/lib/log.ts";
import { createTestApp } from "../support/app.ts";

const URLENCODED = "application/x-www-form-urlencoded";

/** A POST as Python's requests sends it: urlencoded, with its length declared. */
function workerPost(method: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1:8082/api/${method}`, {
    method: "POST",
    body,
    headers: { "Content-Type": URLENCODED, "Content-Length": String(Buffer.byteLength(body)), "Accept-Encoding": "gzip, deflate", ...headers },
  });
}

/** The same request without a declared length, which the lane leaves to Hono's route. */
function withoutLength(request: Request, body: string): Request {
  const headers = new Headers(request.headers);
  headers.delete("Content-Length");
  return new Request(request.url, { method: request.method, body, headers });
}

const data = (value: unknown) => `data=${encodeURIComponent(JSON.stringify(value))}`;

describe("which requests the lane takes", () => {
  const t = createTestApp();
  const lane = rpcLane(t.context, false)!;

  test("a worker's call: POST, urlencoded, declared length, a known method", () => {
    expect(lane(workerPost("ping", data({ worker: "w" })))).toBeInstanceOf(Promise);
    expect(lane(workerPost("ping", data({ worker: "w" }), { "Content-Type": "application/X-WWW-Form-Urlencoded; charset=UTF-8" }))).toBeInstanceOf(Promise);
  });

  test("anything else is left to Hono's route", () => {
    const body = data({ worker: "w" });
    const declined: Request[] = [
      new Request("http://127.0.0.1:8082/api/ping?data=%7B%7D", { method: "GET" }),
      withoutLength(workerPost("ping", body), body),
      workerPost("ping", body, { "Content-Type": "multipart/form-data; boundary=x" }),
      workerPost("ping", body, { "Content-Type": "text/plain" }),
      workerPost("ping", body, { "Content-Length": String(200 * 1024 * 1024) }),
      workerPost("no_such_method", body),
      new Request("http://127.0.0.1:8082/api/ping?data=%7B%7D", { method: "POST", body: "x=1", headers: { "Content-Type": URLENCODED, "Content-Length": "3" } }),
      workerPost("", body),
      new Request("http://127.0.0.1:8082/history", { method: "POST", body, headers: { "Content-Type": URLENCODED, "Content-Length": String(body.length) } }),
    ];
    for (const request of declined) expect(lane(request)).toBeUndefined();
  });

  test("auth or CORS configured: no lane, their checks are Hono middleware", () => {
    expect(rpcLane(t.context, true)).toBeUndefined();
    const cors = createTestApp({ config: { cors: { enabled: true } } });
    expect(rpcLane(cors.context, false)).toBeUndefined();
  });
});

describe("the lane answers as Hono's route does", () => {
  // Two apps with the same history of calls: one answers through the lane, one through the route.
  const viaLane = createTestApp();
  const viaRoute = createTestApp();
  const lane = rpcLane(viaLane.context, false)!;
  beforeAll(async () => {
    for (const t of [viaLane, viaRoute]) {
      for (let i = 0; i < 300; i++) await t.rpc("add_task", { worker: "w", task_id: `T_${i}`, status: "PENDING", family: "T", params: { i: String(i), pad: "x".repeat(20) } });
    }
  });

  const bodies: Array<[string, string]> = [
    ["ping", data({ worker: "w" })],
    ["get_work", data({ worker: "w", host: "h", assistant: false, current_tasks: [] })],
    ["add_task", data({ worker: "w", task_id: "T_1", status: "DONE" })],
    ["add_task", data({ worker: "w", task_id: "T_2", status: "NOT_A_STATUS" })],
    ["add_task", data({ worker: 7, task_id: ["x"] })],
    ["ping", "data=%7Bnot json"],
    ["ping", data([1, 2])],
    ["ping", data(null)],
    ["ping", ""],
    ["ping", "x=1"],
    ["ping", "data=%20%01%02%20"],
    ["count_pending", data({ worker: "w" })],
    // Big enough to be gzipped (over 1 KB), as Python's requests asks for.
    ["task_list", data({ status: "PENDING", upstream_status: "", search: "" })],
  ];

  test.each(bodies)("%s with %p", async (method, body) => {
    const fromLane = await lane(workerPost(method, body))!;
    const fromRoute = await viaRoute.app.request(withoutLength(workerPost(method, body), body));
    expect(fromLane.status).toBe(fromRoute.status);
    for (const name of ["Content-Type", "Content-Encoding", "Vary"]) expect(fromLane.headers.get(name)).toBe(fromRoute.headers.get(name));
    expect(new Uint8Array(await fromLane.arrayBuffer())).toEqual(new Uint8Array(await fromRoute.arrayBuffer()));
  });

  test("the big listing above is gzipped on both ways", async () => {
    const body = data({ status: "PENDING", upstream_status: "", search: "" });
    const fromLane = await lane(workerPost("task_list", body))!;
    expect(fromLane.headers.get("Content-Encoding")).toBe("gzip");
  });
});

describe("through the app", () => {
  test("a worker's call goes through the lane and still gets its access-log line", async () => {
    const lines: string[] = [];
    const t = createTestApp({ context: { log: createLogger("luigi.server", { sink: (line) => lines.push(line) }) } });
    const response = await t.app.request(workerPost("ping", data({ worker: "w" })));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response: { rpc_messages: [] } });
    expect(lines.some((line) => /tornado\.access\[\d+\] INFO: 200 POST \/api\/ping \(\) \d+\.\d\dms$/.test(line))).toBe(true);
    const bad = await t.app.request(workerPost("ping", "data=%7Bnope"));
    expect(bad.status).toBe(400);
    expect(lines.some((line) => line.includes("WARNING: 400 POST /api/ping"))).toBe(true);
  });

  test("an unexpected error in the lane, not Hono's handler, is a logged 500 with a JSON reason, and the next call is answered", async () => {
    const lines: string[] = [];
    const t = createTestApp({ context: { log: createLogger("luigi.server", { sink: (line) => lines.push(line) }) } });
    const original = t.service.call.bind(t.service);
    t.service.call = (() => Promise.reject(new TypeError("boom in the engine"))) as typeof t.service.call;
    // Hono's error handler would answer 599: the lane answers on its own.
    t.app.onError(() => new Response("via Hono", { status: 599 }));
    expect((await t.app.request(withoutLength(workerPost("ping", data({ worker: "w" })), data({ worker: "w" })))).status).toBe(599);
    const response = await t.app.request(workerPost("ping", data({ worker: "w" })));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "INTERNAL", message: "internal error; see the scheduler log" } });
    expect(lines.some((line) => line.includes("Uncaught exception POST http://127.0.0.1:8082/api/ping"))).toBe(true);
    t.service.call = original;
    expect((await t.app.request(workerPost("ping", data({ worker: "w" })))).status).toBe(200);
  });
});
