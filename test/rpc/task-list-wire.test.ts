/**
 * task_list over HTTP: the reply serialised ahead of the edge (JsonReply) goes
 * out as the same bytes the object path would have produced, gzipped or not,
 * and the cross-cutting middleware (CORS) still applies to it.
 */
import { describe, expect, test } from "bun:test";
import { taskList } from "../../src/engine/queries/task-list.ts";
import { addTaskArgs } from "../engine/helpers.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

const HOSTILE = ['q"uote', "back\\slash", "ctl\u0001\u001f", "sep\u2028", "lone\ud800", "é漢", "__proto__", "12", ""];

async function filled(options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
  const t = createTestApp(options);
  for (const [i, text] of HOSTILE.entries()) {
    // Raw JSON text, so that "__proto__" arrives as an own key, as from a real client.
    const reply = await t.call(
      "add_task",
      `{"worker": ${JSON.stringify(`w ${text}`)}, "task_id": ${JSON.stringify(text)}, "family": ${JSON.stringify(`F${text}`)}, "params": {${JSON.stringify(text)}: ${JSON.stringify(text)}, "__proto__": {"x": 1}, "n": ${i}}, "priority": 1e999, "resources": {${JSON.stringify(text)}: ${i}}}`,
    );
    expect(reply.status).toBe(200);
  }
  for (let i = 0; i < 300; i++) await t.rpc("add_task", { worker: "w", task_id: `Bulk_${i}`, family: "Bulk", params: { i: String(i) } });
  return t;
}

/** The bytes the object path (taskList + JSON.stringify) gives for the same listing. */
function expectedBody(t: TestApp, status = ""): string {
  const args = { status, upstreamStatus: "", limit: true, search: null, maxShownTasks: null };
  return JSON.stringify({ response: taskList(t.engine, args, t.clock.now()) });
}

describe("task_list on the wire", () => {
  test("plain and gzipped replies carry exactly the object path's bytes", async () => {
    const t = await filled();
    for (const status of ["", "PENDING"]) {
      const expected = expectedBody(t, status);
      const query = `/api/task_list?data=${encodeURIComponent(JSON.stringify({ status }))}`;
      const plain = await t.app.request(query);
      expect(plain.status).toBe(200);
      expect(plain.headers.get("Content-Type")).toBe("application/json; charset=UTF-8");
      const plainBytes = new Uint8Array(await plain.arrayBuffer());
      expect(plain.headers.get("Content-Length")).toBe(String(plainBytes.byteLength));
      expect(new TextDecoder().decode(plainBytes)).toBe(expected);

      const zipped = await t.app.request(query, { headers: { "Accept-Encoding": "gzip" } });
      expect(zipped.headers.get("Content-Encoding")).toBe("gzip");
      expect(zipped.headers.get("Vary")).toContain("Accept-Encoding");
      const zippedBytes = new Uint8Array(await zipped.arrayBuffer());
      expect(zipped.headers.get("Content-Length")).toBe(String(zippedBytes.byteLength));
      expect(new TextDecoder().decode(Bun.gunzipSync(zippedBytes))).toBe(expected);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  test("a listing past a megabyte goes out gzipped as it was written, or decompressed for a client without gzip", async () => {
    const t = createTestApp();
    for (let i = 0; i < 3000; i++) {
      t.engine.addTask(addTaskArgs(`Big_${i}_${HOSTILE[i % HOSTILE.length]}`, `w${i % 5}`, { family: "Big", params: { i: String(i), text: HOSTILE[i % HOSTILE.length]! } }), t.clock.now());
    }
    const expected = expectedBody(t);
    expect(expected.length).toBeGreaterThan(1 << 20);
    const zipped = await t.app.request("/api/task_list?data={}", { headers: { "Accept-Encoding": "gzip, deflate" } });
    expect(zipped.headers.get("Content-Encoding")).toBe("gzip");
    const zippedBytes = new Uint8Array(await zipped.arrayBuffer());
    expect(zipped.headers.get("Content-Length")).toBe(String(zippedBytes.byteLength));
    expect(new TextDecoder().decode(Bun.gunzipSync(zippedBytes))).toBe(expected);

    const plain = await t.app.request("/api/task_list?data={}");
    expect(plain.headers.get("Content-Encoding")).toBeNull();
    const plainBytes = new Uint8Array(await plain.arrayBuffer());
    expect(plain.headers.get("Content-Length")).toBe(String(plainBytes.byteLength));
    expect(new TextDecoder().decode(plainBytes)).toBe(expected);
  });

  test("the too-many answer and small listings are ordinary replies", async () => {
    const t = await filled({ engine: { maxShownTasks: 5 } });
    expect(await t.rpc("task_list", { status: "PENDING" })).toEqual({ num_tasks: HOSTILE.length + 300 });
    // A search (on the pretty id) narrows the listing under the cap.
    const one = await t.call("task_list", { search: "Bulk(i=299)" });
    const args = { status: "", upstreamStatus: "", limit: true, search: "Bulk(i=299)", maxShownTasks: null };
    expect(one.text).toBe(JSON.stringify({ response: taskList(t.engine, args, t.clock.now()) }));
    expect(Object.keys((one.body as { response: object }).response)).toEqual(["Bulk_299"]);
  });

  test("CORS headers are added to the serialised reply as to any other", async () => {
    const t = await filled({ config: { cors: { enabled: true, allowedOrigins: ["http://ui.example"] } } });
    const reply = await t.app.request("/api/task_list?data={}", { headers: { Origin: "http://ui.example", "Accept-Encoding": "gzip" } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("Access-Control-Allow-Origin")).toBe("http://ui.example");
    expect(reply.headers.get("Content-Encoding")).toBe("gzip");
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await reply.arrayBuffer())))).toBe(expectedBody(t));
  });
});
