/**
 * HTTP area: `/api/{method}`, Luigi's RPC endpoint (rpc.md §1, server.md §3.3).
 *
 * The arguments travel as one form field `data` holding a JSON object, from
 * the query string or a urlencoded/multipart body (the body wins). The reply
 * is `{"response": …}`. Everything about the method itself (names, argument
 * decoding, results) lives in src/rpc; this file only reads the request.
 * @module
 */
import type { Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { LuigidError } from "../lib/errors.ts";
import { JsonSyntaxError, parseTolerantJson } from "../lib/tolerant-json.ts";
import { isRpcMethod, JsonReply } from "../rpc/table.ts";
import { apiReply, jsonReplyResponse } from "./compress.ts";
import type { AppContext } from "./context.ts";
import { errorJson, errorReply } from "./errors.ts";
import { pathAndQuery, rawPathname } from "./url.ts";

/** Tornado's default `max_body_size` (100 MiB): anything Luigi accepted, we accept. */
export const MAX_BODY_BYTES = 100 * 1024 * 1024;

const JSON_UTF8 = { "Content-Type": "application/json; charset=UTF-8" };

export function mountApi(app: Hono, ctx: AppContext): void {
  const onError = (c: Context) => errorJson(c, "PAYLOAD_TOO_LARGE", `request body larger than ${MAX_BODY_BYTES} bytes`, 413);
  const streamedLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError });
  app.use("/api/*", (c, next) => {
    // A declared length is checked from the header alone, as bodyLimit does, but
    // without first touching `request.body`: that turns the body into a stream
    // and costs every request ~5 µs. Chunked bodies are counted by bodyLimit.
    const length = c.req.header("Content-Length");
    if (length === undefined || c.req.header("Transfer-Encoding") !== undefined) return streamedLimit(c, next);
    return Number.parseInt(length, 10) > MAX_BODY_BYTES ? Promise.resolve(onError(c)) : next();
  });

  app.all("/api/*", async function rpc(c) {
    const method = methodName(rawPathname(c.req.url));
    // Preflight answers for any name, as Luigi does; CORS headers come from ops.
    if (c.req.method === "OPTIONS") return c.body(null, 204);
    if (c.req.method !== "GET" && c.req.method !== "POST") {
      c.header("Allow", "GET, POST, OPTIONS");
      throw new LuigidError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on /api; use GET or POST`);
    }
    // Checked before the arguments are looked at, as Luigi does.
    if (!isRpcMethod(method)) throw new LuigidError("UNKNOWN_METHOD", `unknown RPC method ${JSON.stringify(method)}`);
    const args = await readArguments(c);
    return rpcReply(await ctx.service.call(method, args), c.req.raw);
  });
}

/** The reply to a call that answered `response`. */
function rpcReply(response: unknown, request: Request): Response {
  // Big listings come serialised already, envelope included (and gzipped when big).
  if (response instanceof JsonReply) return jsonReplyResponse(request, response, JSON_UTF8);
  // JSON.stringify turns non-finite numbers into null, which browsers can parse.
  return apiReply(request, JSON.stringify({ response: response ?? null }), JSON_UTF8);
}

const URLENCODED = /^application\/x-www-form-urlencoded/i;

/**
 * The RPC lane: a handler for the calls Luigi's workers make, or undefined
 * when auth or CORS is configured (their checks are Hono middleware). It
 * answers a POST to a known method with a urlencoded body of declared length
 * within the limit and no query string, and returns undefined for anything
 * else, which Hono then answers as before (GET, multipart, chunked, too
 * large, unknown names).
 */
export function rpcLane(ctx: AppContext, authEnabled: boolean): ((request: Request) => Promise<Response> | undefined) | undefined {
  if (authEnabled || ctx.config.cors.enabled) return undefined;
  return (request) => {
    if (request.method !== "POST") return undefined;
    const { pathname: path, search } = pathAndQuery(request.url);
    // A query string may carry `data` for a body without it (readArguments): Hono's route reads both.
    if (!path.startsWith("/api/") || search !== "") return undefined;
    const headers = request.headers;
    const length = headers.get("Content-Length");
    if (length === null || headers.get("Transfer-Encoding") !== null || !URLENCODED.test(headers.get("Content-Type") ?? "")) return undefined;
    if (!(Number.parseInt(length, 10) <= MAX_BODY_BYTES)) return undefined;
    const method = methodName(path);
    if (!isRpcMethod(method)) return undefined;
    return answer(ctx, method, request);
  };
}

/** One async function for the whole call: each await in a helper of its own would cost a promise and a frame. */
async function answer(ctx: AppContext, method: string, request: Request): Promise<Response> {
  try {
    let body: string;
    try {
      body = await request.text();
    } catch (error) {
      throw notAForm(error);
    }
    const data = dataField(body);
    return rpcReply(await ctx.service.call(method, data === undefined ? {} : decodeData(data)), request);
  } catch (error) {
    return errorReply(error, request, ctx.log);
  }
}

/** The raw remainder after `/api/` of a raw path (percent escapes kept), percent-decoded once (`task%5Flist` → `task_list`). */
function methodName(path: string): string {
  const raw = path.startsWith("/api/") ? path.slice(5) : "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // malformed escapes: never a method name, so a 404 follows
  }
}

const CONTROL_CHARS = /[\x00-\x08\x0e-\x1f]/g;

/** The call's named arguments: `data` decoded to an object; absent or blank means `{}`. */
export async function readArguments(c: Context): Promise<Record<string, unknown>> {
  const text = (await bodyData(c)) ?? c.req.queries("data")?.at(-1);
  if (text === undefined) return {};
  return decodeData(text);
}

/** Decodes the text of a `data` field (exported for tests and the UI's own API). */
export function decodeData(text: string): Record<string, unknown> {
  // Tornado strips the value and turns control characters into spaces.
  const cleaned = text.replace(CONTROL_CHARS, " ").trim();
  if (cleaned === "") return {};
  let value: unknown;
  try {
    value = parseTolerantJson(cleaned);
  } catch (error) {
    const reason = error instanceof JsonSyntaxError ? error.message : "invalid JSON";
    throw new LuigidError("BAD_REQUEST", `data is not valid JSON: ${reason}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new LuigidError("BAD_REQUEST", `data must be a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/** `data` from a urlencoded or multipart body; JSON bodies are not read (Luigi doesn't either). */
async function bodyData(c: Context): Promise<string | undefined> {
  const type = c.req.header("Content-Type")?.toLowerCase() ?? "";
  if (type.startsWith("application/x-www-form-urlencoded")) return await urlencodedData(c.req.raw);
  if (!type.startsWith("multipart/form-data")) return undefined;
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch (error) {
    throw notAForm(error);
  }
  let value = form.data;
  if (Array.isArray(value)) value = value.at(-1);
  if (value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (value instanceof Blob) return await value.text();
  throw new LuigidError("BAD_REQUEST", "the data field of the form is not text");
}

/**
 * `data` from a urlencoded body: what every Luigi worker sends, so it skips
 * Hono's parseBody (a FormData round trip, ~10 µs a request). URLSearchParams
 * decodes exactly as FormData does for this type (test/http/api-form.test.ts).
 */
async function urlencodedData(request: Request): Promise<string | undefined> {
  let body: string;
  try {
    body = await request.text();
  } catch (error) {
    throw notAForm(error);
  }
  return dataField(body);
}

/** A body that could not be read. */
function notAForm(cause: unknown): LuigidError {
  return new LuigidError("BAD_REQUEST", "the request body is not a valid form", { cause });
}

/**
 * The last `data` field of a urlencoded body (exported for tests). Luigi's
 * client sends that one field alone: decodeURIComponent reads it in ~60% of
 * the time URLSearchParams takes (~1 µs of a call's ~25 in process). A body
 * it would read differently (more fields, a `%` that starts no valid UTF-8
 * escape) makes it throw or is not taken, and goes to URLSearchParams.
 */
export function dataField(body: string): string | undefined {
  if (body.startsWith("data=") && !body.includes("&", 5)) {
    const value = body.slice(5);
    try {
      return decodeURIComponent(value.includes("+") ? value.replaceAll("+", " ") : value);
    } catch {
      // not a valid escape: URLSearchParams keeps it as it is
    }
  }
  return new URLSearchParams(body).getAll("data").at(-1);
}
