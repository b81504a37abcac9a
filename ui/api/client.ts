/**
 * The page's only way to the server. Every URL is relative to
 * /static/visualiser/index.html, so the UI works under a proxy sub-path.
 * Reads go to /ui-api (paged, filtered on the server); actions go to Luigi's
 * /api RPCs, form-encoded as Luigi's own client sends them.
 * @module
 */
import type { UiGraph, UiResource, UiSummary, UiTask, UiTaskPage, UiVersion, UiWorker } from "../../src/http/ui/types.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = JSON.parse(text) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {}
    throw new ApiError(response.status, message);
  }
  return JSON.parse(text);
}

/**
 * Until then, reads ask the server for a snapshot at its current version
 * (`fresh=1`) instead of one that may trail by a second: set after an action,
 * so its effect shows at once, without making every later read wait.
 */
let freshUntil = 0;

/** RPCs that change nothing (the modals poll some of them): no fresh snapshot needed after them. */
const READS = new Set(["fetch_error", "get_task_status_message", "get_task_progress_percentage", "get_scheduler_message_response", "is_paused"]);

/** Calls a Luigi RPC and returns its `response`. */
export async function rpc<T = unknown>(method: string, data?: Record<string, unknown>): Promise<T> {
  const init: RequestInit = { method: "POST", credentials: "same-origin" };
  if (data !== undefined) init.body = new URLSearchParams({ data: JSON.stringify(data) });
  const body = (await readJson(await fetch(`../../api/${method}`, init))) as { response: T };
  if (!READS.has(method)) freshUntil = Date.now() + 1500;
  return body.response;
}

type Query = Record<string, string | number | boolean | null | undefined>;

async function get<T>(path: string, query: Query = {}): Promise<T> {
  const params = new URLSearchParams();
  if (Date.now() < freshUntil) params.set("fresh", "1");
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === false || value === "") continue;
    params.set(key, value === true ? "1" : String(value));
  }
  const qs = params.toString();
  return (await readJson(await fetch(`../../ui-api/${path}${qs ? `?${qs}` : ""}`, { credentials: "same-origin" }))) as T;
}

export const uiApi = {
  summary: () => get<UiSummary>("summary"),
  tasks: (q: Query) => get<UiTaskPage>("tasks", q),
  task: (id: string) => get<UiTask>("task", { id }),
  graph: (q: Query) => get<UiGraph>("graph", q),
  workers: () => get<UiWorker[]>("workers"),
  resources: () => get<UiResource[]>("resources"),
};

export const EVENTS_URL = "../../ui-api/events";
export const VERSION_PATH = "version";
export const getVersion = () => get<UiVersion>(VERSION_PATH);
