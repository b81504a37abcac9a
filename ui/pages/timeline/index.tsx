/** @jsxImportSource preact */
/**
 * Run timeline (Gantt) of a pipeline: the tasks under a root (its dependency
 * graph) drawn from when each was handed to a worker (time_running) to when
 * it finished (last_updated), or to now while it runs, with durations.
 * @module
 */
import type { UiGraph, UiGraphNode } from "../../../src/http/ui/types.ts";
import { uiApi } from "../../api/client.ts";
import { TaskIdForm } from "../../components/task-id-form.tsx";
import { dateTime, duration, nowSeconds, paramText } from "../../lib/format.ts";
import { graphHref } from "../../lib/hash.ts";
import { statusColor } from "../../lib/status.ts";
import { useFetch } from "../../lib/use-fetch.ts";

interface Bar {
  node: UiGraphNode;
  start: number;
  end: number;
  running: boolean;
}

/** Time of day for an axis tick, with tenths when the whole run is short. */
function clock(seconds: number, span: number): string {
  const text = dateTime(seconds).slice(11);
  return span < 20 ? `${text}.${Math.floor((seconds % 1) * 10)}` : text;
}

function barsOf(graph: UiGraph, now: number): Bar[] {
  const bars: Bar[] = [];
  for (const node of graph.nodes) {
    if (node.timeRunning === null) continue;
    const running = node.status === "RUNNING" || node.status === "BATCH_RUNNING";
    const end = running ? now : node.lastUpdated;
    if (end < node.timeRunning) continue;
    bars.push({ node, start: node.timeRunning, end, running });
  }
  return bars.sort((a, b) => a.start - b.start || a.end - b.end);
}

export function TimelinePage({ hash, version }: { hash: URLSearchParams; version: number }) {
  const taskId = hash.get("taskId") ?? "";
  const { data: graph, error } = useFetch(() => (taskId ? uiApi.graph({ task_id: taskId, direction: "down" }) : null), [taskId, version]);

  const now = nowSeconds();
  const bars = graph ? barsOf(graph, now) : [];
  const t0 = bars.length ? Math.min(...bars.map((b) => b.start)) : 0;
  const t1 = bars.length ? Math.max(...bars.map((b) => b.end)) : 1;
  const span = Math.max(1e-3, t1 - t0);
  const notRun = graph ? graph.nodes.length - bars.length : 0;

  return (
    <section class="content">
      <TaskIdForm taskId={taskId} label="Pipeline root" placeholder="task id of the pipeline's top task" button="Show timeline" />
      {!taskId && <p class="callout info">Pick a pipeline's top task (☰ in the task list) to see when each of its tasks ran.</p>}
      {error && <p class="callout danger">{error}</p>}
      {graph && !graph.found && <p class="callout danger">Couldn't find task {taskId}</p>}
      {graph?.found && (
        <>
          <header class="graph-title">
            <h2>{graph.nodes.find((n) => n.id === graph.root)?.displayName ?? taskId}</h2>
            <span class="muted">
              Run timeline · {bars.length} of {graph.nodes.length} tasks ran
              {bars.length > 0 && ` · ${dateTime(t0)} → ${dateTime(t1)} (${duration(span)})`}
            </span>
            <a class="btn" href={graphHref(taskId)}>Graph</a>
          </header>
          {bars.length === 0 && <p class="callout info">None of these tasks has started yet.</p>}
          <div class="gantt" data-testid="timeline">
            {bars.length > 0 && (
              <div class="gantt-row gantt-axis" aria-hidden="true">
                <div />
                <div class="gantt-track">
                  {[0, 0.25, 0.5, 0.75, 1].map((f) => (
                    <span key={f} class="tick" style={{ left: `${f * 100}%` }}>
                      {clock(t0 + f * span, span)}
                    </span>
                  ))}
                </div>
                <div class="muted small num">duration</div>
              </div>
            )}
            {bars.map((b) => (
              <div key={b.node.id} class="gantt-row" data-task-id={b.node.id}>
                <div class="gantt-label" title={b.node.displayName}>
                  <span class="name">{b.node.name}</span> <span class="muted small">{paramText(b.node.params)}</span>
                </div>
                <div class="gantt-track">
                  <div
                    class={`gantt-bar${b.running ? " running" : ""}`}
                    style={{ left: `${((b.start - t0) / span) * 100}%`, width: `max(3px, ${((b.end - b.start) / span) * 100}%)`, background: statusColor(b.node.category) }}
                    title={`${dateTime(b.start)} → ${b.running ? "running" : dateTime(b.end)}`}
                  />
                </div>
                <div class="gantt-duration num">{duration(b.end - b.start)}{b.running ? " …" : ""}</div>
              </div>
            ))}
          </div>
          {notRun > 0 && bars.length > 0 && <p class="muted small">{notRun} tasks have not run (pending, or done by another scheduler run).</p>}
        </>
      )}
    </section>
  );
}
