/**
 * History timestamps: the daemon's local wall-clock time as TEXT
 * `YYYY-MM-DD HH:MM:SS.ffffff`, as SQLAlchemy writes a naive Python datetime
 * (server.md §4.6). Queries compare them as text, so the format is exact.
 * @module
 */
import type { Seconds } from "../../engine/types.ts";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Epoch seconds → local `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function formatTs(at: Seconds): string {
  const micros = Math.round(at * 1_000_000);
  const d = new Date(Math.floor(micros / 1000));
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(fraction, 6)}`
  );
}

const TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;

/** Local timestamp text → epoch seconds; null for text that is not a timestamp. */
export function parseTs(text: string): Seconds | null {
  const m = TS.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const base = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime() / 1000;
  return base + (frac ? Number(frac.padEnd(6, "0")) / 1_000_000 : 0);
}

/** How pages print a timestamp: Python's `str(datetime)`, which drops a zero fraction. */
export function displayTs(text: string): string {
  return text.endsWith(".000000") ? text.slice(0, -7) : text;
}
