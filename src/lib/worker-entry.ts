/**
 * Where a Bun worker's entry point is, for `new Worker(…)`: next to the module
 * that starts it when running from source, or among the files the compiled
 * binary embeds (scripts/build.ts lists them as entry points), whose names
 * depend on the build's root, so both spellings are tried in order.
 * @module
 */

/**
 * `srcPath` is the entry point's path below src/ (`server/gzip-thread-entry.ts`);
 * `fromSource` the same file resolved next to the calling module
 * (`new URL("./gzip-thread-entry.ts", import.meta.url)`).
 */
export function workerEntryCandidates(srcPath: string, fromSource: URL): string[] {
  if (Bun.main.startsWith("/$bunfs/")) return [`./${srcPath}`, `./src/${srcPath}`];
  return [fromSource.href];
}
