/**
 * JSON written by hand, straight to UTF-8 bytes, for the one reply too big
 * for JSON.stringify over intermediate objects: task_list of every pending
 * task (~45 MB at 100k tasks). Building the objects, stringifying them and
 * encoding the string cost ~250 ms there; concatenating strings instead is no
 * better (flattening millions of small ropes costs as much). Plain ASCII
 * text, the common case, is copied byte by byte; anything else goes through
 * JSON.stringify, so every byte written is what JSON.stringify writes for the
 * same value, key order included.
 * @module
 */

import { GzipStream } from "./gzip-stream.ts";

const encoder = new TextEncoder();
/** Reads back ASCII the writer wrote (cached pretty ids): one byte per character. */
const latin1 = new TextDecoder("latin1");
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Text known to be plain ASCII JSON (keys, punctuation), as bytes for `JsonWriter.constant`. */
export function ascii(text: string): Uint8Array {
  return encoder.encode(text);
}

const COLON = ascii(":");

/** Enough for every worker and family of a big scheduler; beyond it strings are written afresh. */
const MAX_RECURRENT = 4096;

/**
 * A growing UTF-8 buffer of JSON text. Values are written as JSON.stringify
 * writes them inside an object or array (non-finite numbers as null, -0 as 0,
 * lone surrogates escaped).
 */
export class JsonWriter {
  private bytes: Uint8Array<ArrayBuffer>;
  private pos = 0;
  private mark = 0;
  private lastNumber = 0;
  private lastNumberText = "0";
  private lastWhole = -1;
  private lastWholeText = "";
  private readonly recurrent = new Map<string, Uint8Array<ArrayBuffer>>();

  /**
   * With `spill`, `checkpoint` hands over what has been written once it
   * reaches `spillAt` bytes and starts again at the top of the same buffer.
   */
  constructor(
    capacity = 1 << 16,
    private readonly spillAt = Number.POSITIVE_INFINITY,
    private readonly spill?: (bytes: Uint8Array) => void,
  ) {
    this.bytes = new Uint8Array(capacity);
  }

  /** A point between two values where the bytes so far may be handed over (see the constructor). */
  checkpoint(): void {
    if (this.pos < this.spillAt || !this.spill) return;
    this.spill(this.bytes.subarray(0, this.pos));
    this.pos = 0;
  }

  /** The bytes written (since the last spill); a view: the writer must not be used afterwards. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.bytes.subarray(0, this.pos);
  }

  /** Text known to be JSON already and ASCII (punctuation, quoted constant keys, numbers). */
  raw(ascii: string): void {
    const n = ascii.length;
    if (this.pos + n > this.bytes.byteLength) this.grow(n);
    const bytes = this.bytes;
    let p = this.pos;
    for (let i = 0; i < n; i++) bytes[p++] = ascii.charCodeAt(i);
    this.pos = p;
  }

  /** Bytes prepared once (see `ascii`): no per-character work, unlike `raw`. */
  constant(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos + n > this.bytes.byteLength) this.grow(n);
    if (n > 64) {
      this.bytes.set(bytes, this.pos);
      this.pos += n;
      return;
    }
    // Short runs: a loop costs less than the native call (which profiling showed to be a tenth of a listing).
    const out = this.bytes;
    let p = this.pos;
    for (let i = 0; i < n; i++) out[p++] = bytes[i]!;
    this.pos = p;
  }

  /** JSON text of any kind (non-ASCII included), encoded as UTF-8. */
  private text(json: string): void {
    if (this.pos + json.length * 3 > this.bytes.byteLength) this.grow(json.length * 3);
    this.pos += encoder.encodeInto(json, this.bytes.subarray(this.pos)).written;
  }

  /** A string's characters without the quotes, if none needs escaping and all are ASCII; else writes nothing and returns false. */
  private plain(s: string): boolean {
    const n = s.length;
    if (this.pos + n > this.bytes.byteLength) this.grow(n);
    const bytes = this.bytes;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === QUOTE || c === BACKSLASH || c > 0x7e) return false;
      bytes[p++] = c;
    }
    this.pos = p;
    return true;
  }

  string(s: string): void {
    const n = s.length;
    if (this.pos + n + 2 > this.bytes.byteLength) this.grow(n + 2);
    const bytes = this.bytes;
    let p = this.pos;
    bytes[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === QUOTE || c === BACKSLASH || c > 0x7e) return this.text(JSON.stringify(s));
      bytes[p++] = c;
    }
    bytes[p++] = QUOTE;
    this.pos = p;
  }

  /**
   * A string written in pieces, for text never built whole (a pretty id):
   * `openString`, then `part` for each piece; if a piece is not plain ASCII it
   * returns false and the caller writes the whole string with `string`
   * instead, which replaces the pieces.
   */
  openString(): number {
    this.mark = this.pos;
    this.raw('"');
    return this.mark;
  }

  /** What was written since `start` (a position returned by openString), read back as text; ASCII only. */
  asciiSince(start: number): string {
    return latin1.decode(this.bytes.subarray(start, this.pos));
  }

  part(s: string): boolean {
    if (this.plain(s)) return true;
    this.pos = this.mark;
    return false;
  }

  closeString(): void {
    this.raw('"');
  }

  number(n: number): void {
    // Timestamps, the bulk of a listing's numbers, are whole microseconds (the
    // clock is Date.now()/1000, nudged by 1e-6): their digits are written here,
    // which costs a fraction of String(n). Below 2^32 a double's spacing is
    // under 1e-6, so "I.FFFFFF" (trailing zeros dropped) is the one shortest
    // decimal that reads back as n, which is what String(n) writes.
    if (n >= 1 && n < 4294967296) {
      const micros = Math.round(n * 1e6);
      if (micros / 1e6 === n) return this.micros(micros);
    }
    if (n !== this.lastNumber) {
      this.lastNumber = n;
      this.lastNumberText = Number.isFinite(n) ? String(n) : "null";
    }
    this.raw(this.lastNumberText);
  }

  /** `micros / 1e6` in decimal, for 1e6 <= micros < 2^32 * 1e6. */
  private micros(micros: number): void {
    let whole = Math.floor(micros / 1e6);
    let fraction = micros - whole * 1e6;
    if (fraction < 0) {
      whole -= 1;
      fraction += 1e6;
    } else if (fraction >= 1e6) {
      whole += 1;
      fraction -= 1e6;
    }
    // Timestamps in one listing share their seconds more often than not.
    if (whole !== this.lastWhole) {
      this.lastWhole = whole;
      this.lastWholeText = String(whole);
    }
    this.raw(this.lastWholeText);
    if (fraction === 0) return;
    // fraction < 1e6: small-integer arithmetic from here on.
    let f = fraction | 0;
    let digits = 6;
    while (f % 10 === 0) {
      f = (f / 10) | 0;
      digits -= 1;
    }
    if (this.pos + digits + 1 > this.bytes.byteLength) this.grow(digits + 1);
    const bytes = this.bytes;
    let p = this.pos + digits + 1;
    this.pos = p;
    for (let i = 0; i < digits; i++) {
      bytes[--p] = 48 + (f % 10);
      f = (f / 10) | 0;
    }
    bytes[--p] = 0x2e;
  }


  /**
   * A string that recurs across the reply (worker ids, families, statuses):
   * its JSON bytes are kept for the rest of this writer's life and copied.
   */
  recurring(s: string): void {
    let bytes = this.recurrent.get(s);
    if (bytes === undefined) {
      bytes = encoder.encode(JSON.stringify(s));
      if (this.recurrent.size < MAX_RECURRENT) this.recurrent.set(s, bytes);
    }
    this.constant(bytes);
  }

  /** `member` for a value that is usually a recurring string. */
  recurringMember(prefix: Uint8Array, value: unknown): void {
    if (typeof value !== "string") {
      this.member(prefix, value);
      return;
    }
    this.constant(prefix);
    this.recurring(value);
  }

  /**
   * A member: `prefix` (its key, ASCII JSON text such as `,"name":` made by `ascii`) and
   * the value, or nothing where JSON.stringify drops the member (undefined,
   * functions, a toJSON giving undefined). Returns whether it wrote.
   * Strings, numbers, booleans, null and plain maps are written here; any
   * other value through JSON.stringify.
   */
  member(prefix: Uint8Array, value: unknown): boolean {
    switch (typeof value) {
      case "string":
        this.constant(prefix);
        this.string(value);
        return true;
      case "number":
        this.constant(prefix);
        this.number(value);
        return true;
      case "boolean":
        this.constant(prefix);
        this.raw(value ? "true" : "false");
        return true;
      case "object":
        if (value === null) {
          this.constant(prefix);
          this.raw("null");
          return true;
        }
        if (isPlainMap(value)) {
          this.constant(prefix);
          this.map(value);
          return true;
        }
    }
    const text = JSON.stringify(value);
    if (text === undefined) return false;
    this.constant(prefix);
    this.text(text);
    return true;
  }

  /** A plain map: its own enumerable keys in their order, as JSON.stringify lists them. */
  private map(map: Readonly<Record<string, unknown>>): void {
    this.raw("{");
    let prefix = "";
    for (const key of Object.keys(map)) {
      const start = this.pos;
      this.raw(prefix);
      this.string(key);
      // The key goes first and is taken back if JSON.stringify would drop the member.
      if (this.member(COLON, map[key])) prefix = ",";
      else this.pos = start;
    }
    this.raw("}");
  }

  private grow(need: number): void {
    const grown = new Uint8Array(Math.max(this.pos + need, this.bytes.byteLength * 2));
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }
}

/** A map JSON.stringify writes member by member: not an array, no toJSON, no boxed primitive or other class. */
function isPlainMap(value: object): value is Readonly<Record<string, unknown>> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === null || proto === Object.prototype) && typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

/** A canonical array index ("0" … "4294967294"): JSON.stringify lists such keys first, in numeric order. */
function isArrayIndex(key: string): boolean {
  if (key === "") return false;
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57 || (first === 48 && key.length > 1) || key.length > 10) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(key) < 4294967295;
}

/**
 * Items in the order JSON.stringify lists an object whose keys were inserted
 * in this order: array-index keys first, ascending, then the rest as they
 * came. Such keys are rare, so the common case returns `items` itself.
 */
export function inJsonKeyOrder<T>(items: readonly T[], keyOf: (item: T) => string): readonly T[] {
  let indexed: T[] | null = null;
  for (const item of items) if (isArrayIndex(keyOf(item))) (indexed ??= []).push(item);
  if (indexed === null) return items;
  indexed.sort((a, b) => Number(keyOf(a)) - Number(keyOf(b)));
  const first = new Set(indexed);
  return [...indexed, ...items.filter((item) => !first.has(item))];
}

/** Above this a reply is compressed as it is written (gzip-stream.ts), in chunks of this size. */
const SPILL_BYTES = 1 << 20;

/**
 * A reply serialised ahead of the HTTP edge: the UTF-8 bytes of the whole
 * envelope `{"response":…}`, gzipped when they run past a megabyte (the
 * clients of such listings, Python's requests and browsers, accept gzip; the
 * edge decompresses for one that does not). Anything that serialises it with
 * JSON.stringify instead (tests, other callers of the wire table) gets the
 * same value back through toJSON.
 */
export class JsonReply {
  private constructor(
    /** The envelope, or a gzip member of it. */
    readonly body: Uint8Array<ArrayBuffer>,
    readonly gzipped: boolean,
  ) {}

  /** Writes the value with `write`, inside the envelope; `write` calls `out.checkpoint()` between values. */
  static write(write: (out: JsonWriter) => void, spillBytes = SPILL_BYTES): JsonReply {
    let gzip: GzipStream | null = null;
    const out = new JsonWriter(spillBytes + (1 << 16), spillBytes, (bytes) => (gzip ??= new GzipStream()).write(bytes));
    out.raw('{"response":');
    write(out);
    out.raw("}");
    const rest = out.finish();
    return gzip === null ? new JsonReply(rest.slice(), false) : new JsonReply((gzip as GzipStream).end(rest), true);
  }

  /** The envelope's bytes, decompressed if need be. */
  envelope(): Uint8Array<ArrayBuffer> {
    return this.gzipped ? (Bun.gunzipSync(this.body) as Uint8Array<ArrayBuffer>) : this.body;
  }

  /** The value (what the envelope's "response" holds) as JSON.parse reads it. */
  toJSON(): unknown {
    return (JSON.parse(new TextDecoder().decode(this.envelope())) as { response: unknown }).response;
  }
}
