/**
 * The Hono application: one registration function per area, in the order
 * requests should meet them (cross-cutting middleware first, the UI's
 * catch-all last).
 * @module
 */
import { Hono } from "hono";
import { stderrLogger } from "../lib/log.ts";
import { withAccessLog } from "./access-log.ts";
import { mountApi, rpcLane } from "./api.ts";
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
  const ops = mountOps(app, ctx);
  mountApi(app, ctx);
  mountHistory(app, ctx);
  mountUi(app, ctx);
  // Every request, however it is answered, goes through the access log, and
  // the workers' calls take the RPC lane (api.ts) when it takes them. Set on
  // the instance, so that the listeners and `app.request` (tests) both use it.
  const viaHono = app.fetch;
  const lane = rpcLane(ctx, ops.auth.enabled);
  const access = (ctx.log ?? stderrLogger).child("tornado.access");
  app.fetch = withAccessLog(access, lane ? (request, env, executionCtx) => lane(request) ?? viaHono(request, env, executionCtx) : viaHono);
  return app;
}
