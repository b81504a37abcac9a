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

/** Bodies handed over as bytes, by their Response: compressed without reading the Response back (a copy of up to ~45 MB). */
const byteBodies = new WeakMap<Response, Uint8Array<ArrayBuffer>>();

/** Marks `res` as carrying exactly `bytes`, so that gzipReplies can take them as they are. */
function withByteBody(res: Response, bytes: Uint8Array<ArrayBuffer>): Response {
  byteBodies.set(res, bytes);
  return res;
}

/** Whether the client takes gzip (Python's requests and browsers always do). */
function acceptsGzip(c: Context): boolean {
  return /\bgzip\b/i.test(c.req.header("Accept-Encoding") ?? "");
}

/**
 * A reply serialised ahead (JsonReply): a big one comes gzipped already and
 * goes out as it is to a client that takes gzip (decompressed for one that
 * does not); a small one is compressed below like any other reply.
 */
export function jsonReplyResponse(c: Context, reply: JsonReply, headers: Record<string, string>): Response {
  if (reply.gzipped && acceptsGzip(c)) {
    const body = reply.body;
    return c.body(body, 200, { ...headers, "Content-Encoding": "gzip", "Content-Length": String(body.byteLength), Vary: "Accept-Encoding" });
  }
  const bytes = reply.envelope();
  return withByteBody(c.body(bytes, 200, { ...headers, "Content-Length": String(bytes.byteLength) }), bytes);
}

export function gzipReplies(): MiddlewareHandler {
  return async function gzipReplies(c, next) {
    await next();
    const res = c.res;
    const bytes = byteBodies.get(res);
    if ((!bytes && !res.body) || c.req.method === "HEAD") return;
    if (!acceptsGzip(c)) return;
    if (res.headers.has("Content-Encoding") || /\bno-transform\b/i.test(res.headers.get("Cache-Control") ?? "")) return;
    // Event streams (SSE) must flow as they are produced; everything else is a finite reply.
    if (/^text\/event-stream/i.test(res.headers.get("Content-Type") ?? "")) return;
    const declared = Number(res.headers.get("Content-Length") ?? Number.POSITIVE_INFINITY);
    if (declared < MIN_BYTES) return;
    const body = bytes ?? new Uint8Array(await res.arrayBuffer());
    if (body.byteLength < MIN_BYTES) {
      replace(c, new Response(body, res));
      return;
    }
    const zipped = Bun.gzipSync(body, { level: body.byteLength > FAST_ABOVE_BYTES ? 1 : 6 });
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
