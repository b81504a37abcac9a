/**
 * The visualiser's views, in the order of its top bar, with their keyboard
 * shortcuts: the visualiser (ui/app.tsx) shows them as tabs, and the history
 * pages' top bar links to them, so every page offers the same way around.
 * @module
 */
export type View = "tasks" | "graph" | "timeline" | "workers" | "resources";

export const VIEWS: ReadonlyArray<{ tab: View; label: string; key: string }> = [
  { tab: "tasks", label: "Task List", key: "1" },
  { tab: "graph", label: "Dependency Graph", key: "2" },
  { tab: "timeline", label: "Timeline", key: "3" },
  { tab: "workers", label: "Workers", key: "4" },
  { tab: "resources", label: "Resources", key: "5" },
];
