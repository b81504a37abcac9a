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
  test.each(["/api", "/api/", "/api/ping/", "/api/ping/x", "/api/nope", "/api/PING"])("%s is 404", async (path) => {
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
