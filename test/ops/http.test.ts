import { describe, expect, test } from "bun:test";
import { probeBeforeApp } from "../../src/http/ops/probes.ts";
import { createLogger } from "../../src/lib/log.ts";
import { type TestAppOptions, createTestApp } from "../support/app.ts";

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const form = (data: unknown) => new URLSearchParams({ data: JSON.stringify(data) });

function app(config: TestAppOptions["config"] = {}, ready = true) {
  const t = createTestApp({ config });
  t.context.readiness.ready = ready;
  return t;
}

describe("/healthz and /readyz", () => {
  test("healthz answers while starting; readyz only once ready", async () => {
    const t = app({}, false);
    expect((await t.app.request("/healthz")).status).toBe(200);
    const starting = await t.app.request("/readyz");
    expect(starting.status).toBe(503);
    expect(await starting.json()).toEqual({ status: "starting" });
    t.context.readiness.ready = true;
    expect((await t.app.request("/readyz")).status).toBe(200);
  });

  test("before the app exists (state restoring) the server answers alive-not-ready and lets the rest wait", async () => {
    const health = probeBeforeApp(new Request("http://h/healthz"));
    expect(health?.status).toBe(200);
    const ready = probeBeforeApp(new Request("http://h/readyz"));
    expect(ready?.status).toBe(503);
    expect(await ready?.json()).toEqual({ status: "starting" });
    expect(probeBeforeApp(new Request("http://h/api/is_paused"))).toBeNull();
    expect(probeBeforeApp(new Request("http://h/healthz", { method: "POST" }))).toBeNull();
  });

  test("probes need no credentials when auth is on", async () => {
    const t = app({ auth: { token: "t0ken-t0ken-t0ken-t0ken" } });
    expect((await t.app.request("/healthz")).status).toBe(200);
    expect((await t.app.request("/readyz")).status).toBe(200);
  });
});

describe("/metrics", () => {
  test("text exposition with the health families; Luigi's families with the prometheus collector", async () => {
    const plain = await app().app.request("/metrics");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await plain.text();
    expect(text).toContain("# TYPE luigid_workers gauge\nluigid_workers 0.0\n");
    expect(text).not.toContain("luigi_task_started_total");
    const prom = await app({ metricsCollector: "prometheus" }).app.request("/metrics");
    expect(await prom.text()).toContain("# HELP luigi_task_started_total number of started luigi tasks\n# TYPE luigi_task_started_total counter\n");
  });

  test("/metrics and the probes are read-only: other methods get 405", async () => {
    const t = app();
    for (const path of ["/metrics", "/healthz", "/readyz"]) {
      for (const method of ["POST", "PUT", "OPTIONS"]) expect([path, method, (await t.app.request(path, { method })).status]).toEqual([path, method, 405]);
    }
  });

  test("RPC latencies are observed per method", async () => {
    const t = app();
    await t.call("is_paused", {});
    await t.call("is_paused", {});
    const text = await (await t.app.request("/metrics")).text();
    expect(text).toContain('luigid_rpc_duration_seconds_count{method="is_paused"} 2.0\n');
  });
});

describe("[cors] on /api (rpc.md §1.6)", () => {
  const cors = { enabled: true, allowedOrigins: ["http://a.example"] };

  test("preflight: 204 always; headers only for an allowed origin", async () => {
    const t = app({ cors });
    const ok = await t.app.request("/api/anything", { method: "OPTIONS", headers: { Origin: "http://a.example" } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe("http://a.example");
    expect(ok.headers.get("Access-Control-Max-Age")).toBe("86400");
    expect(ok.headers.get("Access-Control-Allow-Methods")).toBe("GET, OPTIONS");
    expect(ok.headers.get("Access-Control-Allow-Headers")).toBe("Accept, Content-Type, Origin");
    expect(ok.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const other = await t.app.request("/api/anything", { method: "OPTIONS", headers: { Origin: "http://b.example" } });
    expect(other.status).toBe(204);
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const off = await app().app.request("/api/anything", { method: "OPTIONS", headers: { Origin: "http://a.example" } });
    expect(off.status).toBe(204);
    expect(off.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  test("actual requests: the origin and Vary only on success", async () => {
    const t = app({ cors });
    const ok = await t.app.request("/api/is_paused", { headers: { Origin: "http://a.example" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe("http://a.example");
    expect(ok.headers.get("Vary")).toContain("Origin");
    expect(ok.headers.get("Access-Control-Max-Age")).toBeNull();
    const other = await t.app.request("/api/is_paused", { headers: { Origin: "http://b.example" } });
    expect(other.status).toBe(200);
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const error = await t.app.request("/api/no_such_method", { headers: { Origin: "http://a.example" } });
    expect(error.status).toBe(404);
    expect(error.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const any = await app({ cors: { enabled: true, allowAnyOrigin: true } }).app.request("/api/is_paused", { headers: { Origin: "http://z.example" } });
    expect(any.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(any.headers.get("Vary") ?? "").not.toContain("Origin");
    const notApi = await t.app.request("/metrics", { headers: { Origin: "http://a.example" } });
    expect(notApi.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("auth over HTTP", () => {
  const auth = { token: "t0ken-t0ken-t0ken-t0ken", username: "luigi", password: "mario", anonymous: "read" as const };

  test("without credentials: reads follow the anonymous mode, changes get 401 with a basic challenge", async () => {
    const t = app({ auth });
    expect((await t.app.request("/api/is_paused")).status).toBe(200);
    const refused = await t.app.request("/api/pause", { method: "POST", body: form({}) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("WWW-Authenticate")).toBe('Basic realm="luigid", charset="UTF-8"');
    expect(t.engine.isPaused()).toBe(false);
    // Percent-encoded names are classified as the /api route decodes them: no way around the check.
    expect((await t.app.request("/api/is%5Fpaused")).status).toBe(200);
    expect((await t.app.request("/api/pa%75se", { method: "POST", body: form({}) })).status).toBe(401);
    expect((await t.app.request("/api/pa%2575se", { method: "POST", body: form({}) })).status).toBe(401);
    expect(t.engine.isPaused()).toBe(false);
    const closed = app({ auth: { ...auth, anonymous: "none" } });
    expect((await closed.app.request("/api/is_paused")).status).toBe(401);
    expect((await closed.app.request("/metrics")).status).toBe(401);
    expect((await closed.app.request("/metrics", { headers: { Authorization: "Bearer t0ken-t0ken-t0ken-t0ken" } })).status).toBe(200);
  });

  test("with credentials: a read works, a change must be POST from an acceptable Origin", async () => {
    const t = app({ auth: { ...auth, anonymous: "none" } });
    const headers = { Authorization: basic("luigi", "mario") };
    expect((await t.app.request("/api/is_paused", { headers })).status).toBe(200);
    expect((await t.app.request("/api/is_paused", { method: "POST", headers, body: form({}) })).status).toBe(200);
    const viaGet = await t.app.request("/api/pause", { headers });
    expect(viaGet.status).toBe(405);
    expect(viaGet.headers.get("Allow")).toBe("POST");
    const foreign = await t.app.request("/api/pause", { method: "POST", headers: { ...headers, Origin: "http://evil.example", Host: "sched:8082" }, body: form({}) });
    expect(foreign.status).toBe(403);
    const wrong = await t.app.request("/api/is_paused", { headers: { Authorization: basic("luigi", "luigi") } });
    expect(wrong.status).toBe(401);
  });
});

describe("access log", () => {
  test("one line per request in Luigi's tornado.access shape, level by status", async () => {
    const lines: string[] = [];
    const log = createLogger("luigi.server", { sink: (line) => lines.push(line), level: "DEBUG" });
    const t = createTestApp({ context: { log } });
    await t.app.request("/api/is_paused?data=%7B%7D");
    await t.app.request("/api/nope", { method: "POST" });
    expect(lines[0]).toMatch(/ tornado\.access\[\d+\] INFO: 200 GET \/api\/is_paused\?data=%7B%7D \(\) \d+\.\d\dms$/);
    expect(lines[1]).toMatch(/ tornado\.access\[\d+\] WARNING: 404 POST \/api\/nope \(\) \d+\.\d\dms$/);
  });
});
