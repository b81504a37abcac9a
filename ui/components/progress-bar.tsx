/** @jsxImportSource preact */
/** A labelled bar: task progress (percent) or resource usage (used/total). @module */

export function ProgressBar({ percent, label, tone }: { percent: number; label?: string; tone?: "ok" | "warn" | "full" }) {
  const width = Math.max(0, Math.min(100, percent));
  return (
    <div class={`progress ${tone ?? ""}`} role="progressbar" aria-valuenow={Math.round(width)} aria-valuemin={0} aria-valuemax={100}>
      <div class="progress-fill" style={{ width: `${width}%` }} />
      <span class="progress-label">{label ?? `${Math.round(percent)}%`}</span>
    </div>
  );
}
