/**
 * The one status palette: every badge, box, graph node and timeline bar takes
 * its colour from the CSS variables named here (styles.css defines them).
 * @module
 */
import type { Category } from "../../src/http/ui/types.ts";

export interface CategoryInfo {
  key: Category;
  label: string;
  /** Short glyph shown in badges and boxes (no icon font: nothing from the network). */
  glyph: string;
}

/** Luigi's eight boxes in its order, then ours. */
export const CATEGORY_INFO: CategoryInfo[] = [
  { key: "PENDING", label: "Pending", glyph: "❚❚" },
  { key: "RUNNING", label: "Running", glyph: "▶" },
  { key: "BATCH_RUNNING", label: "Batch Running", glyph: "▶▶" },
  { key: "DONE", label: "Done", glyph: "✓" },
  { key: "FAILED", label: "Failed", glyph: "✕" },
  { key: "UPSTREAM_FAILED", label: "Upstream Failure", glyph: "⚠" },
  { key: "DISABLED", label: "Disabled", glyph: "⊖" },
  { key: "UPSTREAM_DISABLED", label: "Upstream Disabled", glyph: "⚠" },
  { key: "UNKNOWN", label: "Unknown", glyph: "?" },
];

export const CATEGORY_LABEL = new Map(CATEGORY_INFO.map((c) => [c.key, c.label]));

/** CSS colour for a category or raw status (graph nodes also use TRUNCATED). */
export function statusColor(status: string): string {
  const known = ["PENDING", "RUNNING", "BATCH_RUNNING", "DONE", "FAILED", "UPSTREAM_FAILED", "DISABLED", "UPSTREAM_DISABLED", "TRUNCATED"];
  return `var(--st-${known.includes(status) ? status.toLowerCase().replaceAll("_", "-") : "unknown"})`;
}
