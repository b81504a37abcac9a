/**
 * The Hono application: one registration function per area, in the order
 * requests should meet them (cross-cutting middleware first, the UI's
 * catch-all last).
 * @module
 */
import { Hono } from "hono";
import { mountApi } from "./api.ts";
import { gzipReplies } from "./compress.ts";
import type { AppContext } from "./context.ts";
import { errorResponse, notFoundResponse } from "./errors.ts";
import { mountHistory } from "./history.ts";
import { mountOps } from "./ops.ts";
import { mountUi } from "./ui.ts";

export function createApp(ctx: AppContext): Hono {
  const app = new Hono();
  // Errors become statuses in one place (src/http/errors.ts).
  app.onError((error, c) => errorResponse(error, c, ctx.log));
  app.notFound(notFoundResponse);
  app.use(gzipReplies());
  mountOps(app, ctx);
  mountApi(app, ctx);
  mountHistory(app, ctx);
  mountUi(app, ctx);
  return app;
}
