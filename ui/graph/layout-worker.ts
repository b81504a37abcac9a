/** Web Worker entry: lays out graphs off the page's main thread. @module */
import { layout } from "./layout.ts";
import type { LayoutRequest } from "./layout-types.ts";

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  try {
    postMessage(layout(event.data));
  } catch (error) {
    postMessage({ id: event.data.id, error: String(error) });
  }
};
