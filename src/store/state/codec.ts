/**
 * Engine records <-> the JSON documents kept in the state file.
 *
 * A record is stored as a JSON array of its fields in the order of its codec
 * table below (TASK / WORKER): about half the size of an object with keys,
 * and a restart of 100,000 tasks spends most of its time parsing. The tables
 * are typed against TaskRecord and WorkerRecord, so a field added to the
 * model does not compile until it has a codec. Changing the order, or adding
 * a field, is a schema change: bump the version and migrate (schema.ts).
 *
 * JSON cannot hold what the engine holds: Sets, and the non-finite numbers
 * the wire protocol accepts (`max_batch_size: Infinity`, and any number a
 * client chose to send). Typed numeric fields store a non-finite value as the
 * string "Infinity", "-Infinity" or "NaN". Free-form values (params, worker
 * info, message kwargs and responses) are stored as they are when they hold
 * neither a non-finite number nor a key starting with `$` (almost always);
 * otherwise as `{"$": <tagged>}`, where a non-finite number becomes
 * `{"$n": "Infinity"}` and a real key starting with `$` gets a second `$`:
 * a client can never forge a tag.
 *
 * Decoding validates every field: a document that does not decode is a
 * corrupt state file, and the store refuses it rather than guess.
 * @module
 */
import { CompactSet } from "../../engine/compact-set.ts";
import { LiveTask } from "../../engine/records.ts";
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

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "string" ? `"${value.slice(0, 40)}"` : typeof value;
}

function asDoc(value: unknown, field: string): Doc {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DecodeError(`${field}: expected an object, got ${describe(value)}`);
  }
  return value as Doc;
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

// ---- free-form JSON values -----------------------------------------------------

const NUMBER_TAG = "$n";
const TAGGED = "$";

/** Any JSON-like value (as parsed from the wire, so possibly non-finite numbers) -> plain JSON with tags. */
export function encodeJson(value: unknown): Json {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : { [NUMBER_TAG]: String(value) };
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
  if (keys.length === 1 && keys[0] === NUMBER_TAG) return decodeNumber((value as Doc)[NUMBER_TAG], "tagged number");
  const out: Doc = {};
  for (const key of keys) setKey(out, key.startsWith("$") ? key.slice(1) : key, decodeJson((value as Doc)[key]));
  return out;
}

/** True when JSON.stringify would keep `value` exactly and nothing in it looks like a tag. */
function storesAsIs(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(storesAsIs);
  if (typeof value !== "object") return false;
  for (const key in value) {
    if (key.startsWith("$") || !storesAsIs((value as Doc)[key])) return false;
  }
  return true;
}

function encodeFree(value: unknown): unknown {
  return storesAsIs(value) ? value : { [TAGGED]: encodeJson(value) };
}

function decodeFree(value: unknown): unknown {
  // Only a tagged value has a `$` key (storesAsIs): one lookup, no key list.
  if (value !== null && typeof value === "object" && Object.hasOwn(value, TAGGED)) return decodeJson((value as Doc)[TAGGED]);
  return value;
}

// ---- field codecs ----------------------------------------------------------------

interface FieldCodec<T> {
  encode(value: T): unknown;
  /** Throws DecodeError naming `field`. */
  decode(value: unknown, field: string): T;
  /**
   * For the generated record decoder: a JS condition on the expression `x`
   * that holds when the stored value already is the decoded one, so the
   * common case costs a typeof instead of a call.
   */
  readonly storedAsIs?: (x: string) => string;
}

type Codecs<R> = { [K in keyof R]-?: FieldCodec<R[K]> };

/** The encoder of fields stored as they are: compileEncoder writes those without a call. */
const identity = <T>(value: T): T => value;

function orNull<T>(codec: FieldCodec<T>): FieldCodec<T | null> {
  const inner = codec.storedAsIs;
  return {
    encode: codec.encode === identity ? identity : (value) => (value === null ? null : codec.encode(value)),
    decode: (value, field) => (value === null ? null : codec.decode(value, field)),
    ...(inner ? { storedAsIs: (x: string) => `${x} === null || ${inner(x)}` } : {}),
  };
}

const string: FieldCodec<string> = {
  storedAsIs: (x) => `typeof ${x} === "string"`,
  encode: identity,
  decode(value, field) {
    if (typeof value !== "string") throw new DecodeError(`${field}: expected a string, got ${describe(value)}`);
    return value;
  },
};

const boolean: FieldCodec<boolean> = {
  storedAsIs: (x) => `typeof ${x} === "boolean"`,
  encode: identity,
  decode(value, field) {
    if (typeof value !== "boolean") throw new DecodeError(`${field}: expected a boolean, got ${describe(value)}`);
    return value;
  },
};

const number: FieldCodec<number> = { encode: encodeNumber, decode: decodeNumber, storedAsIs: (x) => `typeof ${x} === "number"` };

const stringList: FieldCodec<string[]> = {
  encode: identity,
  decode(value, field) {
    if (!Array.isArray(value)) throw new DecodeError(`${field}: expected a list of strings`);
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] !== "string") throw new DecodeError(`${field}: expected a list of strings`);
    }
    return value as string[];
  },
};

/** Sets keep their insertion order: `workers` depends on it. */
const stringSet: FieldCodec<Set<string>> = {
  // The engine's sets lend their items without a copy (the encoder runs for every changed record).
  encode: (value) => (value instanceof CompactSet ? value.items() : [...value]),
  decode: (value, field) => new Set(stringList.decode(value, field)),
};

/** True when every item is a finite number: JSON.stringify keeps such a list or map as it is. */
function allFinite(values: Iterable<number>): boolean {
  for (const x of values) if (!Number.isFinite(x)) return false;
  return true;
}

const numberList: FieldCodec<number[]> = {
  encode: (value) => (allFinite(value) ? value : value.map(encodeNumber)),
  decode(value, field) {
    if (!Array.isArray(value)) throw new DecodeError(`${field}: expected a list of numbers`);
    return value.map((item) => decodeNumber(item, field));
  },
};

const numberMap: FieldCodec<Record<string, number>> = {
  encode(value) {
    let finite = true;
    for (const key in value) if (!Number.isFinite(value[key])) finite = false;
    // The common case: stored as it is (an own `__proto__` key included, as JSON.stringify lists own keys).
    if (finite) return value;
    const out: Record<string, number | string> = {};
    for (const [key, item] of Object.entries(value)) setKey(out, key, encodeNumber(item));
    return out;
  },
  decode(value, field) {
    const doc = asDoc(value, field);
    for (const key in doc) {
      // Stored numbers are the common case: only copy when a tag must be decoded.
      if (typeof doc[key] !== "number") {
        const out: Record<string, number> = {};
        for (const [k, item] of Object.entries(doc)) setKey(out, k, decodeNumber(item, `${field}.${k}`));
        return out;
      }
    }
    return doc as Record<string, number>;
  },
};

const freeValue: FieldCodec<unknown> = { encode: encodeFree, decode: decodeFree };

const freeObject: FieldCodec<Record<string, unknown>> = {
  encode: encodeFree,
  decode: (value, field) => asDoc(decodeFree(value), field),
};

/**
 * Compiles the decoder of a record or struct: one fixed-shape object literal,
 * a typeof for plain fields and one call site per other field. A restart runs
 * it 100,000 times in a cold process, before the JIT has warmed up, where a
 * loop of calls through a table costs twice as much. The source is built from
 * this module's own field names and checks, never from data; `read` says how
 * the stored value of field i is reached from `v`, and a field's name for
 * errors is only built on the slow path.
 */
function compileDecoder<R>(codecs: Codecs<R>, read: (i: number, field: string) => string): (v: unknown, name: string) => R {
  const fields = Object.keys(codecs) as (keyof R & string)[];
  const decoders = fields.map((field) => codecs[field].decode);
  const locals = fields.map((field, i) => `const x${i} = ${read(i, field)};`);
  const entries = fields.map((field, i) => {
    const call = `d[${i}](x${i}, n === "" ? ${JSON.stringify(field)} : n + ${JSON.stringify(`.${field}`)})`;
    const asIs = codecs[field].storedAsIs;
    return `${JSON.stringify(field)}: ${asIs ? `(${asIs(`x${i}`)}) ? x${i} : ${call}` : call}`;
  });
  const source = `return (v, n) => { ${locals.join(" ")} return { ${entries.join(", ")} }; };`;
  return new Function("d", source)(decoders) as (v: unknown, name: string) => R;
}

function struct<R>(codecs: Codecs<R>): FieldCodec<R> {
  const build = compileDecoder(codecs, (_, field) => `v[${JSON.stringify(field)}]`);
  const fresh = (value: R): Doc => {
    const out: Doc = {};
    for (const key in codecs) out[key] = codecs[key].encode(value[key]);
    return out;
  };
  return {
    encode(value) {
      // Stored as it is when no field needs encoding (the usual case: no copy); the decoder reads only its own fields.
      for (const key in codecs) if (codecs[key].encode(value[key]) !== value[key]) return fresh(value);
      return value;
    },
    decode: (value, field) => build(asDoc(value, field), field),
  };
}

function listOf<T>(codec: FieldCodec<T>): FieldCodec<T[]> {
  return {
    encode: (value) => (value.length === 0 ? value : value.map((item) => codec.encode(item))),
    decode(value, field) {
      if (!Array.isArray(value)) throw new DecodeError(`${field}: expected a list`);
      return value.map((item) => codec.decode(item, `${field}[]`));
    },
  };
}

// ---- records -----------------------------------------------------------------------

/** Field order is the stored order: append only, with a schema version bump. */
const TASK: Codecs<TaskRecord> = {
  id: string,
  status: string,
  deps: stringSet,
  stakeholders: stringSet,
  workers: stringSet,
  time: number,
  updated: number,
  retry: orNull(number),
  remove: orNull(number),
  workerRunning: orNull(string),
  timeRunning: orNull(number),
  resourcesRunning: orNull(numberMap),
  expl: orNull(string),
  priority: number,
  resources: numberMap,
  family: string,
  module: orNull(string),
  params: freeObject,
  paramVisibilities: numberMap,
  acceptsMessages: boolean,
  retryPolicy: struct<RetryPolicy>({ retryCount: number, disableHardTimeout: number, disableWindow: number }),
  failures: numberList,
  firstFailureTime: orNull(number),
  trackingUrl: orNull(string),
  statusMessage: orNull(string),
  progressPercentage: freeValue,
  schedulerMessageResponses: freeObject,
  schedulerDisableTime: orNull(number),
  runnable: boolean,
  batchable: boolean,
  batchId: orNull(string),
  owners: stringList,
};

const WORKER: Codecs<WorkerRecord> = {
  id: string,
  reference: orNull(struct<{ host: string | null }>({ host: orNull(string) })),
  lastActive: number,
  lastGetWork: orNull(number),
  started: number,
  info: freeObject,
  disabled: boolean,
  rpcMessages: listOf(struct<RpcMessage>({ name: string, kwargs: freeObject })),
};

/**
 * Compiles a record's encoder the same way: one array literal with a call
 * site per field (each sees one codec, so the JIT inlines it), or the value
 * itself for fields stored as they are. It runs for every changed record of
 * every group commit, on the request path. Built from field names only.
 */
function compileEncoder<R>(codecs: Codecs<R>): (record: R) => string {
  const fields = Object.keys(codecs) as (keyof R & string)[];
  const encoders = fields.map((field) => codecs[field].encode);
  const items = fields.map((field, i) => (codecs[field].encode === identity ? `r[${JSON.stringify(field)}]` : `e[${i}](r[${JSON.stringify(field)}])`));
  return new Function("e", `return (r) => JSON.stringify([${items.join(", ")}]);`)(encoders) as (record: R) => string;
}

class RecordCodec<R> {
  private readonly fields: (keyof R & string)[];
  private readonly build: (values: unknown, name: string) => R;
  readonly encode: (record: R) => string;

  constructor(
    private readonly kind: string,
    codecs: Codecs<R>,
  ) {
    this.fields = Object.keys(codecs) as (keyof R & string)[];
    this.build = compileDecoder(codecs, (i) => `v[${i}]`);
    this.encode = compileEncoder(codecs);
  }

  decode(text: string): R {
    const values: unknown = JSON.parse(text);
    if (!Array.isArray(values) || values.length !== this.fields.length) {
      throw new DecodeError(`${this.kind}: expected a list of ${this.fields.length} fields`);
    }
    return this.build(values, "");
  }
}

/**
 * Restore's variant: the three sets come back as the engine's own CompactSets,
 * which loadState adopts, instead of 3 JS Sets per task that it would replace
 * at once (~80 ms and ~80 MB of garbage per 100,000 tasks).
 */
const compactSet: FieldCodec<Set<string>> = {
  encode: stringSet.encode,
  decode: (value, field) => new CompactSet(stringList.decode(value, field)),
};

const taskCodec = new RecordCodec("task", TASK);
const engineTaskCodec = new RecordCodec("task", { ...TASK, deps: compactSet, stakeholders: compactSet, workers: compactSet });
const workerCodec = new RecordCodec("worker", WORKER);

export const encodeTask = (task: TaskRecord): string => taskCodec.encode(task);
export const decodeTask = (text: string): TaskRecord => taskCodec.decode(text);
/**
 * decodeTask with CompactSets, as the engine's own LiveTask: for a restore that
 * hands the records to Engine.loadState. The decoded plain record dies young;
 * were loadState to convert 10^6 of them, all would be alive at once (+300 MB
 * at the restore's peak).
 */
export const decodeTaskForEngine = (text: string): TaskRecord => new LiveTask(engineTaskCodec.decode(text));
export const encodeWorker = (worker: WorkerRecord): string => workerCodec.encode(worker);
export const decodeWorker = (text: string): WorkerRecord => workerCodec.decode(text);

// ---- scheduler-wide state --------------------------------------------------------------

export type BatcherRow = { worker: string; family: string; entry: BatcherEntry };

const batchers = listOf(
  struct<BatcherRow>({ worker: string, family: string, entry: struct<BatcherEntry>({ batchedArgs: stringList, maxBatchSize: number }) }),
);

export function encodeBatchers(rows: readonly BatcherRow[]): string {
  return JSON.stringify(batchers.encode([...rows]));
}

export function decodeBatchers(text: string): BatcherRow[] {
  return batchers.decode(JSON.parse(text), "batchers");
}

export function encodeResources(resources: Record<string, number>): string {
  return JSON.stringify(numberMap.encode(resources));
}

export function decodeResources(text: string, field: string): Record<string, number> {
  return numberMap.decode(JSON.parse(text), field);
}
