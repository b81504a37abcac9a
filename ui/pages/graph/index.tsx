/** @jsxImportSource preact */
/**
 * Dependency Graph tab (server.md §5.4): a task's neighbourhood, N hops down
 * its dependencies or up its dependants, laid out by dagre in a worker and
 * drawn as one SVG with pan and zoom. Luigi's hash keys: taskId, invert,
 * hideDone, visType (svg = top-down, d3 = left-to-right); ours: hops, limit.
 * @module
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { UiGraph, UiGraphNode } from "../../../src/http/ui/types.ts";
import { uiApi } from "../../api/client.ts";
import { TaskActions } from "../../components/task-actions.tsx";
import { TaskIdForm } from "../../components/task-id-form.tsx";
import { requestLayout } from "../../graph/layout-client.ts";
import type { LayoutResult } from "../../graph/layout-types.ts";
import { dateTime, duration, paramText, paramValue } from "../../lib/format.ts";
import { updateHash } from "../../lib/hash.ts";
import { CATEGORY_INFO, statusColor } from "../../lib/status.ts";
import { StatusBadge } from "../tasks/index.tsx";

const NODE_W = 190;
const NODE_H = 42;
const HOPS = ["1", "2", "3", "5", "10", "all"];
const LIMITS = ["500", "2000", "5000"];

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** A layout with the [dependant, dependency] pair behind each routed edge. */
type Placed = LayoutResult & { pairs: Array<[string, string]> };

interface View {
  x: number;
  y: number;
  k: number;
}

function GraphCanvas({ graph, layout, selected, onSelect, onFocus }: { graph: UiGraph; layout: Placed; selected: string | null; onSelect: (id: string) => void; onFocus: (id: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  // Pan and zoom move a composited layer (a CSS transform on the stage), outside Preact:
  // the SVG itself is neither re-rendered nor repainted while the user drags.
  const view = useRef<View>({ x: 0, y: 0, k: 1 });
  const [showText, setShowText] = useState(true);
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; moved: boolean } | null>(null);
  const frame = useRef(0);

  const setView = (next: View | ((v: View) => View)) => {
    view.current = typeof next === "function" ? next(view.current) : next;
    setShowText(view.current.k >= 0.35);
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const v = view.current;
      if (stage.current) stage.current.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.k})`;
    });
  };

  const fit = () => {
    const el = host.current;
    if (!el) return;
    const w = el.clientWidth;
    const h = el.clientHeight;
    const k = Math.min(1.2, w / Math.max(1, layout.width), h / Math.max(1, layout.height));
    setView({ k, x: (w - layout.width * k) / 2, y: Math.max(0, (h - layout.height * k) / 2) });
  };
  useEffect(fit, [layout]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const edgePath = useMemo(
    () =>
      layout.edges
        .filter((points) => points.length > 1)
        .map((points) => `M${points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("L")}`)
        .join(""),
    [layout],
  );

  // Luigi's D3 view: an edge into a DONE task is labelled with how long the dependency ran.
  const edgeLabels = useMemo(() => {
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    return layout.pairs.map(([dependant, dependency], i) => {
      const parent = byId.get(dependant);
      const child = byId.get(dependency);
      const points = layout.edges[i] ?? [];
      const mid = points[Math.floor(points.length / 2)];
      if (parent?.status !== "DONE" || !child || child.timeRunning === null || !mid) return null;
      return (
        <text key={`${dependant}>${dependency}`} class="edge-label" x={mid.x + 4} y={mid.y}>
          {duration(child.lastUpdated - child.timeRunning)}
        </text>
      );
    });
  }, [graph, layout]);

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const rect = host.current?.getBoundingClientRect();
    if (!rect) return;
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    setView((v) => {
      const k = Math.min(4, Math.max(0.02, v.k * Math.exp(-e.deltaY * 0.0015)));
      return { k, x: mx - ((mx - v.x) * k) / v.k, y: my - ((my - v.y) * k) / v.k };
    });
  };
  useEffect(() => {
    const el = host.current;
    el?.addEventListener("wheel", onWheel, { passive: false });
    return () => el?.removeEventListener("wheel", onWheel);
  }, []);

  // The node layer is rebuilt only when its content changes, not on every pan/zoom frame:
  // with thousands of nodes, re-diffing them per mouse move would make panning stutter.
  const nodesLayer = useMemo(
    () => (
      <>
        {graph.nodes.map((node) => {
          const pos = layout.nodes[node.id];
          if (!pos) return null;
          const x = pos.x - NODE_W / 2;
          const y = pos.y - NODE_H / 2;
          const color = statusColor(node.category);
          return (
            <g
              key={node.id}
              class={`node${node.id === selected ? " selected" : ""}${node.id === graph.root ? " root" : ""}${node.truncated ? " truncated" : ""}`}
              transform={`translate(${x},${y})`}
              data-task-id={node.id}
              onClick={() => !drag.current?.moved && onSelect(node.id)}
              onDblClick={() => onFocus(node.id)}
            >
              <title>{`${node.displayName}\n${node.status}${node.workerRunning ? `\nworker: ${node.workerRunning}` : ""}`}</title>
              <rect class="node-box" width={NODE_W} height={NODE_H} rx={6} />
              <rect class="node-strip" width={6} height={NODE_H} rx={3} style={{ fill: color }} />
              {node.status === "RUNNING" && <circle class="pulse" cx={NODE_W - 10} cy={10} r={4} style={{ fill: color }} />}
              {node.truncated && <text class="more" x={NODE_W - 8} y={NODE_H - 6} text-anchor="end">⋯</text>}
              {showText && (
                <>
                  <text x={14} y={17} class="node-name">{clip(node.name || node.id, 24)}</text>
                  <text x={14} y={33} class="node-params">{clip(paramText(node.params) || node.category, 28)}</text>
                </>
              )}
            </g>
          );
        })}
      </>
    ),
    [graph, layout, selected, showText],
  );
  return (
    <div
      class="graph-canvas"
      ref={host}
      onMouseDown={(e) => {
        drag.current = { x: e.clientX, y: e.clientY, vx: view.current.x, vy: view.current.y, moved: false };
      }}
      onMouseMove={(e) => {
        const d = drag.current;
        if (!d) return;
        if (Math.abs(e.clientX - d.x) + Math.abs(e.clientY - d.y) > 3) d.moved = true;
        setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
      }}
      onMouseUp={() => {
        setTimeout(() => (drag.current = null), 0);
      }}
      onMouseLeave={() => (drag.current = null)}
    >
      <div class="graph-zoom">
        <button type="button" onClick={() => setView((v) => ({ ...v, k: v.k * 1.25 }))} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => setView((v) => ({ ...v, k: v.k / 1.25 }))} aria-label="Zoom out">−</button>
        <button type="button" onClick={fit}>Fit</button>
      </div>
      <div class="graph-stage" ref={stage}>
        <svg width={layout.width} height={layout.height} data-testid="graph-svg">
          <path class="edges" d={edgePath} />
          {showText && edgeLabels}
          {nodesLayer}
        </svg>
      </div>
    </div>
  );
}

function NodePanel({ node, onFocus, refresh }: { node: UiGraphNode; onFocus: (id: string) => void; refresh: () => void }) {
  const ran = node.timeRunning !== null && (node.status === "DONE" || node.status === "FAILED") ? node.lastUpdated - node.timeRunning : null;
  return (
    <aside class="node-panel" data-testid="node-panel">
      <h3>{node.displayName}</h3>
      <p>
        <StatusBadge category={node.category} />
      </p>
      <dl>
        <dt>Task id</dt>
        <dd class="mono">{node.id}</dd>
        {Object.entries(node.params).map(([k, v]) => (
          <>
            <dt key={`k${k}`}>{k}</dt>
            <dd key={`v${k}`}>{paramValue(v)}</dd>
          </>
        ))}
        <dt>Priority</dt>
        <dd>{node.priority}</dd>
        {node.workerRunning && (
          <>
            <dt>Worker</dt>
            <dd class="mono small">{node.workerRunning}</dd>
          </>
        )}
        <dt>Last updated</dt>
        <dd>{dateTime(node.lastUpdated)}</dd>
        {ran !== null && (
          <>
            <dt>Run time</dt>
            <dd>{duration(ran)}</dd>
          </>
        )}
        {node.statusMessage && (
          <>
            <dt>Status message</dt>
            <dd>{node.statusMessage}</dd>
          </>
        )}
      </dl>
      <div class="row">
        <button type="button" class="primary" onClick={() => onFocus(node.id)}>Focus graph here</button>
        <TaskActions task={node} onDone={refresh} />
      </div>
    </aside>
  );
}

export function GraphPage({ hash, version }: { hash: URLSearchParams; version: number }) {
  const taskId = hash.get("taskId") ?? "";
  const invert = hash.get("invert") === "1";
  const hideDone = hash.get("hideDone") === "1";
  const rankdir = hash.get("visType") === "d3" ? "LR" : "TB";
  const hops = HOPS.includes(hash.get("hops") ?? "") ? (hash.get("hops") as string) : "all";
  const limit = LIMITS.includes(hash.get("limit") ?? "") ? (hash.get("limit") as string) : "2000";

  const [graph, setGraph] = useState<UiGraph | null>(null);
  const [layout, setLayout] = useState<Placed | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);
  const structure = useRef("");

  useEffect(() => {
    if (!taskId) {
      setGraph(null);
      return;
    }
    let alive = true;
    uiApi
      .graph({ task_id: taskId, direction: invert ? "up" : "down", hide_done: hideDone, hops: hops === "all" ? null : hops, limit })
      .then(async (g) => {
        if (!alive) return;
        setGraph(g);
        setError(null);
        // Re-layout only when the shape changed; status changes just recolour.
        const shape = `${rankdir}|${g.nodes.map((n) => `${n.id}>${n.edges.join(",")}`).join(";")}`;
        if (shape === structure.current) return;
        structure.current = shape;
        const edges: Array<[string, string]> = [];
        for (const n of g.nodes) for (const e of n.edges) edges.push(invert ? [e, n.id] : [n.id, e]);
        const result = await requestLayout({ rankdir, nodes: g.nodes.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })), edges });
        // A newer refresh may have come meanwhile; the layout is still right if the shape is.
        if (structure.current === shape) setLayout({ ...result, pairs: edges });
      })
      .catch((e: Error) => alive && setError(e.message));
    return () => {
      alive = false;
    };
  }, [taskId, invert, hideDone, hops, limit, rankdir, version, nonce]);

  const focus = (id: string) => {
    setSelected(null);
    updateHash({ taskId: id });
  };
  const root = graph?.nodes.find((n) => n.id === graph.root);
  const selectedNode = graph?.nodes.find((n) => n.id === selected) ?? null;

  return (
    <section class="content graph-page">
      <TaskIdForm taskId={taskId} label="TaskId" placeholder="task id, e.g. MyTask_2024_01_01_8e7a9f1c2b" button="Show task details">
        <label class="check">
          <input type="checkbox" checked={invert} onChange={(e) => updateHash({ invert: e.currentTarget.checked ? "1" : null })} /> Show Upstream Dependencies
        </label>
        <label class="check">
          <input type="checkbox" checked={hideDone} onChange={(e) => updateHash({ hideDone: e.currentTarget.checked ? "1" : null })} /> Hide Done
        </label>
        <label class="field inline">
          Hops
          <select value={hops} onChange={(e) => updateHash({ hops: e.currentTarget.value === "all" ? null : e.currentTarget.value })}>
            {HOPS.map((h) => (
              <option key={h} value={h}>{h}</option>
            ))}
          </select>
        </label>
        <label class="field inline">
          Max nodes
          <select value={limit} onChange={(e) => updateHash({ limit: e.currentTarget.value === "2000" ? null : e.currentTarget.value })}>
            {LIMITS.map((n) => (
              <option key={n} value={n}>{Number(n).toLocaleString()}</option>
            ))}
          </select>
        </label>
        <label class="field inline">
          Layout
          <select value={rankdir === "LR" ? "d3" : "svg"} onChange={(e) => updateHash({ visType: e.currentTarget.value === "d3" ? "d3" : null })}>
            <option value="svg">Top-down</option>
            <option value="d3">Left-right</option>
          </select>
        </label>
      </TaskIdForm>
      {!taskId && <p class="callout info">Enter a task id, or open a task's graph from the task list (⎇).</p>}
      {error && <p class="callout danger">{error}</p>}
      {graph && !graph.found && <p class="callout danger" data-testid="graph-missing">Couldn't find task {taskId}</p>}
      {graph?.found && (
        <>
          <header class="graph-title">
            <h2>{root?.displayName ?? taskId}</h2>
            <span class="muted">
              {invert ? "Upstream (dependants) graph" : "Dependency Graph"} · {graph.nodes.length.toLocaleString()} tasks
            </span>
          </header>
          {graph.truncatedCount > 0 && (
            <p class="callout warn" data-testid="truncation">
              {graph.truncatedCount.toLocaleString()} more tasks are beyond {hops === "all" ? `the limit of ${graph.limit.toLocaleString()} nodes` : `${hops} hops`} and not shown; nodes marked ⋯ lead to them. Double-click a node to focus there.
            </p>
          )}
          <div class="graph-area">
            {layout ? <GraphCanvas graph={graph} layout={layout} selected={selected} onSelect={setSelected} onFocus={focus} /> : <p class="muted pad">Laying out…</p>}
            {selectedNode && <NodePanel node={selectedNode} onFocus={focus} refresh={() => setNonce((n) => n + 1)} />}
          </div>
          <div class="legend" aria-label="Legend">
            {CATEGORY_INFO.map((c) => (
              <span key={c.key} class="legend-item">
                <i style={{ background: statusColor(c.key) }} /> {c.label}
              </span>
            ))}
            <span class="legend-item">⋯ Truncated</span>
            <span class="legend-item hint">Click a task for its details and actions, double-click to focus the graph on it; drag to pan, wheel to zoom.</span>
          </div>
        </>
      )}
    </section>
  );
}
