/** Formatting shared by every view. @module */

/** Epoch seconds -> local date and time, e.g. `2026-11-21 14:03:12`. */
export function dateTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return "–";
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Seconds -> `1h 02m`, `3m 04s`, `12.3s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const s = Math.round(seconds);
  const p = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m ${p(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${p(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${p(Math.floor((s % 86400) / 3600))}h`;
}

export function paramValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `k=v, k2=v2`, as Luigi's Details column. */
export function paramText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${paramValue(v)}`)
    .join(", ");
}

/** Resources JSON with a space after each comma (Luigi's Details second line). */
export function resourceText(resources: Record<string, number> | null): string {
  if (!resources || Object.keys(resources).length === 0) return "";
  return JSON.stringify(resources).replaceAll(",", ", ");
}

/** Only http(s) links are opened: a tracking URL is data, and `javascript:` must not run. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function nowSeconds(): number {
  return Date.now() / 1000;
}
