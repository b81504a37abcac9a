/**
 * task_list (rpc.md §5.16, §8.1) and task_search (§5.17).
 * @module
 */
import type { TaskListArgs, TaskSearchArgs } from "../args.ts";
import type { Seconds, TaskRecord } from "../types.ts";
import { inJsonKeyOrder, JsonReply } from "./json-text.ts";
import { displayName, type SerialisedTask, serialiseTask, writeTaskJson } from "./serialise.ts";
import { UpstreamStatusMemo } from "./upstream.ts";
import type { EngineView } from "./view.ts";
import { dict } from "./dict.ts";

/** Too many tasks to list: the count, or -1 when an upstream filter makes it unknown. */
export interface TooManyTasks {
  num_tasks: number;
}

export type TaskListResult = Record<string, SerialisedTask> | TooManyTasks;

/** Every whitespace-separated term must appear in the pretty id, case-insensitively. */
function searchFilter(search: string | null): (task: Readonly<TaskRecord>) => boolean {
  if (search === null) return () => true;
  const terms = search
    .split(/\s+/)
    .filter((term) => term !== "")
    .map((term) => term.toLowerCase());
  if (terms.length === 0) return () => true;
  return (task) => {
    const pretty = displayName(task).toLowerCase();
    return terms.every((term) => pretty.includes(term));
  };
}

/**
 * The tasks a task_list call returns, in order, or the too-many answer.
 * Bounded by what it returns: the cheap count check comes before any prune or
 * scan, and a status uses the engine's status index instead of every task.
 */
function selectTasks(engine: EngineView, args: TaskListArgs, now: Seconds): Array<Readonly<TaskRecord>> | TooManyTasks {
  const cap = args.maxShownTasks || engine.config.maxShownTasks;
  if (!args.search) {
    const pre = args.status ? engine.countByStatus(args.status) : engine.taskCount();
    if (args.limit && pre > cap) return { num_tasks: args.upstreamStatus ? -1 : pre };
  }
  engine.prune(now);

  const matches = searchFilter(args.search);
  const upstream = new UpstreamStatusMemo(engine);
  const candidates = args.status ? engine.tasksByStatus(args.status) : engine.tasks();
  const selected: Array<Readonly<TaskRecord>> = [];
  let count = 0;
  for (const task of candidates) {
    if (!matches(task)) continue;
    if (task.status === "PENDING" && args.upstreamStatus && upstream.of(task.id) !== args.upstreamStatus) continue;
    count += 1;
    // Past the cap only the count matters (§8.1 step 7): stop collecting.
    if (args.limit && count > cap) continue;
    selected.push(task);
  }
  if (args.limit && count > cap) return { num_tasks: count };
  return selected;
}

export function taskList(engine: EngineView, args: TaskListArgs, now: Seconds): TaskListResult {
  const selected = selectTasks(engine, args, now);
  if (!Array.isArray(selected)) return selected;
  const result = dict<SerialisedTask>();
  for (const task of selected) result[task.id] = serialiseTask(task, engine.config);
  return result;
}

/**
 * taskList's reply already serialised (the same JSON text JSON.stringify
 * makes of taskList's result), written in one pass from the records: no
 * per-task objects and no 45 MB JSON.stringify at 100k tasks. Past
 * `spillBytes` (tests set it low) it is gzipped as it is written.
 */
export function taskListJson(engine: EngineView, args: TaskListArgs, now: Seconds, spillBytes?: number): JsonReply | TooManyTasks {
  const selected = selectTasks(engine, args, now);
  if (!Array.isArray(selected)) return selected;
  return JsonReply.write((out) => {
    out.raw("{");
    let first = true;
    for (const task of inJsonKeyOrder(selected, (task) => task.id)) {
      if (!first) out.raw(",");
      first = false;
      out.string(task.id);
      out.raw(":");
      writeTaskJson(out, task, engine.config);
      out.checkpoint();
    }
    out.raw("}");
  }, spillBytes);
}

/** Tasks whose id contains the string (case-sensitive), grouped by status. */
export function taskSearch(engine: EngineView, args: TaskSearchArgs, now: Seconds): Record<string, Record<string, SerialisedTask>> {
  engine.prune(now);
  const result = dict<Record<string, SerialisedTask>>();
  for (const task of engine.tasks()) {
    if (!task.id.includes(args.taskStr)) continue;
    (result[task.status] ??= dict())[task.id] = serialiseTask(task, engine.config);
  }
  return result;
}
