/**
 * Relative links for the history pages (server.md §4.8 [DEV]): every href is
 * built from the page's own depth, so the pages work under a proxy sub-path,
 * and every name is percent-encoded as one path segment.
 * @module
 */
import type { View } from "../ui/views.ts";

/** `../` once per directory level of the request path: from `/history/by_name/a/b`, `../../../`. */
export function rootPrefix(rawPathname: string): string {
  const depth = Math.max(0, rawPathname.split("/").length - 2);
  return "../".repeat(depth);
}

/** Builds the links a page needs, relative to the site root. */
export function linksFrom(root: string) {
  const segment = (name: string) => encodeURIComponent(name);
  const visualiser = `${root}static/visualiser/index.html`;
  return {
    root,
    visualiser,
    /** One of the visualiser's views, by the fragment key it reads (`#tab=graph`). */
    view: (tab: View) => `${visualiser}#tab=${tab}`,
    recent: `${root}history`,
    byId: (id: number) => `${root}history/by_id/${id}`,
    byName: (name: string) => `${root}history/by_name/${segment(name)}`,
    byTaskId: (taskId: string) => `${root}history/by_task_id/${segment(taskId)}`,
    byParams: (name: string, params: Record<string, string | null>) =>
      `${root}history/by_params/${segment(name)}?data=${encodeURIComponent(JSON.stringify(params))}`,
    tasklist: `${root}tasklist`,
    family: (name: string) => `${root}tasklist/${segment(name)}`,
  };
}

export type Links = ReturnType<typeof linksFrom>;
