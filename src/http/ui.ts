/**
 * HTTP area: the visualiser (issue 6). Luigi's addresses (`/` and
 * /static/visualiser/index.html), the embedded UI files, and /ui-api/*, the
 * read API that lets the page stay live on a 100k-task scheduler.
 * @module
 */
import type { Hono } from "hono";
import type { AppContext } from "./context.ts";
import { TaskChangeLog } from "./ui/change-log.ts";
import { mountUiApi } from "./ui/routes.ts";
import { mountStatic } from "./ui/static.ts";

export function mountUi(app: Hono, ctx: AppContext): void {
  const { engine } = ctx.service;
  const changes = new TaskChangeLog();
  ctx.service.addListener(changes);
  const index = mountUiApi(app, engine, {
    pauseEnabled: engine.config.pauseEnabled,
    sendMessages: engine.config.sendMessages,
    hasHistory: engine.hasTaskHistory(),
    maxGraphNodes: engine.config.maxGraphNodes,
  }, changes);
  // Opening the page warms the task index, so the first /ui-api answers need not wait for it.
  mountStatic(app, () => void index.get().catch(() => {}));
}
