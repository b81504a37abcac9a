/**
 * Wide layers folded into rows. dagre puts every dependency of a task in one
 * layer, so a wrapper task over 300 dependencies becomes a 300-node row that
 * "Fit" can only show at a fiftieth of its size, every name unreadable. Like
 * Luigi's SVG view, a layer wider than the window's shape calls for is laid
 * out as a grid of columns instead, the layers after it move down (right, in
 * a left-right graph) to make room, every layer is centred on one axis, and
 * edges become straight segments between node borders, since dagre's routes
 * no longer fit the new places.
 * @module
 */
import type { LayoutRequest, LayoutResult } from "./layout-types.ts";

/** Layers up to this many nodes stay as dagre placed them. */
export const WRAP_ABOVE = 12;
/** Width over height of the grid a folded layer aims for (about a browser window's). */
const ASPECT = 1.6;
const GAP = 24;
const MARGIN = 16;

type Point = { x: number; y: number };

export function wrapWideLayers(request: LayoutRequest, result: LayoutResult): LayoutResult {
  const tb = request.rankdir === "TB";
  // "along": the axis the layers follow one another on; "across": the axis a layer spreads on.
  const along = (p: Point) => (tb ? p.y : p.x);
  const size = new Map(request.nodes.map((n) => [n.id, n]));
  const layers = new Map<number, string[]>();
  for (const n of request.nodes) {
    const key = Math.round(along(result.nodes[n.id]!));
    const layer = layers.get(key);
    if (layer) layer.push(n.id);
    else layers.set(key, [n.id]);
  }
  if (![...layers.values()].some((ids) => ids.length > WRAP_ABOVE)) return result;

  const maxW = Math.max(...request.nodes.map((n) => n.width));
  const maxH = Math.max(...request.nodes.map((n) => n.height));
  const pitchAcross = (tb ? maxW : maxH) + GAP;
  const pitchAlong = (tb ? maxH : maxW) + GAP;
  // Every layer in dagre's order across (it minimised crossings), folded into rows of at most
  // `columns` nodes when wide, and centred on one axis: dagre's own places across were spread
  // for the wide layer and mean nothing once it is folded.
  const ratio = tb ? ASPECT : 1 / ASPECT;
  const plan = [...layers.keys()]
    .sort((a, b) => a - b)
    .map((key) => {
      const ids = layers.get(key)!.sort((a, b) => (tb ? result.nodes[a]!.x - result.nodes[b]!.x : result.nodes[a]!.y - result.nodes[b]!.y));
      const columns = ids.length <= WRAP_ABOVE ? ids.length : Math.min(ids.length, Math.max(WRAP_ABOVE, Math.ceil(Math.sqrt((ids.length * ratio * pitchAlong) / pitchAcross))));
      return { key, ids, columns };
    });
  const axis = MARGIN + (Math.max(...plan.map((l) => l.columns)) * pitchAcross) / 2;
  const nodes: LayoutResult["nodes"] = {};
  let shift = 0;
  for (const { key, ids, columns } of plan) {
    ids.forEach((id, i) => {
      const row = Math.floor(i / columns);
      const inRow = Math.min(columns, ids.length - row * columns);
      const across = axis - (inRow * pitchAcross) / 2 + (i % columns) * pitchAcross + pitchAcross / 2;
      const at = key + shift + row * pitchAlong;
      nodes[id] = tb ? { x: across, y: at } : { x: at, y: across };
    });
    shift += (Math.ceil(ids.length / columns) - 1) * pitchAlong;
  }

  let width = 0;
  let height = 0;
  for (const n of request.nodes) {
    const p = nodes[n.id]!;
    width = Math.max(width, p.x + n.width / 2 + MARGIN);
    height = Math.max(height, p.y + n.height / 2 + MARGIN);
  }
  const edges = request.edges.map(([from, to]) => {
    const a = nodes[from];
    const b = nodes[to];
    const sa = size.get(from);
    const sb = size.get(to);
    if (!a || !b || !sa || !sb || from === to) return [];
    return [border(a, sa, b), border(b, sb, a)];
  });
  return { ...result, width, height, nodes, edges };
}

/** Where the segment from the centre of a `box`-sized node at `c` towards `to` leaves the node. */
function border(c: Point, box: { width: number; height: number }, to: Point): Point {
  const dx = to.x - c.x;
  const dy = to.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const t = Math.min(dx === 0 ? Infinity : box.width / 2 / Math.abs(dx), dy === 0 ? Infinity : box.height / 2 / Math.abs(dy));
  return { x: c.x + dx * t, y: c.y + dy * t };
}
