/**
 * Temporary directories that remove themselves: `using dir = tempDir()` in a
 * test, or `tempDir()` + `dir.remove()` in afterAll. Anything left at exit is
 * removed too.
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
process.once("exit", () => {
  for (const path of live) rmSync(path, { recursive: true, force: true });
});

export function tempDir(prefix = "luigid-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  live.add(path);
  const remove = () => {
    live.delete(path);
    rmSync(path, { recursive: true, force: true });
  };
  return { path, join: (...parts) => join(path, ...parts), remove, [Symbol.dispose]: remove };
}
