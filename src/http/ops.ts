/**
 * HTTP area: access log, CORS, auth, /metrics, /healthz, /readyz (issue 7).
 * @module
 */
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";

export function mountOps(app: Hono, ctx: AppContext): void {
  void app;
  void ctx;
}
