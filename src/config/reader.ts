/**
 * Typed option reads with Luigi's lookup rules (server.md §2.3, §2.4): the
 * exact key, then its dash spelling (deprecated), then a deprecated
 * alternative location, then the default. A value that does not parse is a
 * ConfigError naming file, section, key and value. The reader remembers what
 * it read, so options nobody reads can be reported instead of ignored.
 * @module
 */
import { ConfigError } from "./errors.ts";
import type { ConfigSource, FoundValue } from "./source.ts";

/** Another place an option may be written (deprecated spellings, our aliases). */
export interface Alternative {
  section: string;
  key: string;
  /** Warning to log when the value is found here; default: a deprecation notice. */
  note?: string;
}

export class OptionReader {
  private readonly read = new Set<string>();

  constructor(
    readonly source: ConfigSource,
    readonly warnings: string[],
  ) {}

  /** Marks an option as understood without reading it (recognised but unused keys). */
  markRead(section: string, key: string): void {
    this.read.add(`${section}\u0000${key}`);
  }

  /** Finds an option by Luigi's lookup rules; undefined when it is nowhere. */
  find(section: string, key: string, alternatives: Alternative[] = []): FoundValue | undefined {
    // Luigi reads `a_b` then `a-b` wherever it looks (its parser turns dashes into underscores first).
    const places: Array<Alternative & { kind: "exact" | "dash" | "alt" }> = [];
    const spellings = (place: Alternative, main: boolean) => {
      if (this.source.kind === "toml") return places.push({ ...place, kind: main ? "exact" : "alt" });
      const underscore = place.key.replaceAll("-", "_");
      const dash = underscore.replaceAll("_", "-");
      places.push({ ...place, key: underscore, kind: main ? "exact" : "alt" });
      if (dash !== underscore) places.push({ ...place, key: dash, kind: main ? "dash" : "alt" });
    };
    spellings({ section, key }, true);
    for (const alt of alternatives) spellings(alt, false);
    for (const [i, place] of places.entries()) {
      this.markRead(place.section, place.key);
      const found = this.source.get(place.section, place.key);
      if (found === undefined) continue;
      if (place.kind === "dash") {
        this.warn(`[${section}] ${place.key} (with dashes) should be avoided. Please use underscores: ${key}`);
      } else if (place.kind === "alt") {
        this.warn(place.note ?? `[${place.section}] ${place.key} is deprecated: use [${section}] ${key}`);
      }
      // A later spelling that is also written is Luigi's too, not unknown: say which one won.
      for (const shadowed of places.slice(i + 1)) {
        this.markRead(shadowed.section, shadowed.key);
        if (this.source.ownKeys(shadowed.section).includes(shadowed.key)) {
          this.warn(`[${shadowed.section}] ${shadowed.key} is ignored: [${place.section}] ${place.key} is also set and takes precedence`);
        }
      }
      return found;
    }
    return undefined;
  }

  string(section: string, key: string, fallback: string, alternatives?: Alternative[]): string {
    const found = this.find(section, key, alternatives);
    return found === undefined ? fallback : String(found.value);
  }

  /** Luigi's OptionalParameter: empty text means unset. */
  optionalString(section: string, key: string, alternatives?: Alternative[]): string | null {
    const found = this.find(section, key, alternatives);
    if (found === undefined) return null;
    const text = String(found.value);
    return text === "" ? null : text;
  }

  bool(section: string, key: string, fallback: boolean, alternatives?: Alternative[]): boolean {
    const found = this.find(section, key, alternatives);
    if (found === undefined) return fallback;
    return parseBool(found);
  }

  int(section: string, key: string, fallback: number, alternatives?: Alternative[]): number {
    const found = this.find(section, key, alternatives);
    if (found === undefined) return fallback;
    return parseInteger(found);
  }

  float(section: string, key: string, fallback: number, alternatives?: Alternative[]): number {
    const found = this.find(section, key, alternatives);
    if (found === undefined) return fallback;
    return parseFloatValue(found);
  }

  choice<T extends string>(section: string, key: string, choices: readonly T[], fallback: T, alternatives?: Alternative[]): T {
    const found = this.find(section, key, alternatives);
    if (found === undefined) return fallback;
    const text = String(found.value);
    if (!(choices as readonly string[]).includes(text)) invalid(found, `expected one of ${choices.join(", ")} (case-sensitive)`);
    return text as T;
  }

  /** A list written as JSON text (`["a", "b"]`); TOML may also give a native array. */
  stringList(section: string, key: string, fallback: string[], alternatives?: Alternative[]): string[] {
    const found = this.find(section, key, alternatives);
    if (found === undefined) return fallback;
    let value = found.value;
    if (typeof value === "string") {
      try {
        value = JSON.parse(value);
      } catch {
        invalid(found, 'expected a JSON list, e.g. ["a", "b"]');
      }
    }
    if (!Array.isArray(value)) invalid(found, 'expected a JSON list, e.g. ["a", "b"]');
    return value.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
  }

  /** Options written in `section` that nothing read: each becomes a warning. */
  reportUnread(section: string, what = "is not a luigid option and is ignored"): void {
    for (const key of this.source.ownKeys(section)) {
      if (!this.read.has(`${section}\u0000${key}`)) this.warn(`[${section}] ${key} ${what}`);
    }
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }
}

function invalid(found: FoundValue, expected: string): never {
  throw new ConfigError(`${found.where}: ${expected}`);
}

export function parseBool(found: FoundValue): boolean {
  const { value } = found;
  if (typeof value === "boolean") return value;
  const text = String(value).toLowerCase();
  if (text === "true") return true;
  if (text === "false") return false;
  return invalid(found, "expected true or false");
}

/** Python's int(): optional sign and surrounding whitespace, digits with single underscores between. */
const INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

export function parseInteger(found: FoundValue): number {
  const { value } = found;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && INT.test(value)) {
    const n = Number(value.replaceAll("_", ""));
    if (Number.isSafeInteger(n)) return n;
  }
  return invalid(found, "expected a whole number");
}

/** Python's float(): decimal and exponent forms, inf/infinity/nan in any case. */
const DIGITS = String.raw`\d+(?:_\d+)*`;
const FLOAT = new RegExp(String.raw`^\s*[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)\s*$`, "i");

export function parseFloatValue(found: FoundValue): number {
  const { value } = found;
  if (typeof value === "number") return value;
  if (typeof value === "string" && FLOAT.test(value)) {
    const text = value.trim().replaceAll("_", "").toLowerCase();
    const sign = text.startsWith("-") ? -1 : 1;
    const body = text.replace(/^[+-]/, "");
    if (body === "inf" || body === "infinity") return sign * Number.POSITIVE_INFINITY;
    if (body === "nan") return Number.NaN;
    return Number(text);
  }
  return invalid(found, "expected a number");
}
