/**
 * Luigi's `[cors]` rules for /api/... (rpc.md §1.6), as a pure decision: which
 * headers a preflight or an actual response gets for a given Origin.
 * @module
 */
import type { CorsConfig } from "../config/types.ts";

type OriginMatch = { allow: string; echoed: boolean } | null;

/** Whether `[cors]` admits this Origin, and how it is answered. */
export function matchOrigin(cors: CorsConfig, origin: string | null): OriginMatch {
  if (!cors.enabled || origin === null) return null;
  if (origin === "null") return cors.allowNullOrigin ? { allow: "null", echoed: false } : null;
  if (cors.allowAnyOrigin) return { allow: "*", echoed: false };
  // Luigi drops "*" and "null" from the list: they only take effect through the two flags.
  if (origin !== "*" && cors.allowedOrigins.includes(origin)) return { allow: origin, echoed: true };
  return null;
}

/** Headers for `OPTIONS /api/...` (always answered 204). */
export function preflightHeaders(cors: CorsConfig, origin: string | null): Record<string, string> {
  const match = matchOrigin(cors, origin);
  if (!match) return {};
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": match.allow,
    "Access-Control-Max-Age": String(cors.maxAge),
    "Access-Control-Allow-Methods": cors.allowedMethods,
    "Access-Control-Allow-Headers": cors.allowedHeaders,
  };
  if (cors.allowCredentials) headers["Access-Control-Allow-Credentials"] = "true";
  if (cors.exposedHeaders !== "") headers["Access-Control-Expose-Headers"] = cors.exposedHeaders;
  return headers;
}

/** Headers for a successful GET/POST: only the origin (and Vary when it was echoed). */
export function actualHeaders(cors: CorsConfig, origin: string | null): { allowOrigin: string; varyOrigin: boolean } | null {
  const match = matchOrigin(cors, origin);
  return match ? { allowOrigin: match.allow, varyOrigin: match.echoed } : null;
}
