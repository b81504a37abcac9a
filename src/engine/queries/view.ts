/**
 * The part of the Engine the read-side queries may touch: read-only lookups,
 * the configuration, and prune (which some queries run first, server.md §7.2).
 * @module
 */
import type { Engine } from "../engine.ts";

export type EngineView = Pick<
  Engine,
  | "config"
  | "getTask"
  | "tasks"
  | "taskCount"
  | "tasksByStatus"
  | "countByStatus"
  | "getWorker"
  | "workers"
  | "resourceCapacities"
  | "resourcesInUse"
  | "prune"
>;

/** A read-only lookup by task id, all that upstream status and pretty ids need. */
export type TaskLookup = Pick<Engine, "getTask">;
