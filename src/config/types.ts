/**
 * The typed configuration every part of luigid reads (server.md §2). Produced
 * by src/config from the INI files and the command line; nothing else parses
 * config text.
 * @module
 */
import type { EngineConfig } from "../engine/types.ts";

export interface CorsConfig {
  enabled: boolean;
  allowedOrigins: string[];
  allowAnyOrigin: boolean;
  allowNullOrigin: boolean;
  maxAge: number;
  allowedMethods: string;
  allowedHeaders: string;
  exposedHeaders: string;
  allowCredentials: boolean;
}

export interface EmailConfig {
  forceSend: boolean;
  format: "plain" | "html" | "none";
  method: "smtp" | "sendgrid" | "ses" | "sns";
  prefix: string;
  /** `[email] receiver` split on commas, trimmed, empties dropped. */
  receivers: string[];
  sender: string;
}

export interface SmtpConfig {
  host: string;
  port: number;
  ssl: boolean;
  noTls: boolean;
  username: string | null;
  password: string | null;
  localHostname: string | null;
  timeout: number;
}

export interface BatchEmailConfig {
  emailInterval: number;
  batchMode: "family" | "all" | "unbatched_params";
  errorLines: number;
  errorMessages: number;
  groupByErrorMessages: boolean;
}

export interface PrometheusConfig {
  useTaskFamilyInLabels: boolean;
  taskParametersToUseInLabels: string[];
}

/** Ours, not Luigi's: `[auth]`. Off unless a token or a user is set. */
export interface AuthConfig {
  /** Shared secret accepted as `Authorization: Bearer <token>` (and as the password of basic auth). */
  token: string | null;
  /** HTTP basic credentials, as a Python client sends them from `scheduler_url` `user:pass@`. */
  username: string | null;
  password: string | null;
  /** What unauthenticated callers may still do: `none` (nothing), `read` (read-only RPCs and pages). */
  anonymous: "none" | "read";
}

export interface HistoryConfig {
  enabled: boolean;
  /** The raw SQLAlchemy-style URL, e.g. `sqlite:////abs/path.db`; null when not set. */
  dbConnection: string | null;
  /** Days of history to keep; null keeps everything (Luigi's behaviour). */
  retentionDays: number | null;
}

export interface Config {
  engine: EngineConfig;
  /** `[scheduler] state_path`, after `--state-path` has overridden it. */
  statePath: string;
  metricsCollector: "default" | "none" | "prometheus" | "datadog" | "custom";
  history: HistoryConfig;
  cors: CorsConfig;
  email: EmailConfig;
  smtp: SmtpConfig;
  batchEmail: BatchEmailConfig;
  prometheus: PrometheusConfig;
  auth: AuthConfig;
  /** Files that were read, in order, for the startup log. */
  sources: string[];
  /** Startup warnings (unsupported or deprecated options); logged by the server. */
  warnings: string[];
}
