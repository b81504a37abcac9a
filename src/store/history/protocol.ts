/**
 * Messages between the server thread and the history thread.
 * @module
 */
import type { PruneResult } from "./writer.ts";
export type ToWriter =
  | { type: "open"; path: string }
  /** `events` is the batch as JSON text: a string crosses threads far cheaper than a structured clone of thousands of objects. */
  | { type: "write"; seq: number; events: string }
  | { type: "sync"; id: number }
  | { type: "prune"; id: number; cutoff: string }
  | { type: "close"; id: number };

export type FromWriter =
  | { type: "ready" }
  | { type: "failed"; message: string }
  | { type: "written"; seq: number }
  | { type: "done"; id: number; result: PruneResult }
  | { type: "warn"; message: string; error: string };
