/**
 * The JSON the visualiser reads from /ui-api/*. The UI imports these with
 * `import type` only, so both sides agree on one definition.
 *
 * Field names are camelCase (this API is ours, not Luigi's); the mutating
 * actions still go through Luigi's /api RPCs with their snake_case names.
 * @module
 */

/**
 * Where a task sits in the task list. Luigi's eight boxes, plus UNKNOWN for
 * placeholders (Luigi's visualiser never shows those at all).
 */
export const CATEGORIES = [
  "PENDING",
  "RUNNING",
  "BATCH_RUNNING",
  "DONE",
  "FAILED",
  "UPSTREAM_FAILED",
  "DISABLED",
  "UPSTREAM_DISABLED",
  "UNKNOWN",
] as const;
export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

/** Sortable columns of the task list, Luigi's order (hash key `order=<index>,<dir>`). */
export const SORT_KEYS = ["category", "name", "details", "priority", "time"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** One task as the UI shows it. */
export interface UiTask {
  id: string;
  name: string;
  displayName: string;
  status: string;
  category: Category;
  /** Public parameters, as the client sent them (Luigi's client sends strings). */
  params: Record<string, unknown>;
  priority: number;
  resources: Record<string, number>;
  resourcesRunning: Record<string, number> | null;
  workers: string[];
  workerRunning: string | null;
  timeRunning: number | null;
  startTime: number;
  lastUpdated: number;
  trackingUrl: string | null;
  statusMessage: string | null;
  progressPercentage: number | null;
  /** DISABLED by the scheduler, so `re_enable_task` works. */
  reEnableAble: boolean;
  /** RUNNING and `send_messages` on. */
  acceptsMessages: boolean;
  deps: number;
}

export interface UiSummary {
  version: number;
  /** Engine version the category/family counts were computed at (may trail `version` briefly). */
  indexVersion: number;
  /** CPU milliseconds the last rebuild of the task index took (spread over slices). */
  indexBuildMs: number;
  total: number;
  counts: Record<Category, number>;
  /** The families with the most tasks, at most MAX_FAMILIES of them (the sidebar must stay usable). */
  families: Array<{ name: string; count: number }>;
  /** How many families there are in all. */
  familyCount: number;
  pauseEnabled: boolean;
  paused: boolean;
  hasHistory: boolean;
  workers: number;
  resources: number;
}

export interface UiTaskPage {
  version: number;
  /** Rows matching every filter. */
  matched: number;
  /** Rows before the text/family filters (the categories still apply). */
  total: number;
  offset: number;
  rows: UiTask[];
}

export interface UiGraphNode extends UiTask {
  /** Edges inside the returned graph, in the requested direction. */
  edges: string[];
  /** Hops from the root. */
  depth: number;
  /** Has edges to tasks beyond the hop or size limit (not returned). */
  truncated: boolean;
}

export interface UiGraph {
  version: number;
  root: string;
  found: boolean;
  direction: "down" | "up";
  hops: number;
  nodes: UiGraphNode[];
  /** Number of tasks reachable but cut off by hops/limit. */
  truncatedCount: number;
  limit: number;
}

export interface UiWorker {
  id: string;
  state: "active" | "disabled";
  started: number;
  lastActive: number;
  firstTask: string | null;
  firstTaskDisplayName: string;
  /** Number of processes the worker reported (`workers` info), if any. */
  processes: number | null;
  host: string | null;
  username: string | null;
  pid: string | null;
  unreadMessages: number;
  numPending: number;
  numUniques: number;
  running: UiTask[];
}

export interface UiResource {
  name: string;
  total: number;
  used: number;
  running: UiTask[];
}

/** What live pages are told (SSE `version` events, /ui-api/version). */
export interface UiVersion {
  /** The engine version the server's views show: moves on any change, worker pings included. */
  version: number;
  /** Moves only when tasks, the pause flag or resources changed: what the task views depend on. */
  tasks: number;
}
