/**
 * HTTP area: /history, /tasklist pages and their JSON (issue 5).
 * @module
 */
import type { Hono } from "hono";
import type { HistoryStore } from "../store/history/store.ts";
import type { AppContext } from "./context.ts";
import { registerHistoryRoutes } from "./history/routes.tsx";

declare module "./context.ts" {
  interface AppContext {
    /** The task-history store; absent or null when history is off (the pages then answer 404). */
    history?: HistoryStore | null;
  }
}

export function mountHistory(app: Hono, ctx: AppContext): void {
  registerHistoryRoutes(app, () => ctx.history ?? null);
}
