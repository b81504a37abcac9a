/**
 * Luigi's defaults for every option luigid reads (server.md §2, Appendix A),
 * as a fresh Config each call so callers may mutate their copy.
 * @module
 */
import { hostname } from "node:os";
import { DEFAULT_ENGINE_CONFIG } from "../engine/types.ts";
import type { Config } from "./types.ts";

/** Ours, not Luigi's pickle path: an SQLite file in the working directory (made absolute at startup). */
export const DEFAULT_STATE_PATH = "luigid-state.db";

/** The special state path meaning "no durable file" (benchmarks, tests). */
export const MEMORY_STATE_PATH = ":memory:";

export function defaultConfig(): Config {
  return {
    engine: { ...DEFAULT_ENGINE_CONFIG, resources: {} },
    statePath: DEFAULT_STATE_PATH,
    metricsCollector: "default",
    history: { enabled: false, dbConnection: null, retentionDays: null },
    cors: {
      enabled: false,
      allowedOrigins: [],
      allowAnyOrigin: false,
      allowNullOrigin: false,
      maxAge: 86400,
      allowedMethods: "GET, OPTIONS",
      allowedHeaders: "Accept, Content-Type, Origin",
      exposedHeaders: "",
      allowCredentials: false,
    },
    email: {
      forceSend: false,
      format: "plain",
      method: "smtp",
      prefix: "",
      receivers: [],
      sender: `luigi-client@${hostname()}`,
    },
    smtp: {
      host: "localhost",
      port: 0,
      ssl: false,
      noTls: false,
      username: null,
      password: null,
      localHostname: null,
      timeout: 10,
    },
    batchEmail: {
      emailInterval: 60,
      batchMode: "unbatched_params",
      errorLines: 20,
      errorMessages: 1,
      groupByErrorMessages: true,
    },
    prometheus: { useTaskFamilyInLabels: true, taskParametersToUseInLabels: [] },
    auth: { token: null, username: null, password: null, anonymous: "none" },
    sources: [],
    warnings: [],
  };
}
