/**
 * GET /ui-api/*: the visualiser's read API, paged and filtered on the server.
 * Read-only: every action the UI takes goes through Luigi's /api RPCs, so the
 * same auth, history and metrics apply to it.
 * @module
 */
import type { Context, Hono } from "hono";
import type { UiEngineView, UiSettings } from "./engine-view.ts";
import { liveEvents } from "./live.ts";
import { neighbourhood, resourceList, summary, type TaskQuery, TaskListCache, taskDetail, taskPage, workerList } from "./queries.ts";
import { TaskIndex } from "./task-index.ts";
import { type Category, isCategory, SORT_KEYS, type SortKey, type UiVersion } from "./types.ts";

class BadQuery extends Error {}

type Handler = (c: Context) => Response | Promise<Response>;

/** Bad query parameters answer 400 with a JSON reason; anything else is the app's 500. */
function guarded(handler: Handler): Handler {
  return async function uiApiRoute(c) {
    try {
      return await handler(c);
    } catch (error) {
      if (error instanceof BadQuery) return c.json({ error: { code: "BAD_REQUEST", message: error.message } }, 400);
      throw error;
    }
  };
}

function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new BadQuery(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function textParam(c: Context, name: string, maxLength = 1000): string {
  const raw = c.req.query(name) ?? "";
  if (raw.length > maxLength) throw new BadQuery(`${name} is longer than ${maxLength} characters`);
  return raw;
}

function taskQuery(c: Context): TaskQuery {
  const categories: Category[] = [];
  for (const part of textParam(c, "categories").split(",")) {
    if (part === "") continue;
    if (!isCategory(part)) throw new BadQuery(`unknown category ${JSON.stringify(part)}`);
    categories.push(part);
  }
  const sortRaw = textParam(c, "sort");
  if (sortRaw !== "" && !(SORT_KEYS as readonly string[]).includes(sortRaw)) throw new BadQuery(`sort must be one of ${SORT_KEYS.join(", ")}`);
  const family = c.req.query("family");
  return {
    categories,
    family: family === undefined ? null : family,
    search: textParam(c, "search"),
    sort: sortRaw === "" ? null : (sortRaw as SortKey),
    desc: c.req.query("dir") === "desc",
    offset: intParam(c, "offset", 0, 0, 1e9),
    limit: intParam(c, "limit", 25, 1, 500),
  };
}

export function mountUiApi(app: Hono, engine: UiEngineView, settings: UiSettings, taskEpoch?: () => number): void {
  const index = new TaskIndex(engine, taskEpoch);
  const lists = new TaskListCache();
  const fresh = (c: Context) => c.req.query("fresh") === "1";
  const json = (c: Context, body: unknown) => {
    c.header("Cache-Control", "no-store");
    return c.json(body);
  };

  const shown = (): UiVersion => ({ version: index.shownVersion(), tasks: index.shownEpoch() });
  app.get("/ui-api/version", guarded((c) => json(c, shown())));
  app.get("/ui-api/events", guarded(async (c) => {
    await index.get();
    return liveEvents(c, shown);
  }));
  app.get("/ui-api/summary", guarded(async (c) => {
    const snapshot = await index.get({ fresh: fresh(c) });
    return json(c, summary(engine, snapshot, settings, Object.keys(engine.resourceCapacities()).length, index.lastBuildMs));
  }));
  app.get("/ui-api/tasks", guarded(async (c) => {
    const query = taskQuery(c);
    const snapshot = await index.get({ fresh: fresh(c) });
    return json(c, taskPage(engine, snapshot, lists, query, settings));
  }));
  app.get("/ui-api/task", guarded(async (c) => {
    const id = c.req.query("id");
    if (id === undefined) throw new BadQuery("id is required");
    const task = taskDetail(engine, await index.get(), id, settings);
    return task ? json(c, task) : c.json({ error: { code: "NOT_FOUND", message: `no task ${id}` } }, 404);
  }));
  app.get("/ui-api/graph", guarded(async (c) => {
    const root = c.req.query("task_id");
    if (!root) throw new BadQuery("task_id is required");
    const direction = c.req.query("direction") === "up" ? "up" : "down";
    const query = {
      root,
      direction,
      hops: intParam(c, "hops", 100, 1, 100_000),
      hideDone: c.req.query("hide_done") === "1",
      limit: intParam(c, "limit", Math.min(2000, settings.maxGraphNodes), 1, Math.max(1, settings.maxGraphNodes)),
    } as const;
    const snapshot = await index.get({ fresh: fresh(c) });
    const dependants = direction === "up" ? await index.dependants(snapshot) : null;
    return json(c, neighbourhood(engine, snapshot, dependants, query, settings));
  }));
  app.get("/ui-api/workers", guarded(async (c) => {
    const snapshot = await index.get({ fresh: fresh(c) });
    return json(c, workerList(engine, await index.workerPending(snapshot), settings));
  }));
  app.get("/ui-api/resources", guarded((c) => json(c, resourceList(engine, settings))));
  app.all("/ui-api/*", (c) => c.json({ error: { code: "NOT_FOUND", message: "no such UI API route" } }, 404));

}
