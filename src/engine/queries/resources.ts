/**
 * resource_list (rpc.md §5.21).
 * @module
 */
import type { Seconds } from "../types.ts";
import { type SerialisedTask, serialiseTask } from "./serialise.ts";
import type { EngineView } from "./view.ts";
import { dict } from "./dict.ts";

export interface ResourceListEntry {
  name: string;
  num_total: number;
  num_used: number;
  num_consumer: number;
  running: Record<string, SerialisedTask>;
}

/**
 * Configured resources only, in capacity-table order. Usage comes from
 * `resources_running`, consumers from `resources` (quirk 31).
 */
export function resourceList(engine: EngineView, now: Seconds): ResourceListEntry[] {
  engine.prune(now);
  const used = engine.resourcesInUse();
  const consumers = new Map<string, Record<string, SerialisedTask>>();
  for (const task of engine.tasksByStatus("RUNNING")) {
    const names = Object.keys(task.resources);
    if (names.length === 0) continue;
    const serialised = serialiseTask(task, engine.config);
    for (const name of names) {
      let tasks = consumers.get(name);
      if (!tasks) consumers.set(name, (tasks = dict()));
      tasks[task.id] = serialised;
    }
  }
  return Object.entries(engine.resourceCapacities()).map(([name, total]) => {
    const running = consumers.get(name) ?? dict<SerialisedTask>();
    return { name, num_total: total, num_used: Object.hasOwn(used, name) ? (used[name] ?? 0) : 0, num_consumer: Object.keys(running).length, running };
  });
}
