/**
 * Luigi's pid file rules (server.md §1.5): a file holding a live pid means
 * "already running"; unreadable or non-integer content, or a pid that signal 0
 * cannot reach, means "not running". Written as the decimal pid, no newline.
 * @module
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The pid recorded in `path` if that process is alive, else null. */
export function runningPid(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
  if (!/^\d+$/.test(text)) return null;
  const pid = Number(text);
  if (pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null; // ESRCH, and EPERM too, as Luigi counts it
  }
  return isZombie(pid) ? null : pid;
}

/** An exited process nobody has reaped yet still answers signal 0; it is not running. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] === "Z";
  } catch {
    return false; // no /proc (not Linux): trust signal 0
  }
}

export function writePidfile(path: string, pid: number = process.pid): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, String(pid));
}

/** Removes the pid file at clean shutdown, only if it still names this process. */
export function removePidfileIfOurs(path: string, pid: number = process.pid): void {
  try {
    if (readFileSync(path, "utf8").trim() === String(pid)) rmSync(path, { force: true });
  } catch {}
}
