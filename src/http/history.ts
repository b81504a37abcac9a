/**
 * HTTP area: /history, /tasklist pages and JSON (issue 5).
 * @module
 */
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";

export function mountHistory(app: Hono, ctx: AppContext): void {
  void app;
  void ctx;
}
