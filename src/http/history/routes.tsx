/** @jsxImportSource preact */
/**
 * The /history and /tasklist routes (server.md §3.1, §4.8–4.10). Each route
 * answers HTML by default and the same data as JSON with `?format=json`.
 * Names are taken from the raw path and percent-decoded here, so they may
 * contain `/` and `+` stays `+` (Appendix C).
 * @module
 */
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { VNode } from "preact";
import type { HistoryStore } from "../../store/history/store.ts";
import { formatTs } from "../../store/history/timestamp.ts";
import { detailJson, familiesJson, familyRunsJson, recordJson } from "./json.ts";
import { type Links, linksFrom, rootPrefix } from "./links.ts";
import { DetailPage, FamilyPage, MessagePage, NamePage, RecentPage, renderPage, TasklistPage } from "./pages.tsx";

/** Rows a list page shows unless `?limit=` asks for more (Luigi shows all; 100k rows would stall a browser). */
export const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100_000;
/** Each parameter is one join; SQLite allows 64 tables in a query. */
const MAX_PARAMS = 32;
const DAY = 86_400;
const MAX_DAYS = 36_500;

/** A reason to answer with an error page (or JSON error) instead of the page. */
class PageError extends Error {
  constructor(
    readonly status: 400 | 404 | 405,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

const NOT_ENABLED =
  "Task history is not enabled. To record every run, set [scheduler] record_task_history = true and " +
  "[task_history] db_connection = sqlite:////var/lib/luigi-server/history.db (or the record_step_history / " +
  "[step_history] spellings) in luigi.cfg, then restart luigid.";

interface PageRequest {
  c: Context;
  store: HistoryStore;
  links: Links;
}

/** Reads what a page shows once, as JSON data and as a page built from the same values. */
type Handler = (req: PageRequest) => Promise<{ json: unknown; page: () => VNode }>;

function rawPath(c: Context): string {
  return new URL(c.req.url).pathname;
}

/** The percent-decoded rest of the path after `prefix` (which ends with `/`). */
function remainder(c: Context, prefix: string): string {
  const raw = rawPath(c);
  if (!raw.startsWith(prefix)) throw new PageError(404, "Not found", `no page at ${raw}`);
  try {
    return decodeURIComponent(raw.slice(prefix.length));
  } catch {
    throw new PageError(400, "Bad request", `the path ${raw} is not valid percent-encoding`);
  }
}

function limitOf(c: Context): number {
  const text = c.req.query("limit");
  if (text === undefined) return DEFAULT_LIMIT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new PageError(400, "Bad request", `limit must be a positive whole number, got ${JSON.stringify(text)}`);
  return Math.min(n, MAX_LIMIT);
}

/** The same URL with `limit` raised, for "Show more"; null when it cannot grow. */
function moreHref(c: Context, limit: number, total: number): string | null {
  if (total <= limit || limit >= MAX_LIMIT) return null;
  const url = new URL(c.req.url);
  url.searchParams.set("limit", String(Math.min(MAX_LIMIT, Math.max(limit * 10, DEFAULT_LIMIT))));
  url.searchParams.delete("format");
  const last = url.pathname.split("/").at(-1) ?? "";
  return `${last === "" ? "./" : last}${url.search}`;
}

/** `data` of /history/by_params: a JSON object; absent means `{}` (server.md §4.7). */
function paramsOf(c: Context): Record<string, unknown> {
  const text = c.req.query("data");
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PageError(400, "Bad request", `data is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new PageError(400, "Bad request", `data must be a JSON object of parameter names to values, got ${JSON.stringify(parsed)}`);
  }
  if (Object.keys(parsed).length > MAX_PARAMS) {
    throw new PageError(400, "Bad request", `data may name at most ${MAX_PARAMS} parameters, got ${Object.keys(parsed).length}`);
  }
  return parsed as Record<string, unknown>;
}

const recent: Handler = async ({ c, store, links }) => {
  const days = c.req.query("days") ?? "1";
  if (days !== "all" && !(/^\d+(\.\d+)?$/.test(days) && Number(days) > 0)) {
    throw new PageError(400, "Bad request", `days must be a positive number or "all", got ${JSON.stringify(days)}`);
  }
  // Beyond a century back is "all" (and keeps the date arithmetic finite).
  const since = days === "all" || Number(days) > MAX_DAYS ? null : formatTs(store.clock.now() - Number(days) * DAY);
  const limit = limitOf(c);
  const { records, total } = await store.read("latest", since, limit);
  return {
    json: { since, days, limit, total, records: records.map(recordJson) },
    page: () => <RecentPage links={links} records={records} total={total} days={days} more={moreHref(c, limit, total)} />,
  };
};

const byName =
  (prefix: string, withParams: boolean): Handler =>
  async ({ c, store, links }) => {
    const name = remainder(c, prefix);
    const params = withParams ? paramsOf(c) : {};
    const limit = limitOf(c);
    const { records, total } = await store.read("byName", name, params, limit);
    return {
      json: { name, params, limit, total, records: records.map(recordJson) },
      page: () => <NamePage links={links} name={name} params={withParams ? params : null} records={records} total={total} more={moreHref(c, limit, total)} />,
    };
  };

const byId: Handler = async ({ c, store, links }) => {
  const id = remainder(c, "/history/by_id/");
  const record = /^\d{1,15}$/.test(id) ? await store.read("byId", Number(id)) : null;
  if (!record) throw new PageError(404, "Not found", `there is no task history record ${JSON.stringify(id)}`);
  return { json: detailJson(record), page: () => <DetailPage links={links} record={record} /> };
};

const byTaskId: Handler = async ({ c, store, links }) => {
  const taskId = remainder(c, "/history/by_task_id/");
  const record = await store.read("byTaskId", taskId);
  if (!record) throw new PageError(404, "Not found", `task ${JSON.stringify(taskId)} has no task history`);
  return { json: detailJson(record), page: () => <DetailPage links={links} record={record} /> };
};

const tasklist: Handler = async ({ store, links }) => {
  const families = await store.read("families");
  return { json: familiesJson(families), page: () => <TasklistPage links={links} families={families} /> };
};

const family: Handler = async ({ c, store, links }) => {
  const runs = await store.read("familyRuns", remainder(c, "/tasklist/"));
  return { json: familyRunsJson(runs), page: () => <FamilyPage links={links} family={runs} /> };
};

const notAllowed: Handler = async ({ c }) => {
  throw new PageError(405, "Method not allowed", `${c.req.method} is not allowed here; history pages answer GET`);
};

const ROUTES: Array<[string, Handler]> = [
  ["/history", recent],
  ["/history/by_id/*", byId],
  ["/history/by_task_id/*", byTaskId],
  ["/history/by_name/*", byName("/history/by_name/", false)],
  ["/history/by_params/*", byName("/history/by_params/", true)],
  ["/tasklist", tasklist],
  ["/tasklist/*", family],
];

/**
 * Registers the history routes on `app`. `getStore` returns null when history
 * is off: every route then answers 404 with how to turn it on (server.md §4.10).
 */
export function registerHistoryRoutes(app: Hono, getStore: () => HistoryStore | null): void {
  for (const [path, handler] of ROUTES) {
    app.get(path, (c) => answer(c, handler, getStore()));
    app.all(path, (c) => answer(c, notAllowed, getStore()));
  }
}

async function answer(c: Context, handler: Handler, store: HistoryStore | null): Promise<Response> {
  const json = c.req.query("format") === "json";
  const links = linksFrom(rootPrefix(rawPath(c)));
  try {
    if (!store) throw new PageError(404, "Task history is not enabled", NOT_ENABLED);
    // Queries run on the history thread, after every event recorded before this request.
    const { json: data, page } = await handler({ c, store, links });
    return json ? c.json(data) : c.html(renderPage(page()));
  } catch (error) {
    if (!(error instanceof PageError)) throw error;
    const status = error.status as ContentfulStatusCode;
    if (json) return c.json({ error: { code: CODE[error.status], message: error.message } }, status);
    return c.html(renderPage(<MessagePage links={links} title={error.title} message={error.message} />), status);
  }
}

const CODE = { 400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED" } as const;
