/**
 * Messages between the server thread and the history thread. The thread
 * handles them strictly in order, so a query sees every write sent before it.
 * @module
 */
import type { QueryName } from "./queries.ts";

export type ToThread =
  | { type: "open"; path: string; firstOwnId: number }
  /** `events` is the batch as JSON text: a string crosses threads far cheaper than a structured clone of thousands of objects. */
  | { type: "write"; seq: number; events: string }
  | { type: "sync"; id: number }
  | { type: "prune"; id: number; cutoff: string }
  | { type: "query"; id: number; name: QueryName; args: unknown[] }
  | { type: "close"; id: number };

export type FromThread =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "written"; seq: number }
  /** `deleted`: records a prune removed (0 for the other requests). */
  | { type: "done"; id: number; deleted: number }
  | { type: "answer"; id: number; value?: unknown; error?: string }
  | { type: "warn"; message: string; error: string };
