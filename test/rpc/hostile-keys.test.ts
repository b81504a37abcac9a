/**
 * Client-chosen strings used as keys (task ids, statuses, param names, worker
 * info keys, resource names) named like Object.prototype members: every
 * listing keeps them as ordinary entries and nothing leaks into other objects.
 */
import { afterEach, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";

const HOSTILE = ["__proto__", "constructor", "toString", "hasOwnProperty"];

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
});

test("hostile ids, statuses, params, info keys and resource names are ordinary entries everywhere", async () => {
  const t = createTestApp();
  const raw = (method: string, json: string) => t.call(method, json);
  for (const name of HOSTILE) {
    // Raw JSON text, so that "__proto__" arrives as a key exactly as a client would send it.
    const addTask = await raw(
      "add_task",
      `{"worker": "w", "task_id": "${name}", "status": "${name}", "family": "F", "params": {"${name}": {"polluted": 1}, "p": "1"}, "resources": {"${name}": 1}, "deps": ["${name}_dep"]}`,
    );
    expect(addTask.status).toBe(200);
    expect((await raw("add_worker", `{"worker": "w", "info": {"${name}": {"polluted": 1}}}`)).status).toBe(200);
    expect((await raw("update_resources", `{"${name}": 3}`)).status).toBe(200);
  }

  const listed = await t.rpc<Record<string, { status: string; params: Record<string, unknown> }>>("task_list", { status: "", upstream_status: "", search: "" });
  for (const name of HOSTILE) {
    expect(Object.hasOwn(listed, name)).toBe(true);
    expect(listed[name]!.status).toBe(name);
    expect(Object.hasOwn(listed[name]!.params, name)).toBe(true);
  }

  const byStatus = await t.rpc<Record<string, Record<string, unknown>>>("task_search", { task_str: "" });
  for (const name of HOSTILE) expect(Object.keys(byStatus[name] ?? {})).toContain(name);

  const graph = await t.rpc<Record<string, unknown>>("graph");
  for (const name of HOSTILE) expect(Object.hasOwn(graph, name)).toBe(true);

  const [worker] = await t.rpc<Array<Record<string, unknown>>>("worker_list");
  for (const name of HOSTILE) if (name !== "__proto__") expect(Object.hasOwn(worker!, name)).toBe(true);
  expect(worker!.name).toBe("w");

  const resources = await t.rpc<Array<{ name: string; num_total: number; num_used: number }>>("resource_list");
  expect(resources.map((r) => [r.name, r.num_total, r.num_used])).toEqual(expect.arrayContaining(HOSTILE.map((name) => [name, 3, 0])));
});

test("an info key that is an object or a list is a 400 with a reason, and the worker keeps its info", async () => {
  const t = createTestApp();
  expect((await t.call("add_worker", `{"worker": "w", "info": [["host", "h"]]}`)).status).toBe(200);
  for (const key of [`{"toString": 1}`, `{"__proto__": 1, "valueOf": null}`, `["a"]`]) {
    const reply = await t.call("add_worker", `{"worker": "w", "info": [[${key}, "x"], ["host", "changed"]]}`);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: { code: "BAD_ARGUMENTS" } });
  }
  const [worker] = await t.rpc<Array<Record<string, unknown>>>("worker_list");
  expect(worker!.host).toBe("h");
});
