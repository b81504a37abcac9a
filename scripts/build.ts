/**
 * Compiles dist/luigid: one self-contained executable with the UI, SQL and
 * source map embedded. The binary must not pick up a stray .env or bunfig.toml
 * from wherever an operator happens to start it, so autoloading is off.
 */
import { rmSync } from "node:fs";
import pkg from "../package.json" with { type: "json" };
import { buildUi } from "./build-ui.ts";

// The visualiser first: src/http/ui/assets.ts embeds dist/ui/bundle.json.
await buildUi();

const outfile = "./dist/luigid";
const result = await Bun.build({
  entrypoints: ["./src/main.ts"],
  compile: { outfile, autoloadDotenv: false, autoloadBunfig: false },
  minify: true,
  sourcemap: "linked",
  bytecode: true,
  define: { LUIGID_VERSION: JSON.stringify(pkg.version) },
});
for (const log of result.logs) console.error(log);
if (!result.success) {
  console.error("build failed");
  process.exit(1);
}
// The map is embedded in the binary; the loose copies are not needed.
for (const out of result.outputs) if (out.path.endsWith(".map")) rmSync(out.path, { force: true });
console.error(`built ${outfile}`);
