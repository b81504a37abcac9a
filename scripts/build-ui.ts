/**
 * Builds the visualiser (ui/) into dist/ui/bundle.json: every file the browser
 * loads under /static/visualiser/, with its content type and a content hash.
 * src/http/ui/assets.ts imports that one JSON file, so `bun build --compile`
 * embeds the whole UI in the binary and `bun src/main.ts` serves the same files.
 *
 * Why not Bun's HTML import: its chunk URLs are absolute (`/chunk-….js`), and
 * the visualiser must work with relative URLs only, behind a proxy sub-path.
 * So the page is our own ui/index.html, with `./app.js?v=<hash>` written in.
 *
 * Run directly (`bun scripts/build-ui.ts`) or through scripts/build.ts.
 * @module
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { UiAsset, UiBundle } from "../src/http/ui/assets.ts";

const root = join(import.meta.dir, "..");
export const UI_BUNDLE_PATH = join(root, "dist/ui/bundle.json");

const entries = {
  "app.js": "main.js",
  "app.css": "main.css",
  "layout-worker.js": "layout-worker.js",
} as const;

function hashOf(body: string): string {
  return new Bun.CryptoHasher("sha256").update(body).digest("hex").slice(0, 16);
}

function asset(contentType: string, body: string): UiAsset {
  return { contentType, body, hash: hashOf(body) };
}

/** Builds the UI and writes the bundle file; returns the bundle. Throws on build errors. */
export async function buildUi({ outfile = UI_BUNDLE_PATH, minify = true } = {}): Promise<UiBundle> {
  const result = await Bun.build({
    entrypoints: [join(root, "ui/main.tsx"), join(root, "ui/graph/layout-worker.ts")],
    target: "browser",
    format: "esm",
    minify,
    naming: "[name].[ext]",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error("UI build failed");
  }
  const built = new Map<string, string>();
  for (const out of result.outputs) built.set(out.path.replace(/^.*\//, ""), await out.text());

  const bundle: UiBundle = {};
  for (const [served, produced] of Object.entries(entries)) {
    const body = built.get(produced);
    if (body === undefined) throw new Error(`UI build produced no ${produced} (got ${[...built.keys()].join(", ")})`);
    const type = served.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    bundle[served] = asset(type, body);
  }
  // The worker is loaded by URL from app.js; pass its cache buster through a meta tag.
  let html = readFileSync(join(root, "ui/index.html"), "utf8");
  for (const name of Object.keys(entries)) {
    const versioned = `./${name}?v=${bundle[name]?.hash}`;
    html = html.replaceAll(`./${name}"`, `${versioned}"`);
  }
  bundle["index.html"] = asset("text/html; charset=utf-8", html);

  // Written under a temporary name and renamed: several people build at once, and a compile
  // must never embed a half-written bundle.
  mkdirSync(dirname(outfile), { recursive: true });
  const partial = `${outfile}.partial-${process.pid}`;
  writeFileSync(partial, JSON.stringify(bundle));
  renameSync(partial, outfile);
  return bundle;
}

if (import.meta.main) {
  const started = performance.now();
  const bundle = await buildUi();
  const bytes = Object.values(bundle).reduce((sum, a) => sum + a.body.length, 0);
  console.error(`built ${UI_BUNDLE_PATH} (${Object.keys(bundle).length} files, ${bytes} bytes, ${Math.round(performance.now() - started)} ms)`);
}
