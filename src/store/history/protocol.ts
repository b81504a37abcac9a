/**
 * Messages between the server thread and the history thread. The thread
 * handles them strictly in order, so a query sees every write sent before it.
 * @module
 */
import type { QueryName } from "./queries.ts";
import type { PruneResult } from "./writer.ts";

export type ToThread =
  | { type: "open"; path: string }
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
  | { type: "done"; id: number; result: PruneResult }
  | { type: "answer"; id: number; value?: unknown; error?: string }
  | { type: "warn"; message: string; error: string };
