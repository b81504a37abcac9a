/**
 * The visualiser's HTTP surface in process: Luigi's addresses (/ and
 * /static/visualiser/…), the embedded files, and every /ui-api route over a
 * real Engine fed through the RPC API.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { UiGraph, UiResource, UiSummary, UiTask, UiTaskPage, UiVersion, UiWorker } from "../../src/http/ui/types.ts";
import { buildUi } from "../../scripts/build-ui.ts";
import { createTestApp, type TestApp } from "../support/index.ts";

beforeAll(async () => {
  await buildUi();
});

async function json<T>(t: TestApp, path: string): Promise<T> {
  const response = await t.app.request(path);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** A small pipeline: Top <- [A, B]; A FAILED, B <- C (DISABLED by a worker), D DONE, R RUNNING. */
async function pipeline(t: TestApp): Promise<void> {
  const w = "W1";
  await t.rpc("add_worker", { worker: w, info: [["workers", 2], ["host", "box"], ["first_task", "Top_x"]] });
  await t.rpc("add_task", { worker: w, task_id: "Top_x", family: "Top", params: { x: "1" }, deps: ["A_1", "B_1"] });
  await t.rpc("add_task", { worker: w, task_id: "A_1", family: "pkg.A", params: { n: "1" }, status: "FAILED", expl: JSON.stringify("Traceback: boom") });
  await t.rpc("add_task", { worker: w, task_id: "B_1", family: "B", params: { n: "1" }, deps: ["C_1"] });
  await t.rpc("add_task", { worker: w, task_id: "C_1", family: "C", params: {}, status: "DISABLED" });
  await t.rpc("add_task", { worker: w, task_id: "D_1", family: "D", params: { secret: "s", shown: "y" }, param_visibilities: { secret: 1 }, status: "DONE" });
  await t.rpc("add_task", { worker: w, task_id: "R_1", family: "R", params: {}, resources: { db: 1 } });
  const work = await t.rpc<{ task_id: string | null }>("get_work", { worker: w, host: "box" });
  expect(work.task_id).toBe("R_1");
}

describe("Luigi's addresses", () => {
  test("GET / redirects relatively to the visualiser; HEAD / is 204", async () => {
    const t = createTestApp();
    const get = await t.app.request("/");
    expect(get.status).toBe(302);
    expect(get.headers.get("Location")).toBe("static/visualiser/index.html");
    expect(await get.text()).toBe("");
    const head = await t.app.request("/", { method: "HEAD" });
    expect(head.status).toBe(204);
  });

  test("index.html is the app with relative, versioned asset URLs and a strict CSP", async () => {
    const t = createTestApp();
    const response = await t.app.request("/static/visualiser/index.html");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/html");
    expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain("<title>Luigi Task Visualiser</title>");
    const scripts = [...html.matchAll(/(?:src|href|content)="([^"]+\.(?:js|css)[^"]*)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBe(3);
    for (const url of scripts) {
      expect(url.startsWith("./")).toBe(true);
      expect(url).toMatch(/\?v=[0-9a-f]{16}$/);
      const asset = await t.app.request(`/static/visualiser/${url.slice(2)}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("Cache-Control")).toContain("immutable");
      expect(asset.headers.get("Content-Type")).toMatch(/^text\/(javascript|css)/);
    }
    expect(html).not.toMatch(/(src|href)="(\/|https?:)/);
  });

  test("ETag revalidation, gzip, 403 for the directory, 404 for unknown files", async () => {
    const t = createTestApp();
    const first = await t.app.request("/static/visualiser/app.js", { headers: { "Accept-Encoding": "gzip" } });
    expect(first.headers.get("Content-Encoding")).toBe("gzip");
    const etag = first.headers.get("ETag") as string;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const again = await t.app.request("/static/visualiser/app.js", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect((await t.app.request("/static/visualiser/")).status).toBe(403);
    expect((await t.app.request("/static/visualiser/nope.js")).status).toBe(404);
    expect((await t.app.request("/static/visualiser/constructor")).status).toBe(404);
  });
});

describe("/ui-api", () => {
  test("summary: Luigi's categories (upstream failure/disabled from the graph), families, settings", async () => {
    const t = createTestApp();
    await pipeline(t);
    const s = await json<UiSummary>(t, "/ui-api/summary?fresh=1");
    expect(s.total).toBe(6);
    expect(s.counts).toMatchObject({ FAILED: 1, DISABLED: 1, DONE: 1, RUNNING: 1, UPSTREAM_DISABLED: 2, PENDING: 0, UPSTREAM_FAILED: 0 });
    expect(s.families.map((f) => f.name).sort()).toEqual(["B", "C", "D", "R", "Top", "pkg.A"]);
    expect(s.pauseEnabled).toBe(true);
    expect(s.paused).toBe(false);
    expect(s.hasHistory).toBe(false);
    expect(s.workers).toBe(1);
  });

  test("summary follows the settings: pause disabled, history on", async () => {
    const t = createTestApp({ engine: { pauseEnabled: false, recordTaskHistory: true } });
    const s = await json<UiSummary>(t, "/ui-api/summary");
    expect(s.pauseEnabled).toBe(false);
    expect(s.hasHistory).toBe(true);
    const paused = createTestApp();
    await paused.rpc("pause");
    expect((await json<UiSummary>(paused, "/ui-api/summary?fresh=1")).paused).toBe(true);
  });

  test("summary lists at most 2,000 families, the largest first, and says how many there are", async () => {
    const t = createTestApp();
    for (let i = 0; i < 2005; i++) await t.rpc("add_task", { worker: "W", task_id: `F${i}_x`, family: `F${i}` });
    await t.rpc("add_task", { worker: "W", task_id: "F7_y", family: "F7" });
    const s = await json<UiSummary>(t, "/ui-api/summary?fresh=1");
    expect(s.familyCount).toBe(2005);
    expect(s.families).toHaveLength(2000);
    expect(s.families[0]).toEqual({ name: "F7", count: 2 });
  });

  test("tasks: filtered by category, family and search on the server, paged and sorted", async () => {
    const t = createTestApp();
    await pipeline(t);
    const failed = await json<UiTaskPage>(t, "/ui-api/tasks?categories=FAILED&fresh=1");
    expect(failed.rows.map((r) => r.id)).toEqual(["A_1"]);
    expect(failed.rows[0]).toMatchObject({ name: "pkg.A", displayName: "pkg.A(n=1)", category: "FAILED", params: { n: "1" } });

    const blocked = await json<UiTaskPage>(t, "/ui-api/tasks?categories=UPSTREAM_DISABLED,DISABLED");
    expect(blocked.rows.map((r) => r.id).sort()).toEqual(["B_1", "C_1", "Top_x"]);

    const hidden = await json<UiTaskPage>(t, "/ui-api/tasks?search=secret");
    expect(hidden.matched).toBe(0);
    const shown = await json<UiTaskPage>(t, "/ui-api/tasks?search=SHOWN%3Dy");
    expect(shown.rows.map((r) => r.id)).toEqual(["D_1"]);
    expect(shown.total).toBe(6);

    const family = await json<UiTaskPage>(t, "/ui-api/tasks?family=B");
    expect(family.rows.map((r) => r.id)).toEqual(["B_1"]);

    const page = await json<UiTaskPage>(t, "/ui-api/tasks?sort=name&offset=2&limit=2");
    expect(page.matched).toBe(6);
    expect(page.rows.map((r) => r.name)).toEqual(["D", "R"]);
    const desc = await json<UiTaskPage>(t, "/ui-api/tasks?sort=name&dir=desc&limit=1");
    expect(desc.rows[0]?.name).toBe("pkg.A");
  });

  test("bad query parameters answer 400 with a reason; unknown routes 404", async () => {
    const t = createTestApp();
    for (const bad of ["/ui-api/tasks?limit=0", "/ui-api/tasks?limit=x", "/ui-api/tasks?categories=NOPE", "/ui-api/tasks?sort=evil", "/ui-api/graph", "/ui-api/task"]) {
      const response = await t.app.request(bad);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    }
    expect((await t.app.request("/ui-api/nope")).status).toBe(404);
    expect((await t.app.request("/ui-api/summary", { method: "POST" })).status).toBe(405);
    expect((await t.app.request("/", { method: "POST" })).status).toBe(405);
    expect((await t.app.request("/static/visualiser/index.html", { method: "PUT" })).status).toBe(405);
    // Every method but GET and HEAD, not only the common ones (server.md §3.1); GET of an unknown file stays 404.
    for (const method of ["OPTIONS", "TRACE", "PROPFIND"]) {
      for (const path of ["/", "/static/visualiser/index.html", "/ui-api/summary"]) expect([method, path, (await t.app.request(path, { method })).status]).toEqual([method, path, 405]);
    }
    expect((await t.app.request("/static/visualiser/nope.js")).status).toBe(404);
    expect((await t.app.request("/ui-api/task?id=missing")).status).toBe(404);
  });

  test("graph: N hops down or up, hide done, truncation counted", async () => {
    const t = createTestApp();
    await pipeline(t);
    await t.rpc("add_task", { worker: "W1", task_id: "B_1", family: "B", params: { n: "1" }, deps: ["C_1", "D_1"] });
    const all = await json<UiGraph>(t, "/ui-api/graph?task_id=Top_x&fresh=1");
    expect(all.found).toBe(true);
    expect(all.nodes.map((n) => n.id).sort()).toEqual(["A_1", "B_1", "C_1", "D_1", "Top_x"]);
    expect(all.nodes.find((n) => n.id === "Top_x")?.edges.sort()).toEqual(["A_1", "B_1"]);
    expect(all.truncatedCount).toBe(0);

    const one = await json<UiGraph>(t, "/ui-api/graph?task_id=Top_x&hops=1");
    expect(one.nodes.map((n) => n.id).sort()).toEqual(["A_1", "B_1", "Top_x"]);
    expect(one.truncatedCount).toBe(2);
    expect(one.nodes.find((n) => n.id === "B_1")?.truncated).toBe(true);

    const noDone = await json<UiGraph>(t, "/ui-api/graph?task_id=B_1&hide_done=1");
    expect(noDone.nodes.map((n) => n.id).sort()).toEqual(["B_1", "C_1"]);

    const up = await json<UiGraph>(t, "/ui-api/graph?task_id=C_1&direction=up");
    expect(up.nodes.map((n) => n.id).sort()).toEqual(["B_1", "C_1", "Top_x"]);

    const limited = await json<UiGraph>(t, "/ui-api/graph?task_id=Top_x&limit=2");
    expect(limited.nodes.length).toBe(2);
    expect(limited.truncatedCount).toBeGreaterThan(0);

    const capped = createTestApp({ engine: { maxGraphNodes: 3 } });
    await pipeline(capped);
    const small = await json<UiGraph>(capped, "/ui-api/graph?task_id=Top_x&limit=2000");
    expect(small.limit).toBe(3);
    expect(small.nodes).toHaveLength(3);

    const missing = await json<UiGraph>(t, "/ui-api/graph?task_id=nope");
    expect(missing.found).toBe(false);
  });

  test("workers, resources and a single task", async () => {
    const t = createTestApp({ engine: { resources: { db: 2 } } });
    await pipeline(t);
    const workers = await json<UiWorker[]>(t, "/ui-api/workers?fresh=1");
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ id: "W1", state: "active", processes: 2, host: "box", firstTask: "Top_x", firstTaskDisplayName: "Top(x=1)" });
    expect(workers[0]?.running.map((r) => r.id)).toEqual(["R_1"]);
    expect(workers[0]?.numPending).toBe(2);

    const resources = await json<UiResource[]>(t, "/ui-api/resources");
    expect(resources).toEqual([expect.objectContaining({ name: "db", total: 2, used: 1 })]);
    expect(resources[0]?.running.map((r) => r.id)).toEqual(["R_1"]);

    const task = await json<UiTask>(t, "/ui-api/task?id=C_1");
    expect(task).toMatchObject({ category: "DISABLED", reEnableAble: false });
  });

  test("the snapshot follows the engine: a new task shows up once the version moved", async () => {
    const t = createTestApp();
    await pipeline(t);
    const before = await json<UiSummary>(t, "/ui-api/summary?fresh=1");
    await t.rpc("add_task", { worker: "W1", task_id: "New_1", family: "New", params: {} });
    // Live pages hear of a version only once the snapshot shows it (the first ask starts the rebuild).
    let shown = await json<UiVersion>(t, "/ui-api/version");
    for (let i = 0; i < 100 && shown.version <= before.version; i++) {
      await Bun.sleep(10);
      shown = await json<UiVersion>(t, "/ui-api/version");
    }
    expect(shown.version).toBe(t.engine.version);
    const after = await json<UiSummary>(t, "/ui-api/summary?fresh=1");
    expect(after.total).toBe(before.total + 1);
    const page = await json<UiTaskPage>(t, "/ui-api/tasks?family=New");
    expect(page.rows.map((r) => r.id)).toEqual(["New_1"]);
  });

  test("worker check-ins move the version but not the task epoch, and cost no index rebuild", async () => {
    const t = createTestApp();
    await pipeline(t);
    await json<UiSummary>(t, "/ui-api/summary?fresh=1");
    const before = await json<UiVersion>(t, "/ui-api/version");
    // Count index builds: each one starts by listing the engine's tasks.
    const tasks = t.engine.tasks.bind(t.engine);
    let builds = 0;
    t.engine.tasks = () => {
      builds++;
      return tasks();
    };
    for (let i = 0; i < 5; i++) await t.rpc("ping", { worker: "W1" });
    const after = await json<UiVersion>(t, "/ui-api/version");
    expect(after.version).toBe(t.engine.version);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.tasks).toBe(before.tasks);
    expect((await json<UiSummary>(t, "/ui-api/summary?fresh=1")).indexVersion).toBe(t.engine.version);
    expect(builds).toBe(0);

    await t.rpc("add_task", { worker: "W1", task_id: "N", family: "N" });
    expect((await json<UiSummary>(t, "/ui-api/summary?fresh=1")).total).toBe(7);
    expect(builds).toBe(1);
    expect((await json<UiVersion>(t, "/ui-api/version")).tasks).toBe(before.tasks + 1);
  });

  test("a failing index build answers 500 on the UI API and leaves the scheduler working", async () => {
    const t = createTestApp();
    await pipeline(t);
    t.engine.tasks = () => {
      throw new Error("boom");
    };
    expect((await t.app.request("/ui-api/summary")).status).toBe(500);
    expect((await t.app.request("/ui-api/version")).status).toBe(200);
    await Bun.sleep(20);
    expect(await t.rpc("ping", { worker: "W1" })).toEqual({ rpc_messages: [] });
  });

  test("events stream the version over SSE, and a new one after a change", async () => {
    const t = createTestApp();
    const controller = new AbortController();
    const response = await t.app.request("/ui-api/events", { signal: controller.signal });
    expect(response.headers.get("Content-Type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    expect(first).toContain("event: version");
    const initial = JSON.parse(/data: (.*)/.exec(first)?.[1] ?? "null") as UiVersion;
    expect(initial.version).toBe(t.engine.version);
    await t.rpc("add_task", { worker: "W", task_id: "T", family: "T" });
    let text = "";
    while (!text.includes(`data: {"version":${t.engine.version},"tasks":${initial.tasks + 1}}`)) text += decoder.decode((await reader.read()).value);
    controller.abort();
    await reader.cancel().catch(() => {});
  });
});
