/**
 * Configuration as Luigi's daemon reads it: the files of server.md §2.1 in
 * order, every option of §2.5–§2.11 with Luigi's type and default, the
 * `record_step_history` / `[step_history]` aliases (§2.13), our `[auth]` and
 * `[task_history] retention`; then `--state-path` over `state_path`.
 *
 * A value that does not parse stops startup (ConfigError naming file,
 * section, key, value). Options luigid does not act on become warnings in
 * `Config.warnings`, which the server logs at startup: never silently ignored.
 * @module
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { EngineConfig } from "../engine/types.ts";
import { defaultConfig, MEMORY_STATE_PATH } from "./defaults.ts";
import { ConfigError } from "./errors.ts";
import { OptionReader, parseInteger } from "./reader.ts";
import { type ConfigSource, discoverConfig } from "./source.ts";
import type { AuthConfig, Config, CorsConfig, HistoryConfig } from "./types.ts";

export interface LoadOptions {
  /** `--state-path`, which overrides `[scheduler] state_path`. */
  statePath?: string | null;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Directory of the system-wide files (default `/etc/luigi`). */
  etcDir?: string;
  /** Read from this source instead of discovering files (tests). */
  source?: ConfigSource;
  /** `--logdir` or `--background` given: they decide the logging, and Luigi then never reads `[core] logging_conf_file`. */
  loggingFromFlags?: boolean;
}

/** Sections whose every option luigid knows: anything else written there is reported. */
const CHECKED_SECTIONS = ["scheduler", "task_history", "step_history", "cors", "auth", "email", "smtp", "sendgrid", "batch_email", "prometheus", "datadog"];

export function loadConfig({ statePath = null, env = process.env, cwd = process.cwd(), etcDir, source, loggingFromFlags = false }: LoadOptions = {}): Config {
  const config = defaultConfig();
  const warnings: string[] = [];
  const src = source ?? discoverConfig({ env, cwd, etcDir, warnings });
  const r = new OptionReader(src, warnings);

  config.engine = readScheduler(r, config.engine);
  config.statePath = r.string("scheduler", "state_path", config.statePath);
  config.metricsCollector = r.choice("scheduler", "metrics_collector", ["default", "none", "prometheus", "datadog", "custom"] as const, "default");
  const customImport = r.optionalString("scheduler", "metrics_custom_import");
  if (config.metricsCollector === "custom" && customImport === null) {
    throw new ConfigError("[scheduler] metrics_collector = custom requires [scheduler] metrics_custom_import");
  }
  config.history = readHistory(r, config.engine);
  config.engine.resources = readResources(r);
  config.cors = readCors(r, config.cors);
  config.auth = readAuth(r);
  readNotifications(r, config);
  readMetrics(r, config);
  readCore(r, cwd, loggingFromFlags);
  if (src.kind === "toml" && src.sections().includes("logging")) {
    r.warn("[logging] (Python dictConfig) is not applied by luigid: it logs in Luigi's default format at INFO");
  }
  for (const section of CHECKED_SECTIONS) r.reportUnread(section);

  if (statePath !== null) {
    if (statePath.trim() === "") throw new ConfigError("--state-path must not be empty (use :memory: for no state file)");
    config.statePath = statePath;
  } else if (config.statePath.trim() === "") {
    throw new ConfigError(`${r.find("scheduler", "state_path")?.where ?? "[scheduler] state_path"}: must not be empty (use :memory: for no state file)`);
  }
  config.statePath = absoluteStatePath(config.statePath, cwd);
  config.sources = [...src.files];
  config.warnings = warnings;
  return config;
}

/** `:memory:` passes through; anything else is made absolute against the working directory. */
export function absoluteStatePath(path: string, cwd: string): string {
  if (path === MEMORY_STATE_PATH || isAbsolute(path)) return path;
  return resolve(cwd, path);
}

function readScheduler(r: OptionReader, d: EngineConfig): EngineConfig {
  const s = "scheduler";
  return {
    ...d,
    retryDelay: r.float(s, "retry_delay", d.retryDelay),
    removeDelay: r.float(s, "remove_delay", d.removeDelay),
    workerDisconnectDelay: r.float(s, "worker_disconnect_delay", d.workerDisconnectDelay),
    batchEmails: r.bool(s, "batch_emails", d.batchEmails),
    disableWindow: r.int(s, "disable_window", d.disableWindow),
    retryCount: r.int(s, "retry_count", d.retryCount),
    disableHardTimeout: r.int(s, "disable_hard_timeout", d.disableHardTimeout),
    disablePersist: r.int(s, "disable_persist", d.disablePersist),
    maxShownTasks: r.int(s, "max_shown_tasks", d.maxShownTasks),
    maxGraphNodes: r.int(s, "max_graph_nodes", d.maxGraphNodes),
    pruneOnGetWork: r.bool(s, "prune_on_get_work", d.pruneOnGetWork),
    pauseEnabled: r.bool(s, "pause_enabled", d.pauseEnabled),
    sendMessages: r.bool(s, "send_messages", d.sendMessages),
    stableDoneCooldownSecs: r.int(s, "stable_done_cooldown_secs", d.stableDoneCooldownSecs),
  };
}

/** Canonical spelling first (with its dash form), then the alias; both present: canonical wins, with a warning. */
function aliased<T>(r: OptionReader, canonical: [string, string], alias: [string, string], read: (section: string, key: string) => T, isSet: (section: string, key: string) => boolean): T {
  const [cs, ck] = canonical;
  const [as, ak] = alias;
  const hasCanonical = isSet(cs, ck);
  const hasAlias = isSet(as, ak);
  if (hasCanonical && hasAlias) r.warn(`both [${cs}] ${ck} and [${as}] ${ak} are set: using [${cs}] ${ck}`);
  return hasCanonical || !hasAlias ? read(cs, ck) : read(as, ak);
}

function readHistory(r: OptionReader, engine: EngineConfig): HistoryConfig {
  const isSet = (section: string, key: string) => r.find(section, key) !== undefined;
  const enabled = aliased(r, ["scheduler", "record_task_history"], ["scheduler", "record_step_history"], (s, k) => r.bool(s, k, false), isSet);
  engine.recordTaskHistory = enabled;
  const dbConnection = aliased(r, ["task_history", "db_connection"], ["step_history", "db_connection"], (s, k) => r.optionalString(s, k), isSet);
  const retention = aliased(r, ["task_history", "retention"], ["step_history", "retention"], (s, k) => (isSet(s, k) ? r.float(s, k, 0) : null), isSet);
  if (retention !== null && !(retention > 0 && Number.isFinite(retention))) {
    const where = isSet("task_history", "retention") ? "[task_history]" : "[step_history]";
    throw new ConfigError(`${where} retention = ${retention}: expected a positive number of days`);
  }
  if (enabled && dbConnection === null) {
    // Named as the operator wrote it: step_history users look for their own spelling.
    const [flag, section] = isSet("scheduler", "record_task_history") ? ["record_task_history", "task_history"] : ["record_step_history", "step_history"];
    throw new ConfigError(`task history is on (${flag} = true) but [${section}] db_connection is not set`);
  }
  const query = enabled ? /\?.*$/.exec(dbConnection ?? "") : null;
  if (query) r.warn(`[task_history] db_connection: the URL's query string ${query[0]} is not applied (SQLAlchemy driver options; luigid opens the SQLite file itself)`);
  return { enabled, dbConnection, retentionDays: retention };
}

function readResources(r: OptionReader): Record<string, number> {
  const resources: Record<string, number> = {};
  // Keys as written (no dash/underscore folding): resource names are the user's own.
  for (const key of r.source.ownKeys("resources")) {
    const found = r.source.get("resources", key);
    if (found) resources[key] = parseInteger(found);
  }
  return resources;
}

function readCors(r: OptionReader, d: CorsConfig): CorsConfig {
  const s = "cors";
  return {
    enabled: r.bool(s, "enabled", d.enabled),
    // Luigi drops these two: "*" is allow_any_origin's job, "null" allow_null_origin's.
    allowedOrigins: r.stringList(s, "allowed_origins", d.allowedOrigins).filter((o) => o !== "*" && o !== "null"),
    allowAnyOrigin: r.bool(s, "allow_any_origin", d.allowAnyOrigin),
    allowNullOrigin: r.bool(s, "allow_null_origin", d.allowNullOrigin),
    maxAge: r.int(s, "max_age", d.maxAge),
    allowedMethods: r.string(s, "allowed_methods", d.allowedMethods),
    allowedHeaders: r.string(s, "allowed_headers", d.allowedHeaders),
    exposedHeaders: r.string(s, "exposed_headers", d.exposedHeaders),
    allowCredentials: r.bool(s, "allow_credentials", d.allowCredentials),
  };
}

function readAuth(r: OptionReader): AuthConfig {
  const auth: AuthConfig = {
    token: r.optionalString("auth", "token"),
    username: r.optionalString("auth", "username"),
    password: r.optionalString("auth", "password"),
    anonymous: r.choice("auth", "anonymous", ["none", "read"] as const, "none"),
  };
  if ((auth.username === null) !== (auth.password === null)) {
    throw new ConfigError("[auth] username and password must be set together");
  }
  return auth;
}

function readNotifications(r: OptionReader, config: Config): void {
  const core = (key: string) => [{ section: "core", key }];
  const e = config.email;
  config.email = {
    forceSend: r.bool("email", "force_send", e.forceSend),
    format: r.choice("email", "format", ["plain", "html", "none"] as const, e.format, core("email-type")),
    method: r.choice("email", "method", ["smtp", "sendgrid", "ses", "sns"] as const, e.method, [{ section: "email", key: "type" }]),
    prefix: r.string("email", "prefix", e.prefix, core("email-prefix")),
    receivers: r
      .string("email", "receiver", "", core("error-email"))
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== ""),
    sender: r.string("email", "sender", e.sender, core("email-sender")),
  };
  r.int("email", "traceback_max_length", 5000); // validated like Luigi; only workers use it
  const m = config.smtp;
  config.smtp = {
    host: r.string("smtp", "host", m.host, core("smtp_host")),
    port: r.int("smtp", "port", m.port, core("smtp_port")),
    ssl: r.bool("smtp", "ssl", m.ssl, core("smtp_ssl")),
    noTls: r.bool("smtp", "no_tls", m.noTls, core("smtp_without_tls")),
    username: r.optionalString("smtp", "username", core("smtp_login")),
    password: r.optionalString("smtp", "password", core("smtp_password")),
    localHostname: r.optionalString("smtp", "local_hostname", core("smtp_local_hostname")),
    timeout: r.float("smtp", "timeout", m.timeout, core("smtp_timeout")),
  };
  r.optionalString("sendgrid", "apikey", [{ section: "email", key: "SENGRID_API_KEY" }]);
  const b = config.batchEmail;
  config.batchEmail = {
    emailInterval: r.int("batch_email", "email_interval", b.emailInterval, [{ section: "batch-notifier", key: "email-interval-minutes" }]),
    batchMode: r.choice("batch_email", "batch_mode", ["family", "all", "unbatched_params"] as const, b.batchMode),
    errorLines: r.int("batch_email", "error_lines", b.errorLines),
    errorMessages: r.int("batch_email", "error_messages", b.errorMessages),
    groupByErrorMessages: r.bool("batch_email", "group_by_error_messages", b.groupByErrorMessages),
  };
}

function readMetrics(r: OptionReader, config: Config): void {
  config.prometheus = {
    useTaskFamilyInLabels: r.bool("prometheus", "use_task_family_in_labels", true),
    taskParametersToUseInLabels: r.stringList("prometheus", "task_parameters_to_use_in_labels", []),
  };
  if (config.metricsCollector === "prometheus" && !config.prometheus.useTaskFamilyInLabels && config.prometheus.taskParametersToUseInLabels.length === 0) {
    throw new ConfigError("Prometheus labels cannot be empty: set [prometheus] use_task_family_in_labels = true or task_parameters_to_use_in_labels");
  }
  // [datadog] is validated so a typo fails here; the datadog collector itself is refused by ops.
  for (const key of ["api_key", "app_key", "default_tags", "environment", "metric_namespace", "statsd_host"]) r.string("datadog", key, "");
  r.int("datadog", "statsd_port", 8125);
}

function readCore(r: OptionReader, cwd: string, loggingFromFlags: boolean): void {
  if (r.bool("core", "no_configure_logging", false)) {
    r.warn("[core] no_configure_logging = true is not supported: luigid logs as usual");
  }
  const file = r.optionalString("core", "logging_conf_file");
  if (file !== null && loggingFromFlags) {
    // A luigi.cfg shared with workers may name a file that exists only on their hosts.
    r.warn(`[core] logging_conf_file = ${file} is not read with --logdir or --background (as in Luigi)`);
  } else if (file !== null) {
    if (!existsSync(resolve(cwd, file))) throw new ConfigError(`Unable to locate specified logging configuration file: [core] logging_conf_file = ${file}`);
    r.warn(`[core] logging_conf_file = ${file}: Python logging configs are not applied; luigid logs in Luigi's default format at INFO`);
  }
}
