/**
 * fetch_error (rpc.md §5.22): the stored explanation, for the visualiser's error pop-up.
 * @module
 */
import type { FetchErrorArgs } from "../args.ts";
import { displayName } from "./serialise.ts";
import type { TaskLookup } from "./view.ts";

export type FetchErrorResult =
  | { taskId: string; error: string }
  | {
      taskId: string;
      error: string | null;
      displayName: string;
      /** All params, hidden ones included. */
      taskParams: Record<string, unknown>;
      taskModule: string | null;
      taskFamily: string;
    };

export function fetchError(engine: TaskLookup, args: FetchErrorArgs): FetchErrorResult {
  const task = engine.getTask(args.taskId);
  if (!task) return { taskId: args.taskId, error: "" };
  return {
    taskId: args.taskId,
    error: task.expl,
    displayName: displayName(task),
    taskParams: task.params,
    taskModule: task.module,
    taskFamily: task.family,
  };
}
