/** @jsxImportSource preact */
/**
 * The /tasklist/{name} run-duration chart as inline SVG rendered on the
 * server: one bar per finished run, green for DONE, red for FAILED (Luigi's
 * colours), the start time under each bar, a tooltip per bar.
 * @module
 */
import { displayTs } from "../../store/history/timestamp.ts";
import { formatDuration, type TaskRun } from "../../store/history/runs.ts";

const COLOR = { DONE: "#669900", FAILED: "#CC0000" } as const;
const WIDTH = 1140;
const HEIGHT = 420;
const PAD = { left: 96, right: 10, top: 14, bottom: 110 };

/** Round axis steps in seconds. */
const STEPS = [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];

/** Round ticks from 0 to the first one at or above `max`, so the tallest bar fits. */
function yTicks(max: number): number[] {
  const step = STEPS.find((s) => max / s <= 6) ?? Math.ceil(max / 6 / 86400) * 86400;
  const ticks = [0];
  for (let i = 1; ticks.at(-1)! < max; i++) ticks.push(i * step);
  return ticks;
}

export function DurationChart({ runs }: { runs: readonly TaskRun[] }) {
  const finished = runs.filter((r): r is TaskRun & { outcome: "DONE" | "FAILED"; seconds: number } => r.outcome !== null && r.seconds !== null);
  if (finished.length === 0) return <p class="muted">No completed runs.</p>;
  const ticks = yTicks(Math.max(...finished.map((r) => r.seconds), 0.001));
  const top = ticks.at(-1)!;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / finished.length;
  const barW = Math.max(1, Math.min(40, slot * 0.8));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // Labels under at most ~40 bars, evenly spread, so they never overlap.
  const labelEvery = Math.ceil(finished.length / 40);
  return (
    <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="Processing time per run">
      <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + plotH} />
      <line class="axis" x1={PAD.left} y1={PAD.top + plotH} x2={WIDTH - PAD.right} y2={PAD.top + plotH} />
      {ticks.map((t) => (
        <g key={`y${t}`}>
          <line x1={PAD.left - 4} y1={y(t)} x2={WIDTH - PAD.right} y2={y(t)} stroke="#eee" />
          <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
            {formatDuration(t).replace(/\.000$/, "")}
          </text>
        </g>
      ))}
      <text x={14} y={PAD.top + plotH / 2} transform={`rotate(-90 14 ${PAD.top + plotH / 2})`} text-anchor="middle">
        Processing Time (H:M:S)
      </text>
      {finished.map((run, i) => {
        const x = PAD.left + i * slot + (slot - barW) / 2;
        const label = displayTs(run.started);
        return (
          <g key={`b${i}`} class={`run run-${run.outcome}`}>
            <title>{`${run.outcome} in ${formatDuration(run.seconds)}, started ${label} (record ${run.recordId})`}</title>
            <rect x={x} y={y(run.seconds)} width={barW} height={Math.max(1, PAD.top + plotH - y(run.seconds))} fill={COLOR[run.outcome]} />
            {i % labelEvery === 0 ? (
              <text x={x + barW / 2} y={PAD.top + plotH + 12} text-anchor="end" transform={`rotate(-45 ${x + barW / 2} ${PAD.top + plotH + 12})`}>
                {label.slice(0, 19)}
              </text>
            ) : null}
          </g>
        );
      })}
      <text x={PAD.left + plotW / 2} y={HEIGHT - 4} text-anchor="middle">
        Datetime
      </text>
    </svg>
  );
}
