/**
 * HTTP area: access log, CORS, auth, /metrics, /healthz, /readyz (issue 7).
 * Registered first, so its middleware wraps every other route.
 * @module
 */
import type { Context, Hono } from "hono";
import { getConnInfo } from "hono/bun";
import { stderrLogger } from "../lib/log.ts";
import { AUTH_REALM } from "../ops/auth.ts";
import { actualHeaders, preflightHeaders } from "../ops/cors.ts";
import { METRICS_CONTENT_TYPE } from "../ops/metrics/metrics.ts";
import { installOps } from "../ops/ops.ts";
import type { AppContext } from "./context.ts";
import { errorJson, readOnly } from "./errors.ts";
import { HEALTH_PATH, READY_PATH, healthResponse, readyResponse } from "./ops/probes.ts";
import { pathAndQuery, rawPathname } from "./url.ts";

/** Long GET URLs carry whole task graphs; the access log keeps their start. */
const MAX_LOGGED_URI = 2000;

function remoteAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "";
  } catch {
    return ""; // unix socket or an in-process request: no peer address
  }
}

function uriOf(c: Context): string {
  const url = pathAndQuery(c.req.url);
  const uri = url.pathname + url.search;
  return uri.length > MAX_LOGGED_URI ? `${uri.slice(0, MAX_LOGGED_URI)}…` : uri;
}

export function mountOps(app: Hono, ctx: AppContext): void {
  // startServer installs ops and passes them in; an app built bare (tests of other areas) gets its own.
  const ops = ctx.ops ?? installOps(ctx.service, ctx.config, { log: ctx.log });
  const access = (ctx.log ?? stderrLogger).child("tornado.access");
  const { cors } = ctx.config;

  // Access log, Luigi's shape: `200 POST /api/get_work (10.1.2.3) 17.13ms`.
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const ms = (performance.now() - started).toFixed(2);
    const status = c.res.status;
    const level = status >= 500 ? "ERROR" : status >= 400 ? "WARNING" : "INFO";
    access.log(level, `${status} ${c.req.method} ${uriOf(c)} (${remoteAddress(c)}) ${ms}ms`);
  });

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
}
