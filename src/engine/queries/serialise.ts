/**
 * The "task object" of every listing (rpc.md §2.9), pretty ids (§2.10) and
 * graph placeholders (§2.11), in Luigi's wire shape and key order.
 * @module
 */
import type { EngineConfig, TaskRecord, TaskStatus } from "../types.ts";
import { toArray } from "../compact-set.ts";
import { dict } from "./dict.ts";
import { ascii, type JsonWriter } from "./json-text.ts";

export interface SerialisedTask {
  display_name?: string;
  status: TaskStatus;
  workers: string[];
  worker_running: string | null;
  time_running: number | null;
  start_time: number;
  last_updated: number;
  params: Record<string, unknown>;
  name: string;
  priority: number;
  resources: Record<string, number>;
  resources_running: Record<string, number> | null;
  tracking_url: string | null;
  status_message: string | null;
  progress_percentage: unknown;
  re_enable_able?: boolean;
  deps?: string[];
  accepts_messages?: boolean;
}

/** A node for an id with no record, or a record without a family (§2.11). */
export interface PlaceholderNode {
  deps: string[];
  status: "UNKNOWN";
  workers: string[];
  start_time: "UNKNOWN";
  params: { task_id: string };
  name: string;
  display_name?: string;
  priority: 0;
}

type SerialiseConfig = Pick<EngineConfig, "sendMessages">;

/** What a pretty id is made of; TaskFacts (events) have it as well as TaskRecord. */
export type NamedTask = Readonly<Pick<TaskRecord, "family" | "params" | "paramVisibilities">>;

/** Params whose visibility is public: 0 or absent (1 is hidden, 2 private). */
export function publicParams(task: NamedTask): Record<string, unknown> {
  const visibilities = task.paramVisibilities;
  let allPublic = true;
  for (const key in visibilities) {
    if (visibilities[key] !== 0 && Object.hasOwn(task.params, key)) {
      allPublic = false;
      break;
    }
  }
  // The common case (no hidden params) shares the record's map: listings only read it.
  if (allPublic) return task.params;
  const out = dict<unknown>();
  for (const key in task.params) if ((visibilities[key] ?? 0) === 0) out[key] = task.params[key];
  return out;
}

/** Python's str() of a JSON value: a string as it is, anything else as repr() (`True`, `None`, `['a']`). */
export function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return String(value);
  }
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
    .join(", ")}}`;
}

/** `Family(k1=v1, k2=v2)` over public params sorted by name (§2.10). */
export function displayName(task: NamedTask): string {
  const params = publicParams(task);
  const keys = sortedKeys(params);
  let out = `${task.family}(`;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    const value = params[key];
    out += `${i === 0 ? "" : ", "}${key}=${pythonStr(value)}`;
  }
  return `${out})`;
}

/**
 * Pretty ids already written, as JSON text, kept on the params map they were
 * made from. A task's params map is set once and never changed in place, so a
 * listing after the first copies each pretty id instead of assembling it from
 * the family and each param (the largest single cost of a 100k-task listing).
 * Only maps that are the public params themselves hold one, and only ids that
 * need no escaping are kept: then the text is `"` + id + `"`, and checking
 * that it starts with the task's family tells a map shared by tasks of two
 * families apart.
 *
 * The text sits in a non-enumerable symbol-keyed property, which JSON,
 * spreads, Object.keys and for-in never see, and goes with the map when a
 * task is pruned. Not a WeakMap: JSC walks every entry of a WeakMap in each
 * collection, young ones included, which at 100k tasks added ~3.5 ms to every
 * young collection once a listing had filled it.
 */
const PRETTY_ID_JSON = Symbol("prettyIdJson");

type CachingParams = Record<string, unknown> & { [PRETTY_ID_JSON]?: string };

function cachedPrettyId(task: NamedTask, params: CachingParams): string | undefined {
  if (params !== task.params) return undefined;
  const text = params[PRETTY_ID_JSON];
  const family = task.family;
  return text !== undefined && text.charCodeAt(family.length + 1) === 40 && text.startsWith(family, 1) ? text : undefined;
}

function cachePrettyId(params: CachingParams, text: string): void {
  // The shared empty map is frozen: such tasks' ids are short anyway.
  if (Object.isExtensible(params)) Object.defineProperty(params, PRETTY_ID_JSON, { value: text, writable: true, configurable: true, enumerable: false });
}

/** JSON.stringify(displayName(task)), written from the cache or piece by piece: the pretty id is never built as one string unless it needs escaping. */
function writeDisplayName(out: JsonWriter, task: NamedTask, params: Record<string, unknown>): void {
  const cached = cachedPrettyId(task, params);
  if (cached !== undefined) return out.raw(cached);
  const keys = keyOrder(Object.keys(params));
  const start = out.openString();
  let plain = out.part(task.family);
  if (plain) out.raw("(");
  for (let i = 0; plain && i < keys.length; i += 1) {
    const key = keys[i]!;
    if (i > 0) out.raw(", ");
    plain = out.part(key);
    if (plain) {
      out.raw("=");
      plain = out.part(pythonStr(params[key]));
    }
  }
  if (!plain) return out.string(displayName(task));
  out.raw(")");
  out.closeString();
  if (params === task.params) cachePrettyId(params, out.asciiSince(start));
}

/**
 * The sorted order of a list of param names, remembered for the last few
 * lists: tasks of one family share their names, and sorting them again for
 * each of 100k tasks was a fifth of a listing.
 */
const recentKeyOrders: Array<{ keys: string[]; sorted: string[] }> = [];
const RECENT_KEY_ORDERS = 8;

function keyOrder(keys: string[]): string[] {
  for (const entry of recentKeyOrders) {
    const known = entry.keys;
    if (known.length !== keys.length) continue;
    let same = true;
    for (let i = 0; same && i < keys.length; i++) same = known[i] === keys[i];
    if (same) return entry.sorted;
  }
  const sorted = sortedKeysOf(keys.slice());
  if (recentKeyOrders.length >= RECENT_KEY_ORDERS) recentKeyOrders.pop();
  recentKeyOrders.unshift({ keys, sorted });
  return sorted;
}

/**
 * Keys in code-unit order, as Python sorts str. A task has a few params: an
 * insertion sort of those costs a fraction of Array#sort with a comparator,
 * which was a quarter of a 100k-task listing.
 */
function sortedKeys(params: Record<string, unknown>): string[] {
  return sortedKeysOf(Object.keys(params));
}

/** Sorts `keys` in place. */
function sortedKeysOf(keys: string[]): string[] {
  const n = keys.length;
  if (n > 16) return keys.sort();
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** §2.9. `deps` is added only when given (graph views, re_enable_task). */
export function serialiseTask(task: Readonly<TaskRecord>, config: SerialiseConfig, deps?: Iterable<string>): SerialisedTask {
  const out: SerialisedTask = {
    display_name: displayName(task),
    status: task.status,
    workers: toArray(task.workers),
    worker_running: task.workerRunning,
    time_running: task.timeRunning,
    start_time: task.time,
    last_updated: task.updated,
    params: publicParams(task),
    name: task.family,
    priority: task.priority,
    resources: task.resources,
    resources_running: task.resourcesRunning,
    tracking_url: task.trackingUrl,
    status_message: task.statusMessage,
    progress_percentage: task.progressPercentage,
  };
  if (task.status === "DISABLED") out.re_enable_able = task.schedulerDisableTime !== null;
  if (deps !== undefined) out.deps = [...deps];
  if (config.sendMessages && task.status === "RUNNING") out.accepts_messages = task.acceptsMessages;
  return out;
}

/** The constant text of a listed task, as bytes (JsonWriter.constant). */
const TASK_JSON = {
  displayName: ascii('{"display_name":'),
  status: ascii(',"status":'),
  workers: ascii(',"workers":['),
  /** worker_running and time_running both null, as for every task not running. */
  notRunning: ascii(',"worker_running":null,"time_running":null'),
  workerRunning: ascii(',"worker_running":'),
  timeRunning: ascii(',"time_running":'),
  startTime: ascii(',"start_time":'),
  lastUpdated: ascii(',"last_updated":'),
  params: ascii(',"params":'),
  name: ascii(',"name":'),
  priority: ascii(',"priority":'),
  resources: ascii(',"resources":'),
  /** resources_running to progress_percentage all null, as for most tasks. */
  noRunDetails: ascii(',"resources_running":null,"tracking_url":null,"status_message":null,"progress_percentage":null'),
  resourcesRunning: ascii(',"resources_running":'),
  trackingUrl: ascii(',"tracking_url":'),
  statusMessage: ascii(',"status_message":'),
  progressPercentage: ascii(',"progress_percentage":'),
  reEnableAble: ascii(',"re_enable_able":'),
  acceptsMessages: ascii(',"accepts_messages":'),
};


/**
 * JSON.stringify(serialiseTask(task, config)) written straight to bytes: the
 * same keys in the same order, without building the object (task_list of 100k
 * tasks spent more time building and stringifying objects than anything else).
 * Every value goes through `member`, whatever its declared type, so a record
 * with a surprise in it still reads as JSON.stringify would write it.
 */
export function writeTaskJson(out: JsonWriter, task: Readonly<TaskRecord>, config: SerialiseConfig): void {
  const params = publicParams(task);
  out.constant(TASK_JSON.displayName);
  writeDisplayName(out, task, params);
  out.recurringMember(TASK_JSON.status, task.status);
  out.constant(TASK_JSON.workers);
  let comma = false;
  for (const worker of toArray(task.workers)) {
    if (comma) out.raw(",");
    out.recurring(worker);
    comma = true;
  }
  out.raw("]");
  // A pending task's run-time fields are all null: one write for each run of them.
  if (task.workerRunning === null && task.timeRunning === null) out.constant(TASK_JSON.notRunning);
  else {
    out.member(TASK_JSON.workerRunning, task.workerRunning);
    out.member(TASK_JSON.timeRunning, task.timeRunning);
  }
  out.member(TASK_JSON.startTime, task.time);
  out.member(TASK_JSON.lastUpdated, task.updated);
  out.member(TASK_JSON.params, params);
  out.recurringMember(TASK_JSON.name, task.family);
  out.member(TASK_JSON.priority, task.priority);
  out.member(TASK_JSON.resources, task.resources);
  if (task.resourcesRunning === null && task.trackingUrl === null && task.statusMessage === null && task.progressPercentage === null) {
    out.constant(TASK_JSON.noRunDetails);
  } else {
    out.member(TASK_JSON.resourcesRunning, task.resourcesRunning);
    out.member(TASK_JSON.trackingUrl, task.trackingUrl);
    out.member(TASK_JSON.statusMessage, task.statusMessage);
    out.member(TASK_JSON.progressPercentage, task.progressPercentage);
  }
  if (task.status === "DISABLED") out.member(TASK_JSON.reEnableAble, task.schedulerDisableTime !== null);
  if (config.sendMessages && task.status === "RUNNING") out.member(TASK_JSON.acceptsMessages, task.acceptsMessages);
  out.raw("}");
}

const FAMILY_PREFIX = /^([^(_]+)[(_]/;

/** §2.11: the family guessed from the id, or "UNKNOWN". */
export function placeholderNode(taskId: string): PlaceholderNode {
  return {
    deps: [],
    status: "UNKNOWN",
    workers: [],
    start_time: "UNKNOWN",
    params: { task_id: taskId },
    name: FAMILY_PREFIX.exec(taskId)?.[1] ?? "UNKNOWN",
    display_name: taskId,
    priority: 0,
  };
}
