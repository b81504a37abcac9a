/**
 * GET /ui-api/events: Server-Sent Events telling open pages that the
 * scheduler changed, so they refetch what they show and nothing else.
 *
 * Each connection compares the version pages are shown (two integers read,
 * no work) a few times a second and sends an event only when it moved, at
 * most `minGapMs` apart however busy the scheduler is. A comment line keeps
 * idle connections from being closed by server or proxy timeouts.
 * @module
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { UiVersion } from "./types.ts";

export interface LiveOptions {
  /** How often the version is compared. */
  checkMs?: number;
  /** Least time between two change events on one connection. */
  minGapMs?: number;
  /** Comment line interval on a quiet connection. */
  keepAliveMs?: number;
}

export function liveEvents(c: Context, version: () => UiVersion, { checkMs = 250, minGapMs = 500, keepAliveMs = 5000 }: LiveOptions = {}): Response {
  c.header("Cache-Control", "no-cache");
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    let closed = false;
    stream.onAbort(() => {
      closed = true;
    });
    let sent = JSON.stringify(version());
    let lastSendMs = performance.now();
    let lastWriteMs = lastSendMs;
    await stream.writeSSE({ event: "version", data: sent, retry: 2000 });
    while (!closed) {
      await stream.sleep(checkMs);
      const now = performance.now();
      const current = JSON.stringify(version());
      if (current !== sent && now - lastSendMs >= minGapMs) {
        sent = current;
        lastSendMs = lastWriteMs = now;
        await stream.writeSSE({ event: "version", data: current });
      } else if (now - lastWriteMs >= keepAliveMs) {
        lastWriteMs = now;
        await stream.write(": keep-alive\n\n");
      }
    }
  });
}
