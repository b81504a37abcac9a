/**
 * Layered DAG layout with dagre (the maintained library Luigi's D3 view also
 * used). Runs in a Web Worker (layout-worker.ts) so a graph of thousands of
 * nodes never freezes the page.
 * @module
 */
import dagre from "@dagrejs/dagre";
import type { LayoutRequest, LayoutResult } from "./layout-types.ts";
import { wrapWideLayers } from "./wrap.ts";

export function layout(request: LayoutRequest): LayoutResult {
  const started = performance.now();
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: request.rankdir, nodesep: 24, ranksep: 56, edgesep: 8, marginx: 16, marginy: 16, ranker: "longest-path" });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of request.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const [from, to] of request.edges) if (from !== to) g.setEdge(from, to);
  dagre.layout(g);
  const nodes: LayoutResult["nodes"] = {};
  for (const n of request.nodes) {
    const placed = g.node(n.id);
    nodes[n.id] = { x: placed?.x ?? 0, y: placed?.y ?? 0 };
  }
  const edges = request.edges.map(([from, to]) => (g.edge(from, to)?.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })));
  const graph = g.graph();
  const placed = wrapWideLayers(request, { id: request.id, width: graph.width ?? 0, height: graph.height ?? 0, nodes, edges, ms: 0 });
  return { ...placed, ms: performance.now() - started };
}
