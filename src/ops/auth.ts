/**
 * Optional authentication (`[auth]`, ours: Luigi has none). Off unless a token
 * or a user is configured, so stock Luigi workers keep working. When on:
 * credentials come as `Authorization: Bearer <token>` or `Basic` (what the
 * Python client sends for `scheduler_url = http://user:pass@host:8082`);
 * mutating calls need them, must be POST, and must not come from a foreign
 * Origin (a browser replays cached basic credentials cross-site).
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthConfig, CorsConfig } from "../config/types.ts";
import { matchOrigin } from "./cors.ts";

/** What a request needs: `open` (probes, preflights), `read`, or `write`. */
export type Access = "open" | "read" | "write";

export interface AuthRequest {
  method: string;
  path: string;
  authorization: string | null;
  origin: string | null;
  host: string | null;
}

export type AuthDecision =
  | { ok: true; authenticated: boolean }
  | { ok: false; status: 401 | 403 | 405; reason: string };

/** The realm browsers show in their login prompt. */
export const AUTH_REALM = "luigid";

export function authEnabled(auth: AuthConfig): boolean {
  return Boolean(auth.token) || Boolean(auth.username);
}

/** Equal-time comparison of two secrets of any length. */
function secretEquals(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function decodeOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Whether an Authorization header carries valid credentials. */
export function validCredentials(auth: AuthConfig, header: string | null): boolean {
  if (!header) return false;
  const space = header.indexOf(" ");
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === "bearer") return auth.token !== null && auth.token !== "" && secretEquals(value, auth.token);
  if (scheme !== "basic") return false;
  let decoded: string;
  try {
    decoded = Buffer.from(value, "base64").toString("utf8");
  } catch {
    return false;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // urllib-based clients send the URL's user:pass still percent-encoded; requests decodes them.
  const forms: Array<[string, string]> = [[user, password], [decodeOrSelf(user), decodeOrSelf(password)]];
  return forms.some(([u, p]) => {
    if (auth.token && secretEquals(p, auth.token)) return true;
    return auth.username !== null && auth.username !== "" && auth.password !== null && secretEquals(u, auth.username) && secretEquals(p, auth.password);
  });
}

/** The RPC name of an /api path, percent-decoded like the router does; null when not an RPC path. */
function rpcName(path: string): string | null {
  if (!path.startsWith("/api/")) return null;
  try {
    return decodeURIComponent(path.slice(5));
  } catch {
    return path.slice(5);
  }
}

/** Which paths stay open so orchestrators can probe a server that requires credentials. */
const OPEN_PATHS = new Set(["/healthz", "/readyz"]);

export function classify(method: string, path: string, readOnlyMethods: ReadonlySet<string>): Access {
  // HEAD / is Luigi's health check (204, no body): load balancers probe it without credentials.
  if (OPEN_PATHS.has(path) || method === "OPTIONS" || (method === "HEAD" && path === "/")) return "open";
  const rpc = rpcName(path);
  if (rpc !== null) return readOnlyMethods.has(rpc) ? "read" : "write";
  return method === "GET" || method === "HEAD" ? "read" : "write";
}

/** Origin check for writes: same host as the request, or admitted by `[cors]`. */
function originAllowed(cors: CorsConfig, origin: string | null, host: string | null): boolean {
  if (origin === null) return true;
  if (origin !== "null" && host !== null) {
    try {
      if (new URL(origin).host === host.toLowerCase()) return true;
    } catch {
      // Not a URL: only [cors] can admit it.
    }
  }
  return matchOrigin(cors, origin) !== null;
}

export class Authenticator {
  readonly enabled: boolean;

  constructor(
    private readonly auth: AuthConfig,
    private readonly cors: CorsConfig,
    private readonly readOnlyMethods: ReadonlySet<string>,
  ) {
    this.enabled = authEnabled(auth);
  }

  decide(request: AuthRequest): AuthDecision {
    if (!this.enabled) return { ok: true, authenticated: false };
    const access = classify(request.method, request.path, this.readOnlyMethods);
    if (access === "open") return { ok: true, authenticated: false };
    const authenticated = validCredentials(this.auth, request.authorization);
    if (access === "read") {
      if (authenticated || this.auth.anonymous === "read") return { ok: true, authenticated };
      return { ok: false, status: 401, reason: "credentials required" };
    }
    if (!authenticated) {
      return { ok: false, status: 401, reason: this.auth.anonymous === "read" ? "credentials required to change anything" : "credentials required" };
    }
    if (request.method !== "POST") return { ok: false, status: 405, reason: "changes are accepted by POST only when authentication is on" };
    if (!originAllowed(this.cors, request.origin, request.host)) {
      return { ok: false, status: 403, reason: `origin ${request.origin} may not change the scheduler` };
    }
    return { ok: true, authenticated };
  }
}
