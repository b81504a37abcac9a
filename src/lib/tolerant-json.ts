/**
 * JSON as Python's `json.dumps` writes it: standard JSON plus the bare tokens
 * `Infinity`, `-Infinity` and `NaN` outside strings. Luigi's client really
 * sends them (`add_task_batcher.max_batch_size` defaults to `float("inf")`),
 * and `JSON.parse` rejects them.
 *
 * The fast path is `JSON.parse`; only text it refuses goes through the small
 * recursive-descent reader below, which accepts exactly JSON plus those three
 * tokens. Pure: no I/O.
 * @module
 */

/** Thrown for text that is not JSON even with the three extra tokens. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = "JsonSyntaxError";
  }
}

/**
 * Nesting deeper than this is refused rather than risking the stack. Python's
 * json module gives up just under 1,000 levels (its recursion limit), so this
 * takes everything Luigi's server can parse.
 */
export const MAX_JSON_DEPTH = 1000;

/** Parses JSON that may contain `Infinity`, `-Infinity` and `NaN` outside strings. */
export function parseTolerantJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    // JSON.parse itself accepts any depth, but JSON.stringify (every reply, the
    // state file) overflows the stack on ~10k levels: refuse it at the edge.
    checkDepth(text);
    return value;
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw error;
    // JSON.parse may also throw a RangeError on absurd nesting; the reader
    // below reports that as a syntax error with a position.
    if (!(error instanceof SyntaxError) && !(error instanceof RangeError)) throw error;
  }
  return new Reader(text).document();
}

/** Text too short to nest past the limit is not scanned. */
function checkDepth(text: string): void {
  if (text.length <= MAX_JSON_DEPTH * 2) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonSyntaxError(`nesting deeper than ${MAX_JSON_DEPTH}`, i);
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail("unexpected text after the value");
    return value;
  }

  private value(depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH}`);
    this.skipWhitespace();
    const ch = this.text[this.pos];
    switch (ch) {
      case "{":
        return this.object(depth);
      case "[":
        return this.array(depth);
      case '"':
        return this.string();
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "n":
        return this.literal("null", null);
      case "N":
        return this.literal("NaN", Number.NaN);
      case "I":
        return this.literal("Infinity", Number.POSITIVE_INFINITY);
      case "-":
        if (this.text.startsWith("-Infinity", this.pos)) return this.literal("-Infinity", Number.NEGATIVE_INFINITY);
        return this.number();
      default:
        if (ch !== undefined && ch >= "0" && ch <= "9") return this.number();
        return this.fail(ch === undefined ? "unexpected end of text" : `unexpected character ${JSON.stringify(ch)}`);
    }
  }

  private object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++; // {
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail("expected a string key");
      const key = this.string();
      this.skipWhitespace();
      this.expect(":");
      const member = this.value(depth + 1);
      // An own "__proto__" member, as JSON.parse makes, never the prototype.
      Object.defineProperty(result, key, { value: member, writable: true, enumerable: true, configurable: true });
      this.skipWhitespace();
      if (this.text[this.pos] === ",") {
        this.pos++;
        continue;
      }
      this.expect("}");
      return result;
    }
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.pos++; // [
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      if (this.text[this.pos] === ",") {
        this.pos++;
        continue;
      }
      this.expect("]");
      return result;
    }
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const ch = this.text.charCodeAt(i);
      if (Number.isNaN(ch)) this.fail("unterminated string", start);
      if (ch === 0x5c) i += 2; // backslash: skip the escaped character
      else if (ch === 0x22) break;
      else i++;
    }
    this.pos = i + 1;
    // The string's own escapes are standard JSON: let the engine decode them.
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return this.fail("invalid string", start);
    }
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail("invalid number");
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token`);
    this.pos += word.length;
    return value;
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected ${JSON.stringify(ch)}`);
    this.pos++;
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(message, at);
  }
}
