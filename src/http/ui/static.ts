/**
 * Serves the embedded visualiser files: Luigi's addresses (`/` redirects
 * relatively to static/visualiser/index.html; `HEAD /` is the health check),
 * ETags and 304s, gzip, long caching for `?v=` URLs, and a strict content
 * security policy on the page (no inline script, nothing from the network).
 * @module
 */
import type { Context, Hono } from "hono";
import { errorJson, readOnly } from "../errors.ts";
import { type UiAsset, loadUiBundle } from "./assets.ts";

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join("; ");

const gzipped = new WeakMap<UiAsset, Uint8Array<ArrayBuffer>>();

function serveAsset(c: Context, asset: UiAsset, name: string): Response {
  const etag = `"${asset.hash}"`;
  const headers: Record<string, string> = {
    "Content-Type": asset.contentType,
    ETag: etag,
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
    // The page is tiny and names its scripts by hash; the scripts never change under one hash.
    "Cache-Control": name === "index.html" || !c.req.query("v") ? "no-cache" : "public, max-age=315360000, immutable",
  };
  if (name === "index.html") {
    headers["Content-Security-Policy"] = CSP;
    headers["Referrer-Policy"] = "no-referrer";
  }
  if (c.req.header("If-None-Match") === etag) return new Response(null, { status: 304, headers });
  const wantsGzip = /\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "") && asset.body.length >= 1024;
  if (!wantsGzip) return new Response(asset.body, { headers });
  let body = gzipped.get(asset);
  if (!body) gzipped.set(asset, (body = Bun.gzipSync(asset.body) as Uint8Array<ArrayBuffer>));
  return new Response(body, { headers: { ...headers, "Content-Encoding": "gzip" } });
}

const NOT_BUILT = "The visualiser is not built. Run `bun scripts/build-ui.ts` (or `bun scripts/build.ts`) and restart.\n";

/**
 * @param onPage called when the page itself is served: the index can start
 *   its first build while the browser is still loading the scripts.
 */
export function mountStatic(app: Hono, onPage: () => void = () => {}): void {
  // Hono runs GET handlers for HEAD too; HEAD / must be 204 (server.md §3.5).
  app.get("/", (c) => {
    if (c.req.method === "HEAD") return c.body(null, 204);
    return c.body(null, 302, { Location: "static/visualiser/index.html" });
  });
  for (const path of ["/", "/static/*"]) app.all(path, readOnly((method) => `${method} is not allowed here`));
  app.get("/static/visualiser/", (c) => errorJson(c, "FORBIDDEN", "directory listing is not allowed", 403));
  app.get("/static/visualiser/:file", async (c) => {
    const bundle = await loadUiBundle();
    if (!bundle) return c.text(NOT_BUILT, 503);
    const name = c.req.param("file");
    const asset = Object.hasOwn(bundle, name) ? bundle[name] : undefined;
    if (!asset) return c.notFound();
    if (name === "index.html") onPage();
    return serveAsset(c, asset, name);
  });
}
