/**
 * Reading RPC arguments the way Luigi reads them (rpc.md §0, §1.3): an absent
 * key takes the method's default, truthiness is Python's, unknown keys are
 * ignored, and a value Luigi would crash on (HTTP 500) is refused here with a
 * BAD_ARGUMENTS error that names the argument, which the HTTP edge turns into
 * a 400.
 * @module
 */
import { truthy } from "../engine/records.ts";
import { LuigidError } from "../lib/errors.ts";

/** Python's truth value of a JSON value (null, false, 0, NaN, "", [] and {} are false). */
export { truthy };

/** The decoded `data` object of one request. */
export type Args = Readonly<Record<string, unknown>>;

function bad(method: string, key: string, expected: string, value: unknown): LuigidError {
  return new LuigidError("BAD_ARGUMENTS", `${method}: argument "${key}" must be ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (it is required)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One reader per request: each getter takes the key, checks its type and
 * applies the default when the key is absent. `null` is a value, not an
 * absence, exactly as in Luigi (the Python client sends every default).
 */
export class ArgReader {
  constructor(
    readonly method: string,
    readonly args: Args,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.args, key) && this.args[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.has(key) ? this.args[key] : undefined;
  }

  /** Any JSON value (null included), required. */
  any(key: string): unknown {
    if (this.has(key)) return this.args[key];
    throw bad(this.method, key, "given", undefined);
  }

  /** A required string (the empty string is a valid value: Luigi accepts worker ""). */
  string(key: string): string {
    const value = this.raw(key);
    if (typeof value === "string") return value;
    throw bad(this.method, key, "a string", value);
  }

  /** A string, defaulting when absent; null is refused. */
  stringOr(key: string, fallback: string): string {
    return this.has(key) ? this.string(key) : fallback;
  }

  /** A string or null, defaulting to null when absent. */
  optionalString(key: string): string | null {
    const value = this.raw(key);
    if (value === undefined || value === null) return null;
    if (typeof value === "string") return value;
    throw bad(this.method, key, "a string or null", value);
  }

  /** A number (non-finite ones included, as the tolerant JSON reader produces them). */
  number(key: string, fallback?: number): number {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === "number") return value;
    throw bad(this.method, key, "a number", value);
  }

  optionalNumber(key: string): number | null {
    const value = this.raw(key);
    if (value === undefined || value === null) return null;
    if (typeof value === "number") return value;
    throw bad(this.method, key, "a number or null", value);
  }

  /** Python truthiness of the value; `fallback` when absent. */
  flag(key: string, fallback: boolean): boolean {
    return this.has(key) ? truthy(this.args[key]) : fallback;
  }

  /** null stays null (Luigi tests `is not None`), anything else by truthiness. */
  optionalFlag(key: string, fallback: boolean | null): boolean | null {
    if (!this.has(key)) return fallback;
    const value = this.args[key];
    return value === null ? null : truthy(value);
  }

  /** A list of strings or null. */
  optionalStringList(key: string): string[] | null {
    const value = this.raw(key);
    if (value === undefined || value === null) return null;
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
    throw bad(this.method, key, "a list of strings or null", value);
  }

  stringList(key: string): string[] {
    const value = this.optionalStringList(key);
    if (value === null) throw bad(this.method, key, "a list of strings", this.raw(key));
    return value;
  }

  /** An object or null, values unchecked. */
  optionalObject(key: string): Record<string, unknown> | null {
    const value = this.raw(key);
    if (value === undefined || value === null) return null;
    if (isPlainObject(value)) return value;
    throw bad(this.method, key, "an object or null", value);
  }

  /** An object whose values are all numbers, or null. */
  optionalNumberMap(key: string): Record<string, number> | null {
    const value = this.optionalObject(key);
    if (value === null) return null;
    for (const [name, amount] of Object.entries(value)) {
      if (typeof amount !== "number") throw bad(this.method, `${key}.${name}`, "a number", amount);
    }
    return value as Record<string, number>;
  }
}
