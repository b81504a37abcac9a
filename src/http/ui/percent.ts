/**
 * A task's progress as the visualiser draws it. Task code may store any value
 * (Luigi keeps it as it is, and so does the API); a bar needs a number, so a
 * number or numeric text gives one and anything else gives none. Shared by the
 * server's UI snapshots and the status modal, which polls the raw RPC.
 * @module
 */
export function asPercent(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}
