/**
 * HTTP area: CORS, auth, /metrics, /healthz, /readyz (issue 7); the access
 * log wraps the whole app (access-log.ts).
 * Registered first, so its middleware wraps every other route.
 * @module
 */
import type { Context, Hono } from "hono";
import { AUTH_REALM } from "../ops/auth.ts";
import { actualHeaders, preflightHeaders } from "../ops/cors.ts";
import { METRICS_CONTENT_TYPE } from "../ops/metrics/metrics.ts";
import { type Ops, installOps } from "../ops/ops.ts";
import type { AppContext } from "./context.ts";
import { errorJson, readOnly } from "./errors.ts";
import { HEALTH_PATH, READY_PATH, healthResponse, readyResponse } from "./ops/probes.ts";
import { rawPathname } from "./url.ts";

/** Mounts the area; returns the ops in use (the app's fetch needs to know whether auth is on). */
export function mountOps(app: Hono, ctx: AppContext): Ops {
  // startServer installs ops and passes them in; an app built bare (tests of other areas) gets its own.
  const ops = ctx.ops ?? installOps(ctx.service, ctx.config, { log: ctx.log });
  const { cors } = ctx.config;

  // Probes stay open whatever the auth settings: orchestrators carry no credentials.
  app.get(HEALTH_PATH, () => healthResponse());
  app.get(READY_PATH, () => readyResponse(ctx.readiness.ready));
  for (const path of [HEALTH_PATH, READY_PATH]) app.all(path, readOnly((method) => `${method} is not allowed here: probes are GET or HEAD`));

  // Without [auth] every request passes: no middleware at all, so it costs nothing per request.
  if (ops.auth.enabled) app.use("*", async (c, next) => {
    const decision = ops.auth.decide({
      method: c.req.method,
      // The raw path, decoded once by the classifier exactly as the /api route decodes it.
      path: rawPathname(c.req.url),
      authorization: c.req.header("Authorization") ?? null,
      origin: c.req.header("Origin") ?? null,
      host: c.req.header("Host") ?? null,
    });
    if (decision.ok) return next();
    if (decision.status === 401) {
      const res = errorJson(c, "UNAUTHORIZED", decision.reason, 401);
      res.headers.set("WWW-Authenticate", `Basic realm="${AUTH_REALM}", charset="UTF-8"`);
      return res;
    }
    if (decision.status === 405) {
      const res = errorJson(c, "METHOD_NOT_ALLOWED", decision.reason, 405);
      res.headers.set("Allow", "POST");
      return res;
    }
    return errorJson(c, "FORBIDDEN", decision.reason, 403);
  });

  // [cors] on /api only, and only on successful replies (Luigi sends none on errors).
  if (cors.enabled) {
    app.use("/api/*", async (c, next) => {
      await next();
      const origin = c.req.header("Origin") ?? null;
      if (c.req.method === "OPTIONS") {
        if (c.res.status !== 204) return;
        for (const [name, value] of Object.entries(preflightHeaders(cors, origin))) c.res.headers.set(name, value);
        return;
      }
      if (c.res.status < 200 || c.res.status >= 300) return;
      const headers = actualHeaders(cors, origin);
      if (!headers) return;
      c.res.headers.set("Access-Control-Allow-Origin", headers.allowOrigin);
      if (headers.varyOrigin) c.res.headers.append("Vary", "Origin");
    });
  }

  app.get("/metrics", (c) => c.body(ops.metrics.render(), 200, { "Content-Type": METRICS_CONTENT_TYPE }));
  app.all("/metrics", readOnly((method) => `${method} is not allowed here: /metrics is read with GET`));
  return ops;
}
