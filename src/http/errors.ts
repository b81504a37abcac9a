/**
 * The one place where errors become HTTP statuses. Every area throws
 * LuigidError (or lets a bug throw anything); `app.onError` calls
 * `errorResponse`, so a status is chosen from a code exactly once.
 *
 * Bodies are JSON `{"error": {"code", "message"}}`: Luigi's HTML error pages
 * carry no reason, and a worker operator reading a log deserves one.
 * @module
 */
import type { Context, Next } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrorCode, LuigidError } from "../lib/errors.ts";
import { type Logger, stderrLogger } from "../lib/log.ts";

export const STATUS_BY_CODE = {
  BAD_ARGUMENTS: 400,
  BAD_REQUEST: 400,
  UNKNOWN_METHOD: 404,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  METHOD_NOT_ALLOWED: 405,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

type ErrorReplyCode = ErrorCode | "INTERNAL";

/** A JSON error reply with a stable code; through Hono, so headers a route set with `c.header` go along. */
export function errorJson(c: Context, code: ErrorReplyCode, message: string, status: ContentfulStatusCode): Response {
  return c.json({ error: { code, message } }, status);
}

/** The same reply without a Hono Context (the RPC lane): the same body and Content-Type as c.json. */
export function jsonError(code: ErrorReplyCode, message: string, status: ContentfulStatusCode): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { "Content-Type": "application/json" } });
}

/** LuigidError by its code, Hono's own HTTP errors as they are, anything else a logged 500. */
function mapError(error: unknown, request: Request, log: Logger, json: (code: ErrorReplyCode, message: string, status: ContentfulStatusCode) => Response): Response {
  if (error instanceof LuigidError) return json(error.code, error.message, STATUS_BY_CODE[error.code]);
  if (error instanceof HTTPException) {
    if (error.status === 413) return json("PAYLOAD_TOO_LARGE", "request body too large", 413);
    return error.getResponse();
  }
  log.error(`Uncaught exception ${request.method} ${request.url}`, error);
  return json("INTERNAL", "internal error; see the scheduler log", 500);
}

/** `app.onError`. */
export function errorResponse(error: Error, c: Context, log: Logger = stderrLogger): Response {
  return mapError(error, c.req.raw, log, (code, message, status) => errorJson(c, code, message, status));
}

/** An error of the RPC lane, which answers without Hono: as errorResponse would. */
export function errorReply(error: unknown, request: Request, log: Logger = stderrLogger): Response {
  return mapError(error, request, log, jsonError);
}

/**
 * For `app.all` on read-only paths: any method but GET and HEAD (OPTIONS,
 * TRACE and WebDAV verbs included) is a 405 (server.md §3.1); GET and HEAD
 * go on, to their route or to the 404 of an unknown path.
 */
export function readOnly(reason: (method: string) => string) {
  return (c: Context, next: Next): Promise<void> | Response =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : errorJson(c, "METHOD_NOT_ALLOWED", reason(c.req.method), 405);
}

/** `app.notFound`: no route for this path. */
export function notFoundResponse(c: Context): Response {
  return errorJson(c, "NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`, 404);
}
