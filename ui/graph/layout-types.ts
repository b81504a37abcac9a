/** Messages between the graph page and the layout worker. @module */

export interface LayoutRequest {
  id: number;
  /** Top-down (TB) or left-right (LR). */
  rankdir: "TB" | "LR";
  nodes: Array<{ id: string; width: number; height: number }>;
  /** [from, to] pairs. */
  edges: Array<[string, string]>;
}

export interface LayoutResult {
  id: number;
  width: number;
  height: number;
  nodes: Record<string, { x: number; y: number }>;
  /** Per edge, the polyline dagre routed, in request order. */
  edges: Array<Array<{ x: number; y: number }>>;
  ms: number;
}
