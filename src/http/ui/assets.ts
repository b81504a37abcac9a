/**
 * The built visualiser (scripts/build-ui.ts writes dist/ui/bundle.json).
 *
 * The import is dynamic but its path is a literal, so `bun build --compile`
 * still embeds the bundle in the binary; under `bun src/main.ts` it reads the
 * last build. Loading lazily keeps the rest of the server (and every test that
 * builds the Hono app) working when the UI has not been built yet: only the UI
 * routes then answer 503 with the command that fixes it.
 * @module
 */

/** One served file. */
export interface UiAsset {
  contentType: string;
  body: string;
  /** First 16 hex digits of SHA-256 of the body: the ETag and the `?v=` cache buster. */
  hash: string;
}

/** Served file name (under /static/visualiser/) -> file. */
export type UiBundle = Record<string, UiAsset>;

let loaded: Promise<UiBundle | null> | null = null;

export function loadUiBundle(): Promise<UiBundle | null> {
  loaded ??= import("../../../dist/ui/bundle.json", { with: { type: "json" } }).then(
    (module) => module.default as unknown as UiBundle,
    () => null,
  );
  return loaded;
}
