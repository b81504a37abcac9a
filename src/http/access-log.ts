/**
 * The access log, Luigi's (Tornado's) shape: one line per request,
 * `200 POST /api/get_work (10.1.2.3) 17.13ms`, at INFO, WARNING for a 4xx and
 * ERROR for a 5xx. It wraps the app's fetch rather than sitting in Hono's
 * middleware chain, so that it also covers the RPC lane (api.ts rpcLane),
 * which answers the workers' calls without Hono.
 * @module
 */
import type { Logger } from "../lib/log.ts";
import { pathAndQuery } from "./url.ts";

/** Long GET URLs carry whole task graphs; the access log keeps their start. */
const MAX_LOGGED_URI = 2000;

/** Bun's server, when the listener passes it along (an in-process request has none). */
function remoteAddress(request: Request, env: unknown): string {
  const server = env as { requestIP?: (request: Request) => { address?: string } | null } | undefined;
  try {
    return server?.requestIP?.(request)?.address ?? "";
  } catch {
    return ""; // a unix socket: no peer address
  }
}

function uriOf(url: string): string {
  const parts = pathAndQuery(url);
  const uri = parts.pathname + parts.search;
  return uri.length > MAX_LOGGED_URI ? `${uri.slice(0, MAX_LOGGED_URI)}…` : uri;
}

/** `fetch` with a line logged per request; `env`, when given, is Bun's server (Hono's env). */
export function withAccessLog<Env, ExecutionCtx>(
  access: Logger,
  fetch: (request: Request, env?: Env, executionCtx?: ExecutionCtx) => Response | Promise<Response>,
): (request: Request, env?: Env, executionCtx?: ExecutionCtx) => Promise<Response> {
  return async (request, env, executionCtx) => {
    const started = performance.now();
    const response = await fetch(request, env, executionCtx);
    const ms = (performance.now() - started).toFixed(2);
    const status = response.status;
    const level = status >= 500 ? "ERROR" : status >= 400 ? "WARNING" : "INFO";
    access.log(level, `${status} ${request.method} ${uriOf(request.url)} (${remoteAddress(request, env)}) ${ms}ms`);
    return response;
  };
}
