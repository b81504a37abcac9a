/**
 * HTTP area: /history, /tasklist pages and their JSON (issue 5).
 * @module
 */
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";
import { registerHistoryRoutes } from "./history/routes.tsx";

export function mountHistory(app: Hono, ctx: AppContext): void {
  registerHistoryRoutes(app, () => ctx.history ?? null);
}
