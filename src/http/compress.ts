/**
 * gzip for clients that ask for it (Python's requests always does). Replies
 * are buffered and compressed in one call: for the big listings (task_list of
 * 100k tasks is ~45 MB of JSON) a one-shot level-1 gzip takes ~25 ms where a
 * CompressionStream at the default level took ~160 ms in isolation and ~450 ms
 * inside the server, and JSON still shrinks ~15x. Small replies keep the
 * default level, where its cost is negligible. task_list's big replies come
 * gzipped already, compressed while they were written (JsonReply,
 * src/engine/queries/gzip-stream.ts), and are sent as they are.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import type { JsonReply } from "../rpc/table.ts";

const MIN_BYTES = 1024;
const FAST_ABOVE_BYTES = 1 << 20;

/** Whether the client takes gzip (Python's requests and browsers always do). */
function acceptsGzip(request: Request): boolean {
  return /\bgzip\b/i.test(request.headers.get("Accept-Encoding") ?? "");
}

function gzipLevel(bytes: number): 1 | 6 {
  return bytes > FAST_ABOVE_BYTES ? 1 : 6;
}

/**
 * An /api reply to `request`. The route knows its body and its size, so it decides here
 * and the replies skip gzipReplies: most RPCs answer in well under 1 KB, and
 * inspecting each finished Response's headers afterwards cost ~3 µs per call.
 */
export function apiReply(request: Request, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>): Response {
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  // The header is read only for a reply big enough to compress: most are not.
  if (length < MIN_BYTES || !acceptsGzip(request)) {
    return new Response(body, { status: 200, headers: { ...headers, "Content-Length": String(length) } });
  }
  const zipped = Bun.gzipSync(typeof body === "string" ? Buffer.from(body) : body, { level: gzipLevel(length) });
  return new Response(zipped, {
    status: 200,
    headers: { ...headers, "Content-Encoding": "gzip", "Content-Length": String(zipped.byteLength), Vary: "Accept-Encoding" },
  });
}

/**
 * A reply serialised ahead (JsonReply): a big one comes gzipped already and
 * goes out as it is to a client that takes gzip (decompressed for one that
 * does not); a small one is compressed like any other reply.
 */
export function jsonReplyResponse(request: Request, reply: JsonReply, headers: Record<string, string>): Response {
  if (reply.gzipped && acceptsGzip(request)) {
    const body = reply.body;
    return new Response(body, { status: 200, headers: { ...headers, "Content-Encoding": "gzip", "Content-Length": String(body.byteLength), Vary: "Accept-Encoding" } });
  }
  return apiReply(request, reply.envelope(), headers);
}

/** Every reply but /api's (history pages, UI assets, /metrics): compressed after the route made it. */
export function gzipReplies(): MiddlewareHandler {
  return async function gzipReplies(c, next) {
    if (c.req.path.startsWith("/api/")) return next();
    await next();
    const res = c.res;
    if (!res.body || c.req.method === "HEAD") return;
    if (!acceptsGzip(c.req.raw)) return;
    if (res.headers.has("Content-Encoding") || /\bno-transform\b/i.test(res.headers.get("Cache-Control") ?? "")) return;
    // Event streams (SSE) must flow as they are produced; everything else is a finite reply.
    if (/^text\/event-stream/i.test(res.headers.get("Content-Type") ?? "")) return;
    const declared = Number(res.headers.get("Content-Length") ?? Number.POSITIVE_INFINITY);
    if (declared < MIN_BYTES) return;
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.byteLength < MIN_BYTES) {
      replace(c, new Response(body, res));
      return;
    }
    const zipped = Bun.gzipSync(body, { level: gzipLevel(body.byteLength) });
    const headers = new Headers(res.headers);
    headers.set("Content-Encoding", "gzip");
    headers.set("Content-Length", String(zipped.byteLength));
    headers.append("Vary", "Accept-Encoding");
    replace(c, new Response(zipped, { status: res.status, statusText: res.statusText, headers }));
  };
}

/**
 * Replaces the reply outright. Assigned over a reply, Hono's `c.res` merges the
 * old headers into the new one (the old Content-Length, the uncompressed size,
 * won) and re-wraps the body in a stream; clearing it first does neither. The
 * new reply's headers already carry everything the old one had.
 */
function replace(c: Context, res: Response): void {
  c.res = undefined as unknown as Response;
  c.res = res;
}
