/**
 * View state in the URL fragment, with Luigi's keys (server.md §5.8), so old
 * bookmarks and links from task logs open the same views:
 * `#tab=graph&taskId=…&hideDone=1`. Extra keys of ours: `page`, `hops`.
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import type { View } from "../../src/http/ui/views.ts";

export type Tab = View;

export function readHash(): URLSearchParams {
  return new URLSearchParams(window.location.hash.replace(/^#/, ""));
}

/** `resource` is Luigi's own spelling in its nav link; anything unknown is the task list. */
export function tabOf(state: URLSearchParams): Tab {
  const tab = state.get("tab");
  if (tab === "graph" || tab === "timeline" || tab === "workers" || tab === "resources") return tab;
  if (tab === "resource") return "resources";
  return "tasks";
}

export function hashHref(values: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== null && value !== undefined && value !== "") params.set(key, value);
  return `#${params.toString()}`;
}

/** Replaces some keys of the current hash (null removes a key). */
export function updateHash(changes: Record<string, string | null | undefined>, { replace = false } = {}): void {
  const params = readHash();
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") params.delete(key);
    else params.set(key, value);
  }
  const next = `#${params.toString()}`;
  if (next === window.location.hash) return;
  if (replace) history.replaceState(null, "", next);
  else history.pushState(null, "", next);
  window.dispatchEvent(new Event("luigid:hash"));
}

/** The current hash, re-read on back/forward, pasted links and our own updates. */
export function useHash(): URLSearchParams {
  const [state, setState] = useState(readHash);
  useEffect(() => {
    const onChange = () => setState(readHash());
    window.addEventListener("hashchange", onChange);
    window.addEventListener("popstate", onChange);
    window.addEventListener("luigid:hash", onChange);
    return () => {
      window.removeEventListener("hashchange", onChange);
      window.removeEventListener("popstate", onChange);
      window.removeEventListener("luigid:hash", onChange);
    };
  }, []);
  return state;
}

/** A JSON array of strings from a hash key (Luigi writes `statuses=["FAILED"]`); junk reads as empty. */
export function jsonList(state: URLSearchParams, key: string): string[] {
  const raw = state.get(key);
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export function graphHref(taskId: string, hideDone = true): string {
  return hashHref({ tab: "graph", taskId, hideDone: hideDone ? "1" : null });
}
