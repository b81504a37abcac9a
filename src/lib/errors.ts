/**
 * One error type for caller mistakes, with a stable code that the HTTP edge
 * maps to a status once (src/http). Anything else thrown is a bug and a 500.
 * @module
 */
export type ErrorCode =
  | "BAD_ARGUMENTS"
  | "BAD_REQUEST"
  | "UNKNOWN_METHOD"
  | "NOT_FOUND"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "PAYLOAD_TOO_LARGE"
  | "METHOD_NOT_ALLOWED";

export class LuigidError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "LuigidError";
  }
}
