/**
 * How Luigi's Python renders task parameters in labels, group keys and pretty
 * ids, for the ops features that must print them the same way.
 * @module
 */
import type { TaskFacts } from "../engine/events.ts";

/** Python's str() of a parameter value (the real client only sends strings). */
export function pythonStr(value: unknown): string {
  if (value === undefined || value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return JSON.stringify(value) ?? "None";
}

/** Luigi's pretty id: `Family(k=v, …)` over public params sorted by name (rpc.md §2.10). */
export function prettyId(task: Pick<TaskFacts, "family" | "params" | "paramVisibilities">): string {
  const pairs = Object.entries(task.params)
    .filter(([key]) => (task.paramVisibilities[key] ?? 0) === 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${pythonStr(value)}`);
  return `${task.family}(${pairs.join(", ")})`;
}
