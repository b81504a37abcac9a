/**
 * Temporary directories that remove themselves: `using dir = tempDir()` in a
 * test, or `tempDir()` + `dir.remove()` in afterAll. Anything left is removed
 * after the last test file (test/support/teardown.ts, preloaded by bunfig.toml).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir extends Disposable {
  path: string;
  /** A path inside the directory. */
  join(...parts: string[]): string;
  remove(): void;
}

const live = new Set<string>();

/** Removes every directory not removed yet (bun test fires no process "exit" event). */
export function removeLeftoverTempDirs(): void {
  for (const path of live) rmSync(path, { recursive: true, force: true });
  live.clear();
}

export function tempDir(prefix = "luigid-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  live.add(path);
  const remove = () => {
    live.delete(path);
    rmSync(path, { recursive: true, force: true });
  };
  return { path, join: (...parts) => join(path, ...parts), remove, [Symbol.dispose]: remove };
}
