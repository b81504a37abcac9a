/**
 * Compiles dist/luigid: one self-contained executable with the UI, SQL and
 * source map embedded. The binary must not pick up a stray .env or bunfig.toml
 * from wherever an operator happens to start it, so autoloading is off.
 *
 * `bun scripts/build.ts [OUTFILE]` writes elsewhere. The binary is written to
 * a temporary name and renamed into place, so a build never leaves a half-written
 * file and never fails on (or disturbs) a copy that is running right now.
 */
import { renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { buildUi } from "./build-ui.ts";

// The visualiser first: src/http/ui/assets.ts embeds dist/ui/bundle.json.
await buildUi();

const outfile = resolve(process.argv[2] ?? "./dist/luigid");
const partial = `${outfile}.partial-${process.pid}`;
const result = await Bun.build({
  // The task-history thread (src/store/history/backend.ts) and the gzip thread (src/server/gzip-thread.ts) run these entry points from inside the binary.
  entrypoints: ["./src/main.ts", "./src/store/history/history-thread.ts", "./src/server/gzip-thread-entry.ts"],
  compile: { outfile: partial, autoloadDotenv: false, autoloadBunfig: false },
  minify: true,
  sourcemap: "linked",
  bytecode: true,
  define: { LUIGID_VERSION: JSON.stringify(pkg.version) },
});
for (const log of result.logs) console.error(log);
if (!result.success) {
  rmSync(partial, { force: true });
  console.error("build failed");
  process.exit(1);
}
renameSync(partial, outfile);
// The map is embedded in the binary; the loose copies are not needed.
for (const out of result.outputs) if (out.path.endsWith(".map")) rmSync(out.path, { force: true });
console.error(`built ${outfile}`);
