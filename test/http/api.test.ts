/**
 * /api/{method} request handling (server.md §3.3, Appendix D), in process.
 * Method semantics are tested by ENGINE under test/rpc; here: routing, verbs,
 * where `data` comes from, its decoding, and error statuses.
 */
import { describe, expect, test } from "bun:test";
import { MAX_BODY_BYTES } from "../../src/http/api.ts";
import { createTestApp } from "../support/app.ts";

const t = createTestApp();
const status = async (path: string, init?: RequestInit) => (await t.app.request(path, init)).status;

describe("routing", () => {
  test.each(["/api", "/api/", "/api/ping/", "/api/ping/x", "/api/ping%2Fx", "/api/%ZZ", "/api/nope", "/api/PING"])("%s is 404", async (path) => {
    expect(await status(path)).toBe(404);
  });

  test("an unknown method is 404 with a JSON reason, before data is looked at", async () => {
    const reply = await t.call("load", "not json at all");
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ error: { code: "UNKNOWN_METHOD", message: 'unknown RPC method "load"' } });
  });

  test("the method name is percent-decoded", async () => {
    const plain = await t.app.request("/api/is_pause_enabled");
    const encoded = await t.app.request("/api/is%5Fpause%5Fenabled");
    expect(encoded.status).toBe(plain.status);
    expect(await encoded.text()).toBe(await plain.text());
  });

  test.each(["PUT", "DELETE", "PATCH", "HEAD"])("%s is 405", async (method) => {
    const response = await t.app.request("/api/is_paused", { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, POST, OPTIONS");
  });

  test("OPTIONS on any /api path is 204 with an empty body", async () => {
    const response = await t.app.request("/api/anything", { method: "OPTIONS" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });
});

describe("data decoding", () => {
  test.each([
    ["notjson", "data is not valid JSON"],
    ['{"worker": "w"', "data is not valid JSON"],
    ["[1, 2]", "data must be a JSON object, got an array"],
    ["null", "data must be a JSON object, got null"],
    ['"text"', "data must be a JSON object, got string"],
    ["42", "data must be a JSON object, got number"],
  ])("data=%p is a 400 with a JSON reason", async (data, reason) => {
    const reply = await t.call("ping", data);
    expect(reply.status).toBe(400);
    expect((reply.body as { error: { code: string; message: string } }).error.code).toBe("BAD_REQUEST");
    expect((reply.body as { error: { message: string } }).error.message).toContain(reason);
  });

  test("a malformed query data is a 400 by GET too", async () => {
    const response = await t.app.request(`/api/ping?data=${encodeURIComponent("{oops")}`);
    expect(response.status).toBe(400);
  });

  test("a multipart form that is not well formed is a 400", async () => {
    const response = await t.app.request("/api/ping", {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=zzz" },
      body: "garbage without boundaries",
    });
    expect(response.status).toBe(400);
  });

  test("a body over the limit is refused with 413 before it is read", async () => {
    const response = await t.app.request("/api/ping", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(MAX_BODY_BYTES + 1) },
      body: "data={}",
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("where data comes from (with the real method table)", () => {
  const forgive = (id: string) => ({ response: { task_id: id, status: null } });

  test("POST form body, like Luigi's client (spaces as +)", async () => {
    const response = await t.app.request("/api/forgive_failures", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "data=%7B%22task_id%22%3A+%22a+b%22%7D",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=UTF-8");
    expect(await response.json()).toEqual(forgive("a b"));
  });

  test("GET query string, like the visualiser", async () => {
    const response = await t.app.request(`/api/forgive_failures?data=${encodeURIComponent('{"task_id":"q"}')}`);
    expect(await response.json()).toEqual(forgive("q"));
  });

  test("multipart form", async () => {
    const form = new FormData();
    form.set("data", '{"task_id": "m"}');
    const response = await t.app.request("/api/forgive_failures", { method: "POST", body: form });
    expect(await response.json()).toEqual(forgive("m"));
  });

  test("the body wins over the query; the last of repeated values wins", async () => {
    const response = await t.app.request(`/api/forgive_failures?data=${encodeURIComponent('{"task_id":"q"}')}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `data=${encodeURIComponent('{"task_id":"b1"}')}&data=${encodeURIComponent('{"task_id":"b2"}')}`,
    });
    expect(await response.json()).toEqual(forgive("b2"));
  });

  test("a JSON body is not read: data is absent, so {} (Luigi does the same)", async () => {
    const response = await t.app.request("/api/is_paused", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"x": 1}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response: { paused: false } });
  });

  test.each([[undefined], [""], ["   "]])("data %p means {}", async (data) => {
    const reply = await t.call("is_paused", data);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ response: { paused: false } });
  });

  test("bare Infinity from Python's json.dumps is accepted (add_task_batcher's max_batch_size)", async () => {
    const reply = await t.call("add_task_batcher", '{"worker": "w", "task_family": "A", "batched_args": ["d"], "max_batch_size": Infinity}');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ response: null });
  });

  test("control characters in data become spaces, as Tornado does", async () => {
    const reply = await t.call("forgive_failures", '\u0001{"task_id":\u0002"c"}\u001f');
    expect(reply.body).toEqual(forgive("c"));
  });
});

describe("compression", () => {
  test("a large reply is gzipped for a client that accepts it, and decodes to the same JSON", async () => {
    const app = createTestApp();
    for (let i = 0; i < 200; i++) await app.rpc("add_task", { worker: "w", task_id: `T_${i}`, family: "T", params: { i: String(i) } });
    const plain = await app.app.request("/api/task_list?data={}");
    const zipped = await app.app.request("/api/task_list?data={}", { headers: { "Accept-Encoding": "gzip, deflate" } });
    expect(plain.headers.get("Content-Encoding")).toBeNull();
    expect(zipped.headers.get("Content-Encoding")).toBe("gzip");
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    const text = await plain.text();
    expect(bytes.length).toBeLessThan(text.length / 5);
    expect(JSON.parse(new TextDecoder().decode(Bun.gunzipSync(bytes)))).toEqual(JSON.parse(text));
  });

  test("a large reply made for the call (not a listing) is gzipped too, with its compressed length", async () => {
    const app = createTestApp();
    const expl = "Traceback (most recent call last):\n".repeat(200);
    await app.rpc("add_task", { worker: "w", task_id: "Big_1", family: "Big", status: "FAILED", expl });
    const zipped = await app.app.request('/api/fetch_error?data={"task_id":"Big_1"}', { headers: { "Accept-Encoding": "gzip" } });
    expect(zipped.headers.get("Content-Encoding")).toBe("gzip");
    expect(zipped.headers.get("Vary")).toBe("Accept-Encoding");
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    expect(Number(zipped.headers.get("Content-Length"))).toBe(bytes.byteLength);
    const reply = JSON.parse(new TextDecoder().decode(Bun.gunzipSync(bytes)));
    expect(reply.response.error).toBe(expl);
    const plain = await app.app.request('/api/fetch_error?data={"task_id":"Big_1"}');
    expect(plain.headers.get("Content-Encoding")).toBeNull();
    expect(await plain.json()).toEqual(reply);
  });

  test("a small reply is sent as it is", async () => {
    const response = await t.app.request("/api/is_paused", { headers: { "Accept-Encoding": "gzip" } });
    expect(response.headers.get("Content-Encoding")).toBeNull();
    const text = await response.text();
    expect(Number(response.headers.get("Content-Length"))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toEqual({ response: { paused: false } });
  });
});
