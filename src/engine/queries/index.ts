/**
 * The read side of the engine: pure functions over its read-only state that
 * answer the visualiser's queries in Luigi's wire shapes.
 * @module
 */
export { fetchError, type FetchErrorResult } from "./fetch-error.ts";
export { depGraph, type Graph, type GraphNode, graph, inverseDepGraph } from "./graph.ts";
export { type ResourceListEntry, resourceList } from "./resources.ts";
export { displayName, type PlaceholderNode, placeholderNode, publicParams, pythonStr, type SerialisedTask, serialiseTask } from "./serialise.ts";
export { JsonReply } from "./json-text.ts";
export { type TaskListResult, taskList, taskListJson, taskSearch, type TooManyTasks } from "./task-list.ts";
export { UpstreamStatusMemo } from "./upstream.ts";
export type { EngineView, TaskLookup } from "./view.ts";
export { type WorkerListEntry, workerList } from "./workers.ts";
