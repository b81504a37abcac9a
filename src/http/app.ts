/**
 * The Hono application: one registration function per area, in the order
 * requests should meet them (cross-cutting middleware first, the UI's
 * catch-all last).
 * @module
 */
import { Hono } from "hono";
import { compress } from "hono/compress";
import { mountApi } from "./api.ts";
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
  // gzip for clients that ask (Python's requests does): task_list and graph
  // replies shrink ~50x for ~15 ms per 9 MB; bodies under 1 KiB and event streams are left alone.
  app.use(compress());
  mountOps(app, ctx);
  mountApi(app, ctx);
  mountHistory(app, ctx);
  mountUi(app, ctx);
  return app;
}
