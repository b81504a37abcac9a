/**
 * Engine records <-> the JSON documents kept in the state file.
 *
 * JSON cannot hold what the engine holds: Sets, and the non-finite numbers
 * the wire protocol accepts (`max_batch_size: Infinity`, and any number a
 * client chose to send). Typed numeric fields store a non-finite value as the
 * string "Infinity", "-Infinity" or "NaN". Free-form values (params, worker
 * info, message kwargs and responses) may contain such numbers anywhere, so
 * they go through `encodeJson`, which tags them as `{"$n": "Infinity"}` and
 * escapes any real key that starts with `$` by doubling the `$`: a client can
 * never forge a tag.
 *
 * Decoding validates every field: a document that does not decode is a
 * corrupt state file, and the store refuses it rather than guess.
 * @module
 */
import type { BatcherEntry, RetryPolicy, RpcMessage, TaskRecord, WorkerRecord } from "../../engine/types.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Doc = Record<string, unknown>;

/** Why a stored document was rejected; the store names the file and the row. */
export class DecodeError extends Error {
  override name = "DecodeError";
}

/** Assigns an own property, even for the key `__proto__` that a hostile client may send. */
function setKey<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---- numbers ---------------------------------------------------------------

const NON_FINITE: Record<string, number> = { Infinity: Infinity, "-Infinity": -Infinity, NaN: NaN };

export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function decodeNumber(value: unknown, field: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value in NON_FINITE) return NON_FINITE[value]!;
  throw new DecodeError(`${field}: expected a number, got ${describe(value)}`);
}

// ---- free-form JSON values ---------------------------------------------------

const TAG = "$n";

/** Any JSON-like value (as parsed from the wire, so possibly non-finite numbers) -> plain JSON. */
export function encodeJson(value: unknown): Json {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : { [TAG]: String(value) };
  if (Array.isArray(value)) return value.map(encodeJson);
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === "function") continue; // JSON.stringify drops these too
      setKey(out, key.startsWith("$") ? `$${key}` : key, encodeJson(item));
    }
    return out;
  }
  // bigint, symbol, undefined: nothing the wire can produce; keep the document valid.
  return null;
}

/** The inverse of encodeJson. */
export function decodeJson(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeJson);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === TAG) return decodeNumber((value as Doc)[TAG], "tagged number");
  const out: Doc = {};
  for (const key of keys) setKey(out, key.startsWith("$") ? key.slice(1) : key, decodeJson((value as Doc)[key]));
  return out;
}

// ---- field helpers (decode side) ----------------------------------------------

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `"${value.slice(0, 40)}"` : typeof value;
}

function asDoc(value: unknown, field: string): Doc {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DecodeError(`${field}: expected an object, got ${describe(value)}`);
  }
  return value as Doc;
}

function str(doc: Doc, field: string): string {
  const value = doc[field];
  if (typeof value !== "string") throw new DecodeError(`${field}: expected a string, got ${describe(value)}`);
  return value;
}

function strOrNull(doc: Doc, field: string): string | null {
  return doc[field] === null ? null : str(doc, field);
}

function bool(doc: Doc, field: string): boolean {
  const value = doc[field];
  if (typeof value !== "boolean") throw new DecodeError(`${field}: expected a boolean, got ${describe(value)}`);
  return value;
}

function num(doc: Doc, field: string): number {
  return decodeNumber(doc[field], field);
}

function numOrNull(doc: Doc, field: string): number | null {
  return doc[field] === null ? null : num(doc, field);
}

function strings(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new DecodeError(`${field}: expected a list of strings`);
  }
  return value as string[];
}

function numbers(value: unknown, field: string): number[] {
  if (!Array.isArray(value)) throw new DecodeError(`${field}: expected a list of numbers`);
  return value.map((item) => decodeNumber(item, field));
}

function encodeNumberMap(map: Record<string, number>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(map)) setKey(out, key, encodeNumber(value));
  return out;
}

export function decodeNumberMap(value: unknown, field: string): Record<string, number> {
  const doc = asDoc(value, field);
  const out: Record<string, number> = {};
  for (const [key, item] of Object.entries(doc)) setKey(out, key, decodeNumber(item, `${field}.${key}`));
  return out;
}

function decodeObject(value: unknown, field: string): Record<string, unknown> {
  return asDoc(decodeJson(asDoc(value, field)), field);
}

// ---- tasks ---------------------------------------------------------------------

export function encodeTask(task: TaskRecord): string {
  return JSON.stringify({
    id: task.id,
    status: task.status,
    deps: [...task.deps],
    stakeholders: [...task.stakeholders],
    workers: [...task.workers],
    time: encodeNumber(task.time),
    updated: encodeNumber(task.updated),
    retry: task.retry === null ? null : encodeNumber(task.retry),
    remove: task.remove === null ? null : encodeNumber(task.remove),
    workerRunning: task.workerRunning,
    timeRunning: task.timeRunning === null ? null : encodeNumber(task.timeRunning),
    resourcesRunning: task.resourcesRunning === null ? null : encodeNumberMap(task.resourcesRunning),
    expl: task.expl,
    priority: encodeNumber(task.priority),
    resources: encodeNumberMap(task.resources),
    family: task.family,
    module: task.module,
    params: encodeJson(task.params),
    paramVisibilities: encodeNumberMap(task.paramVisibilities),
    acceptsMessages: task.acceptsMessages,
    retryPolicy: {
      retryCount: encodeNumber(task.retryPolicy.retryCount),
      disableHardTimeout: encodeNumber(task.retryPolicy.disableHardTimeout),
      disableWindow: encodeNumber(task.retryPolicy.disableWindow),
    },
    failures: task.failures.map(encodeNumber),
    firstFailureTime: task.firstFailureTime === null ? null : encodeNumber(task.firstFailureTime),
    trackingUrl: task.trackingUrl,
    statusMessage: task.statusMessage,
    progressPercentage: task.progressPercentage === null ? null : encodeNumber(task.progressPercentage),
    schedulerMessageResponses: encodeJson(task.schedulerMessageResponses),
    schedulerDisableTime: task.schedulerDisableTime === null ? null : encodeNumber(task.schedulerDisableTime),
    runnable: task.runnable,
    batchable: task.batchable,
    batchId: task.batchId,
    owners: task.owners,
  });
}

function decodeRetryPolicy(value: unknown): RetryPolicy {
  const doc = asDoc(value, "retryPolicy");
  return {
    retryCount: num(doc, "retryCount"),
    disableHardTimeout: num(doc, "disableHardTimeout"),
    disableWindow: num(doc, "disableWindow"),
  };
}

export function decodeTask(text: string): TaskRecord {
  const doc = asDoc(JSON.parse(text), "task");
  return {
    id: str(doc, "id"),
    status: str(doc, "status"),
    deps: new Set(strings(doc.deps, "deps")),
    stakeholders: new Set(strings(doc.stakeholders, "stakeholders")),
    workers: new Set(strings(doc.workers, "workers")),
    time: num(doc, "time"),
    updated: num(doc, "updated"),
    retry: numOrNull(doc, "retry"),
    remove: numOrNull(doc, "remove"),
    workerRunning: strOrNull(doc, "workerRunning"),
    timeRunning: numOrNull(doc, "timeRunning"),
    resourcesRunning: doc.resourcesRunning === null ? null : decodeNumberMap(doc.resourcesRunning, "resourcesRunning"),
    expl: strOrNull(doc, "expl"),
    priority: num(doc, "priority"),
    resources: decodeNumberMap(doc.resources, "resources"),
    family: str(doc, "family"),
    module: strOrNull(doc, "module"),
    params: decodeObject(doc.params, "params"),
    paramVisibilities: decodeNumberMap(doc.paramVisibilities, "paramVisibilities"),
    acceptsMessages: bool(doc, "acceptsMessages"),
    retryPolicy: decodeRetryPolicy(doc.retryPolicy),
    failures: numbers(doc.failures, "failures"),
    firstFailureTime: numOrNull(doc, "firstFailureTime"),
    trackingUrl: strOrNull(doc, "trackingUrl"),
    statusMessage: strOrNull(doc, "statusMessage"),
    progressPercentage: numOrNull(doc, "progressPercentage"),
    schedulerMessageResponses: decodeObject(doc.schedulerMessageResponses, "schedulerMessageResponses"),
    schedulerDisableTime: numOrNull(doc, "schedulerDisableTime"),
    runnable: bool(doc, "runnable"),
    batchable: bool(doc, "batchable"),
    batchId: strOrNull(doc, "batchId"),
    owners: strings(doc.owners, "owners"),
  };
}

// ---- workers -------------------------------------------------------------------

export function encodeWorker(worker: WorkerRecord): string {
  return JSON.stringify({
    id: worker.id,
    reference: worker.reference === null ? null : { host: worker.reference.host },
    lastActive: encodeNumber(worker.lastActive),
    lastGetWork: worker.lastGetWork === null ? null : encodeNumber(worker.lastGetWork),
    started: encodeNumber(worker.started),
    info: encodeJson(worker.info),
    disabled: worker.disabled,
    rpcMessages: worker.rpcMessages.map((message) => ({ name: message.name, kwargs: encodeJson(message.kwargs) })),
  });
}

function decodeMessage(value: unknown): RpcMessage {
  const doc = asDoc(value, "rpcMessages[]");
  return { name: str(doc, "name"), kwargs: decodeObject(doc.kwargs, "rpcMessages[].kwargs") };
}

export function decodeWorker(text: string): WorkerRecord {
  const doc = asDoc(JSON.parse(text), "worker");
  if (!Array.isArray(doc.rpcMessages)) throw new DecodeError("rpcMessages: expected a list");
  return {
    id: str(doc, "id"),
    reference: doc.reference === null ? null : { host: strOrNull(asDoc(doc.reference, "reference"), "host") },
    lastActive: num(doc, "lastActive"),
    lastGetWork: numOrNull(doc, "lastGetWork"),
    started: num(doc, "started"),
    info: decodeObject(doc.info, "info"),
    disabled: bool(doc, "disabled"),
    rpcMessages: doc.rpcMessages.map(decodeMessage),
  };
}

// ---- scheduler-wide state ------------------------------------------------------

export type BatcherRow = { worker: string; family: string; entry: BatcherEntry };

export function encodeBatchers(batchers: readonly BatcherRow[]): string {
  return JSON.stringify(
    batchers.map(({ worker, family, entry }) => ({
      worker,
      family,
      batchedArgs: entry.batchedArgs,
      maxBatchSize: encodeNumber(entry.maxBatchSize),
    })),
  );
}

export function decodeBatchers(text: string): BatcherRow[] {
  const list: unknown = JSON.parse(text);
  if (!Array.isArray(list)) throw new DecodeError("batchers: expected a list");
  return list.map((item) => {
    const doc = asDoc(item, "batchers[]");
    return {
      worker: str(doc, "worker"),
      family: str(doc, "family"),
      entry: { batchedArgs: strings(doc.batchedArgs, "batchedArgs"), maxBatchSize: num(doc, "maxBatchSize") },
    };
  });
}

export function encodeResources(resources: Record<string, number>): string {
  return JSON.stringify(encodeNumberMap(resources));
}

export function decodeResources(text: string, field: string): Record<string, number> {
  return decodeNumberMap(JSON.parse(text), field);
}
