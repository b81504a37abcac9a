/**
 * Long-lived responses (the visualiser's Server-Sent Events) would hold a
 * graceful shutdown open until the drain timeout. The server passes such
 * bodies through `endOnShutdown`, which ends them cleanly the moment shutdown
 * begins (the browser's EventSource then reconnects to whoever serves next).
 * @module
 */

/** Whether a response is a stream that only ends when the client leaves. */
export function isEventStream(response: Response): boolean {
  // The type first: reading `body` of a reply built from a string materializes a stream for it.
  return (response.headers.get("Content-Type") ?? "").startsWith("text/event-stream") && response.body !== null;
}

/** The same bytes as `body`, but the stream ends (and `body` is cancelled) when `signal` aborts. */
export function endOnShutdown(body: ReadableStream<Uint8Array>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let finish: () => void = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      finish = () => {
        signal.removeEventListener("abort", finish);
        reader.cancel().catch(() => {});
        try {
          controller.close();
        } catch {
          // already closed or errored
        }
      };
      if (signal.aborted) finish();
      else signal.addEventListener("abort", finish);
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) finish();
        else controller.enqueue(value);
      } catch (error) {
        signal.removeEventListener("abort", finish);
        controller.error(error);
      }
    },
    cancel(reason) {
      signal.removeEventListener("abort", finish);
      return reader.cancel(reason);
    },
  });
}
