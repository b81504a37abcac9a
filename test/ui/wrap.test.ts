/** The graph layout folds a wide layer into rows (a wrapper task over hundreds of dependencies). */
import { describe, expect, test } from "bun:test";
import { layout } from "../../ui/graph/layout.ts";
import type { LayoutRequest, LayoutResult } from "../../ui/graph/layout-types.ts";
import { WRAP_ABOVE } from "../../ui/graph/wrap.ts";

const W = 180;
const H = 42;

function fan(count: number, rankdir: "TB" | "LR"): LayoutRequest {
  const deps = Array.from({ length: count }, (_, i) => `Dep_${i}`);
  return {
    id: 1,
    rankdir,
    nodes: ["Wrapper", ...deps, "Source"].map((id) => ({ id, width: W, height: H })),
    edges: [...deps.map((d): [string, string] => ["Wrapper", d]), ...deps.map((d): [string, string] => [d, "Source"])],
  };
}

function overlaps(result: LayoutResult): number {
  const points = Object.values(result.nodes);
  let count = 0;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      if (Math.abs(points[i]!.x - points[j]!.x) < W && Math.abs(points[i]!.y - points[j]!.y) < H) count++;
    }
  }
  return count;
}

/** Where the fan's dependencies landed, in their order. */
const depsOf = (result: LayoutResult) => Array.from({ length: 300 }, (_, i) => result.nodes[`Dep_${i}`]!);

describe("a wrapper over 300 dependencies", () => {
  test("top-down: the dependencies fold into rows under the wrapper, the shape fits a window, nothing overlaps", () => {
    const result = layout(fan(300, "TB"));
    expect(result.width / result.height).toBeGreaterThan(0.8);
    expect(result.width / result.height).toBeLessThan(3);
    expect(overlaps(result)).toBe(0);
    const { Wrapper, Source } = result.nodes;
    const deps = depsOf(result);
    expect(deps.every((d) => d.y > Wrapper!.y && d.y < Source!.y)).toBe(true);
    for (const n of Object.values(result.nodes)) expect(n.x + W / 2).toBeLessThanOrEqual(result.width);
    // Edges run from the wrapper's border to each dependency's.
    const first = result.edges[0]!;
    expect(first).toHaveLength(2);
    expect(first[0]!.y).toBeCloseTo(Wrapper!.y + H / 2, 0);
    expect(first[1]!.y).toBeCloseTo(deps[0]!.y - H / 2, 0);
  });

  test("left-right: the same, turned", () => {
    const result = layout(fan(300, "LR"));
    expect(result.height / result.width).toBeGreaterThan(0.2);
    expect(result.height / result.width).toBeLessThan(3);
    expect(overlaps(result)).toBe(0);
    const { Wrapper, Source } = result.nodes;
    const deps = depsOf(result);
    expect(deps.every((d) => d.x > Wrapper!.x && d.x < Source!.x)).toBe(true);
  });
});

test(`a graph without a layer over ${WRAP_ABOVE} nodes keeps dagre's layout and routes`, () => {
  const result = layout(fan(WRAP_ABOVE, "TB"));
  expect(result.width / result.height).toBeGreaterThan(5);
  expect(result.edges.some((points) => points.length > 2)).toBe(true);
});
