import { describe, expect, test } from "bun:test";
import type { AuthConfig } from "../../src/config/types.ts";
import { Authenticator, classify, validCredentials } from "../../src/ops/auth.ts";
import { actualHeaders, preflightHeaders } from "../../src/ops/cors.ts";
import { authWarnings } from "../../src/ops/warnings.ts";
import { testConfig } from "../support/app.ts";

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("[cors] decisions (rpc.md §1.6)", () => {
  const on = testConfig({ cors: { enabled: true, allowedOrigins: ["http://a.example", "*", "null"] } }).cors;

  test("disabled or no Origin: nothing", () => {
    expect(preflightHeaders(testConfig().cors, "http://a.example")).toEqual({});
    expect(preflightHeaders(on, null)).toEqual({});
    expect(actualHeaders(on, null)).toBeNull();
  });

  test("listed origin is echoed with the extra preflight headers", () => {
    expect(preflightHeaders(on, "http://a.example")).toEqual({
      "Access-Control-Allow-Origin": "http://a.example",
      "Access-Control-Max-Age": "86400",
      "Access-Control-Allow-Methods": "GET, OPTIONS",
      "Access-Control-Allow-Headers": "Accept, Content-Type, Origin",
    });
    expect(actualHeaders(on, "http://a.example")).toEqual({ allowOrigin: "http://a.example", varyOrigin: true });
  });

  test("unlisted, '*' and 'null' list entries do not admit", () => {
    expect(preflightHeaders(on, "http://b.example")).toEqual({});
    expect(preflightHeaders(on, "*")).toEqual({});
    expect(preflightHeaders(on, "null")).toEqual({});
  });

  test("allow_any_origin answers *, allow_null_origin answers null; credentials and expose only on preflight", () => {
    const any = { ...on, allowAnyOrigin: true, allowNullOrigin: true, allowCredentials: true, exposedHeaders: "X-A" };
    expect(preflightHeaders(any, "http://z.example")).toMatchObject({
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Credentials": "true",
      "Access-Control-Expose-Headers": "X-A",
    });
    expect(preflightHeaders(any, "null")["Access-Control-Allow-Origin"]).toBe("null");
    expect(actualHeaders(any, "http://z.example")).toEqual({ allowOrigin: "*", varyOrigin: false });
    expect(actualHeaders(any, "null")).toEqual({ allowOrigin: "null", varyOrigin: false });
  });
});

describe("auth", () => {
  const auth: AuthConfig = { token: "s3cret-token-0123456789", username: "alice", password: "p@ss:word", anonymous: "none" };
  const readOnly = new Set(["task_list", "is_paused"]);

  test("credentials: bearer token, basic user:pass, token as basic password, percent-encoded basic", () => {
    expect(validCredentials(auth, "Bearer s3cret-token-0123456789")).toBe(true);
    expect(validCredentials(auth, "bearer s3cret-token-0123456789")).toBe(true);
    expect(validCredentials(auth, "Bearer wrong")).toBe(false);
    expect(validCredentials(auth, basic("alice", "p@ss:word"))).toBe(true);
    expect(validCredentials(auth, basic("alice", "p%40ss%3Aword"))).toBe(true);
    expect(validCredentials(auth, basic("bob", "p@ss:word"))).toBe(false);
    expect(validCredentials(auth, basic("anyone", "s3cret-token-0123456789"))).toBe(true);
    expect(validCredentials(auth, "Basic !!!not-base64")).toBe(false);
    expect(validCredentials(auth, "Digest x")).toBe(false);
    expect(validCredentials(auth, null)).toBe(false);
    expect(validCredentials({ ...auth, token: null }, "Bearer ")).toBe(false);
  });

  test("classification: probes and preflights open, read-only RPCs and page GETs read, the rest write", () => {
    expect(classify("GET", "/healthz", readOnly)).toBe("open");
    expect(classify("OPTIONS", "/api/add_task", readOnly)).toBe("open");
    expect(classify("HEAD", "/", readOnly)).toBe("open");
    expect(classify("GET", "/", readOnly)).toBe("read");
    expect(classify("GET", "/api/task_list", readOnly)).toBe("read");
    expect(classify("GET", "/api/task%5Flist", readOnly)).toBe("read");
    expect(classify("POST", "/api/add_task", readOnly)).toBe("write");
    expect(classify("GET", "/api/nope", readOnly)).toBe("write");
    expect(classify("GET", "/static/visualiser/index.html", readOnly)).toBe("read");
    expect(classify("POST", "/ui/api/tasks/x/forgive", readOnly)).toBe("write");
  });

  test("off unless configured: everything passes", () => {
    const a = new Authenticator(testConfig().auth, testConfig().cors, readOnly);
    expect(a.enabled).toBe(false);
    expect(a.decide({ method: "GET", path: "/api/add_task", authorization: null, origin: "http://evil", host: "h" }).ok).toBe(true);
  });

  test("anonymous none: everything but probes needs credentials", () => {
    const a = new Authenticator(auth, testConfig().cors, readOnly);
    const req = { authorization: null, origin: null, host: "h:8082" };
    expect(a.decide({ ...req, method: "GET", path: "/api/task_list" })).toMatchObject({ ok: false, status: 401 });
    expect(a.decide({ ...req, method: "GET", path: "/" })).toMatchObject({ ok: false, status: 401 });
    expect(a.decide({ ...req, method: "GET", path: "/readyz" }).ok).toBe(true);
    expect(a.decide({ ...req, method: "GET", path: "/api/task_list", authorization: "Bearer s3cret-token-0123456789" }).ok).toBe(true);
  });

  test("anonymous read: reads pass, writes need credentials, POST and a same-site Origin", () => {
    const cors = testConfig({ cors: { enabled: true, allowedOrigins: ["http://ui.example"] } }).cors;
    const a = new Authenticator({ ...auth, anonymous: "read" }, cors, readOnly);
    const anon = { authorization: null, origin: null, host: "h:8082" };
    const user = { ...anon, authorization: basic("alice", "p@ss:word") };
    expect(a.decide({ ...anon, method: "GET", path: "/api/task_list" }).ok).toBe(true);
    expect(a.decide({ ...anon, method: "POST", path: "/api/add_task" })).toMatchObject({ ok: false, status: 401 });
    expect(a.decide({ ...user, method: "POST", path: "/api/add_task" }).ok).toBe(true);
    expect(a.decide({ ...user, method: "GET", path: "/api/add_task" })).toMatchObject({ ok: false, status: 405 });
    expect(a.decide({ ...user, method: "POST", path: "/api/add_task", origin: "http://h:8082" }).ok).toBe(true);
    expect(a.decide({ ...user, method: "POST", path: "/api/add_task", origin: "http://ui.example" }).ok).toBe(true);
    expect(a.decide({ ...user, method: "POST", path: "/api/add_task", origin: "http://evil.example" })).toMatchObject({ ok: false, status: 403 });
    expect(a.decide({ ...user, method: "POST", path: "/api/add_task", origin: "null" })).toMatchObject({ ok: false, status: 403 });
  });

  test("startup warnings: all interfaces without auth", () => {
    expect(authWarnings(testConfig(), { address: null })[0]).toContain("without authentication");
    expect(authWarnings(testConfig(), { address: "0.0.0.0" })).toHaveLength(1);
    expect(authWarnings(testConfig(), { address: "127.0.0.1" })).toEqual([]);
    expect(authWarnings(testConfig(), { address: null, unixSocket: "/tmp/s" })).toEqual([]);
    expect(authWarnings(testConfig({ auth: { token: "long-enough-token-123" } }), { address: null })).toEqual([]);
    expect(authWarnings(testConfig({ auth: { username: "u" } }), { address: null })[0]).toContain("without a password");
  });
});
