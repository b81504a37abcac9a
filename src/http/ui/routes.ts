/**
 * GET /ui-api/*: the visualiser's read API, paged and filtered on the server.
 * Read-only: every action the UI takes goes through Luigi's /api RPCs, so the
 * same auth, history and metrics apply to it.
 * @module
 */
import type { Context, Hono } from "hono";
import { LuigidError } from "../../lib/errors.ts";
import { errorJson, readOnly } from "../errors.ts";
import type { UiEngineView, UiSettings } from "./engine-view.ts";
import { liveEvents } from "./live.ts";
import { neighbourhood, resourceList, summary, type TaskQuery, TaskListCache, taskDetail, taskPage, workerList } from "./queries.ts";
import { type ChangeSource, TaskIndex } from "./task-index.ts";
import { type Category, isCategory, SORT_KEYS, type SortKey, type UiVersion } from "./types.ts";

const badQuery = (message: string) => new LuigidError("BAD_REQUEST", message);

function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw badQuery(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function textParam(c: Context, name: string, maxLength = 1000): string {
  const raw = c.req.query(name) ?? "";
  if (raw.length > maxLength) throw badQuery(`${name} is longer than ${maxLength} characters`);
  return raw;
}

function taskQuery(c: Context): TaskQuery {
  const categories: Category[] = [];
  for (const part of textParam(c, "categories").split(",")) {
    if (part === "") continue;
    if (!isCategory(part)) throw badQuery(`unknown category ${JSON.stringify(part)}`);
    categories.push(part);
  }
  const sortRaw = textParam(c, "sort");
  if (sortRaw !== "" && !(SORT_KEYS as readonly string[]).includes(sortRaw)) throw badQuery(`sort must be one of ${SORT_KEYS.join(", ")}`);
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

/** Mounts /ui-api/*; returns the task index, so the page route can start its first build early. */
export function mountUiApi(app: Hono, engine: UiEngineView, settings: UiSettings, changes: ChangeSource | null = null): TaskIndex {
  const index = new TaskIndex(engine, changes);
  const lists = new TaskListCache();
  const fresh = (c: Context) => c.req.query("fresh") === "1";
  const json = (c: Context, body: unknown) => {
    c.header("Cache-Control", "no-store");
    return c.json(body);
  };

  const shown = (): UiVersion => ({ version: index.shownVersion(), tasks: index.shownEpoch() });
  app.get("/ui-api/version", (c) => json(c, shown()));
  app.get("/ui-api/events", async (c) => {
    await index.get();
    return liveEvents(c, shown);
  });
  app.get("/ui-api/summary", async (c) => {
    const snapshot = await index.get({ fresh: fresh(c) });
    return json(c, summary(engine, snapshot, settings, Object.keys(engine.resourceCapacities()).length, index.lastBuildMs));
  });
  app.get("/ui-api/tasks", async (c) => {
    const query = taskQuery(c);
    const snapshot = await index.get({ fresh: fresh(c) });
    return json(c, taskPage(engine, snapshot, lists, query, settings));
  });
  app.get("/ui-api/task", async (c) => {
    const id = c.req.query("id");
    if (id === undefined) throw badQuery("id is required");
    const task = taskDetail(engine, await index.get(), id, settings);
    return task ? json(c, task) : errorJson(c, "NOT_FOUND", `no task ${id}`, 404);
  });
  app.get("/ui-api/graph", async (c) => {
    const root = c.req.query("task_id");
    if (!root) throw badQuery("task_id is required");
    const direction = c.req.query("direction") === "up" ? "up" : "down";
    const query = {
      root,
      direction,
      hops: intParam(c, "hops", 100_000, 1, 100_000),
      hideDone: c.req.query("hide_done") === "1",
      // [scheduler] max_graph_nodes caps what a page may ask for (Luigi caps its graphs the same way).
      limit: Math.min(intParam(c, "limit", 2000, 1, 1_000_000), Math.max(1, settings.maxGraphNodes)),
    } as const;
    const snapshot = await index.get({ fresh: fresh(c) });
    const dependants = direction === "up" ? index.dependants() : null;
    return json(c, neighbourhood(engine, snapshot, dependants, query, settings));
  });
  app.get("/ui-api/workers", async (c) => {
    const snapshot = await index.get({ fresh: fresh(c) });
    return json(c, workerList(engine, await index.workerPending(snapshot), settings));
  });
  app.get("/ui-api/resources", (c) => json(c, resourceList(engine, settings)));
  app.all("/ui-api/*", readOnly(() => "the UI API is read-only (GET); actions go through /api"));
  app.get("/ui-api/*", (c) => errorJson(c, "NOT_FOUND", "no such UI API route", 404));
  return index;
}
