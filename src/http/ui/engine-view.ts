/**
 * What the visualiser's API reads from the engine: the read accessors listed
 * in src/engine/README.md, nothing that mutates.
 * @module
 */
import type { Engine } from "../../engine/engine.ts";

export type UiEngineView = Pick<
  Engine,
  "version" | "getTask" | "tasks" | "tasksByStatus" | "workers" | "resourceCapacities" | "resourcesInUse" | "isPaused"
>;

/** Settings the UI API needs besides the engine. */
export interface UiSettings {
  pauseEnabled: boolean;
  sendMessages: boolean;
  hasHistory: boolean;
  /** Most nodes a graph request may return. */
  maxGraphNodes: number;
}
