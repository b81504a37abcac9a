/**
 * HTTP area: /api/{method} (issue 2 skeleton, issue 3 methods).
 * @module
 */
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";

export function mountApi(app: Hono, ctx: AppContext): void {
  void app;
  void ctx;
}
