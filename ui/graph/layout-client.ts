/**
 * Asks the layout worker for positions; only the newest request's answer is
 * used. The worker's URL comes from the page (cache-busted at build time).
 * @module
 */
import type { LayoutRequest, LayoutResult } from "./layout-types.ts";

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const url = document.querySelector<HTMLMetaElement>('meta[name="luigid-layout-worker"]')?.content ?? "./layout-worker.js";
  worker = new Worker(url, { type: "module" });
  worker.onmessage = (event: MessageEvent<LayoutResult & { error?: string }>) => {
    const entry = waiting.get(event.data.id);
    if (!entry) return;
    waiting.delete(event.data.id);
    if (event.data.error) entry.reject(new Error(event.data.error));
    else entry.resolve(event.data);
  };
  worker.onerror = (event) => {
    for (const entry of waiting.values()) entry.reject(new Error(event.message || "layout worker failed"));
    waiting.clear();
  };
  return worker;
}

export function requestLayout(request: Omit<LayoutRequest, "id">): Promise<LayoutResult> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    getWorker().postMessage({ ...request, id });
  });
}
