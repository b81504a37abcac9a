/**
 * HTTP area: the visualiser, / redirect, /static/visualiser (issue 6).
 * @module
 */
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";

export function mountUi(app: Hono, ctx: AppContext): void {
  void app;
  void ctx;
}
