/** Config files to a typed Config: search order, every option's type and default, aliases, warnings, errors. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultConfig } from "../../src/config/defaults.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { parseFloatValue, parseInteger } from "../../src/config/reader.ts";
import { iniSource, tomlSource } from "../../src/config/source.ts";
import { tempDir } from "../support/temp.ts";

const ini = (text: string, env: Record<string, string> = {}) => loadConfig({ source: iniSource(["luigi.cfg"], env, new Map([["luigi.cfg", text]])), cwd: "/work" });
const toml = (text: string) => loadConfig({ source: tomlSource(["luigi.toml"], new Map([["luigi.toml", text]])), cwd: "/work" });

describe("defaults", () => {
  test("no file gives Luigi's defaults, and our state path made absolute", () => {
    const config = ini("");
    const expected = defaultConfig();
    expect(config.engine).toEqual(expected.engine);
    expect(config.cors).toEqual(expected.cors);
    expect(config.history).toEqual({ enabled: false, dbConnection: null, retentionDays: null });
    expect(config.statePath).toBe("/work/luigid-state.db");
    expect(config.warnings).toEqual([]);
  });

  test("an empty state path is refused rather than taken as the working directory", () => {
    expect(() => ini("[scheduler]\nstate_path =\n")).toThrow("luigi.cfg: [scheduler] state_path = : must not be empty");
    expect(() => loadConfig({ source: iniSource(["x"], {}, new Map([["x", ""]])), cwd: "/w", statePath: "" })).toThrow("--state-path must not be empty");
  });

  test("--state-path overrides state_path; :memory: passes through", () => {
    const cfg = "[scheduler]\nstate_path = rel/state.db\n";
    expect(ini(cfg).statePath).toBe("/work/rel/state.db");
    expect(loadConfig({ source: iniSource(["x"], {}, new Map([["x", cfg]])), cwd: "/w", statePath: "/abs/s.db" }).statePath).toBe("/abs/s.db");
    expect(loadConfig({ source: iniSource(["x"], {}, new Map([["x", cfg]])), cwd: "/w", statePath: ":memory:" }).statePath).toBe(":memory:");
  });
});

describe("[scheduler]", () => {
  test("every option with Luigi's type", () => {
    const config = ini(`[scheduler]
retry_delay = 1e1
remove_delay = -1
worker_disconnect_delay = inf
batch_emails = True
disable_window = 10
retry_count = +3
disable_hard_timeout = 1_000
disable_persist = 5
max_shown_tasks = 7
max_graph_nodes = 8
prune_on_get_work = TRUE
pause_enabled = false
send_messages = False
stable_done_cooldown_secs = 0
metrics_collector = prometheus
`);
    expect(config.engine).toMatchObject({
      retryDelay: 10,
      removeDelay: -1,
      workerDisconnectDelay: Number.POSITIVE_INFINITY,
      batchEmails: true,
      disableWindow: 10,
      retryCount: 3,
      disableHardTimeout: 1000,
      disablePersist: 5,
      maxShownTasks: 7,
      maxGraphNodes: 8,
      pruneOnGetWork: true,
      pauseEnabled: false,
      sendMessages: false,
      stableDoneCooldownSecs: 0,
    });
    expect(config.metricsCollector).toBe("prometheus");
  });

  test.each([
    ["retry_delay = soon", "[scheduler] retry_delay = soon: expected a number"],
    ["disable_window = 3600.0", "[scheduler] disable_window = 3600.0: expected a whole number"],
    ["pause_enabled = yes", "[scheduler] pause_enabled = yes: expected true or false"],
    ["send_messages = 1", "[scheduler] send_messages = 1: expected true or false"],
    ["metrics_collector = Prometheus", "expected one of default, none, prometheus, datadog, custom"],
    ["metrics_collector = custom", "metrics_custom_import"],
  ])("%s stops startup naming file, section, key and value", (line, message) => {
    expect(() => ini(`[scheduler]\n${line}\n`)).toThrow(ConfigError);
    expect(() => ini(`[scheduler]\n${line}\n`)).toThrow(message);
  });

  test("a bad value names the file it came from", () => {
    expect(() => ini("[scheduler]\nretry_count = many\n")).toThrow("luigi.cfg: [scheduler] retry_count = many");
  });

  test("dash spellings work, with a deprecation warning", () => {
    const config = ini("[scheduler]\nretry-delay = 5\n");
    expect(config.engine.retryDelay).toBe(5);
    expect(config.warnings).toContain("[scheduler] retry-delay (with dashes) should be avoided. Please use underscores: retry_delay");
  });

  test("an option luigid does not know is a warning, not silence", () => {
    const config = ini("[scheduler]\nretry_delay = 5\nretry_dely = 6\n[worker]\nkeep_alive = true\n");
    expect(config.warnings).toEqual(["[scheduler] retry_dely is not a luigid option and is ignored"]);
  });

  test("both spellings written: the underscore one wins and the dash one is named as shadowed, not as unknown", () => {
    const config = ini("[scheduler]\nretry_delay = 5\nretry-delay = 6\n");
    expect(config.engine.retryDelay).toBe(5);
    expect(config.warnings).toEqual(["[scheduler] retry-delay is ignored: [scheduler] retry_delay is also set and takes precedence"]);
  });

  test("[DEFAULT] values reach [scheduler] but do not count as unknown options", () => {
    const config = ini("[DEFAULT]\nretry_delay = 7\nhome = /x\n[scheduler]\nstate_path = %(home)s/s.db\n");
    expect(config.engine.retryDelay).toBe(7);
    expect(config.statePath).toBe("/x/s.db");
    expect(config.warnings).toEqual([]);
  });
});

describe("task history and its step_history aliases", () => {
  test("record_task_history + [task_history]", () => {
    const config = ini("[scheduler]\nrecord_task_history = true\n[task_history]\ndb_connection = sqlite:////tmp/h.db\nretention = 30\n");
    expect(config.history).toEqual({ enabled: true, dbConnection: "sqlite:////tmp/h.db", retentionDays: 30 });
    expect(config.engine.recordTaskHistory).toBe(true);
  });

  test("record_step_history + [step_history], and mixed spellings", () => {
    expect(ini("[scheduler]\nrecord_step_history = true\n[step_history]\ndb_connection = sqlite://\n").history).toMatchObject({ enabled: true, dbConnection: "sqlite://" });
    expect(ini("[scheduler]\nrecord_step_history = true\n[task_history]\ndb_connection = sqlite://\n").history).toMatchObject({ enabled: true, dbConnection: "sqlite://" });
    expect(ini("[scheduler]\nrecord-step-history = true\n[step_history]\ndb_connection = sqlite://\n").engine.recordTaskHistory).toBe(true);
  });

  test("both spellings: the canonical one wins, with a warning", () => {
    const config = ini("[scheduler]\nrecord_task_history = false\nrecord_step_history = true\n");
    expect(config.history.enabled).toBe(false);
    expect(config.warnings).toContain("both [scheduler] record_task_history and [scheduler] record_step_history are set: using [scheduler] record_task_history");
  });

  test("a query string in db_connection (SQLAlchemy driver options) is reported as not applied", () => {
    const config = ini("[scheduler]\nrecord_task_history = true\n[task_history]\ndb_connection = sqlite:////tmp/h.db?timeout=5\n");
    expect(config.warnings).toEqual(["[task_history] db_connection: the URL's query string ?timeout=5 is not applied (SQLAlchemy driver options; luigid opens the SQLite file itself)"]);
    expect(ini("[scheduler]\nrecord_task_history = true\n[task_history]\ndb_connection = sqlite:////tmp/h.db\n").warnings).toEqual([]);
  });

  test("history on without db_connection stops startup", () => {
    expect(() => ini("[scheduler]\nrecord_task_history = true\n")).toThrow("task history is on (record_task_history = true) but [task_history] db_connection is not set");
    expect(() => ini("[scheduler]\nrecord_step_history = true\n")).toThrow("task history is on (record_step_history = true) but [step_history] db_connection is not set");
  });

  test("a % in a URL must be doubled, as in Luigi", () => {
    expect(() => ini("[task_history]\ndb_connection = sqlite:////tmp/a%20b.db\n")).toThrow("a lone '%' must be written '%%'");
    expect(ini("[task_history]\ndb_connection = sqlite:////tmp/a%%20b.db\n").history.dbConnection).toBe("sqlite:////tmp/a%20b.db");
  });

  test("retention must be a positive number of days", () => {
    expect(() => ini("[task_history]\nretention = 0\n")).toThrow("expected a positive number of days");
    expect(() => ini("[task_history]\nretention = week\n")).toThrow("[task_history] retention = week: expected a number");
  });
});

describe("other sections", () => {
  test("[resources]: integers, names kept as written, DEFAULT keys excluded", () => {
    const config = ini("[DEFAULT]\nx = 1\n[resources]\ngpu = 2\nmy-db = 3\n");
    expect(config.engine.resources).toEqual({ gpu: 2, "my-db": 3 });
    expect(() => ini("[resources]\ngpu = two\n")).toThrow("[resources] gpu = two: expected a whole number");
  });

  test("[cors]: a JSON list, with * and null dropped", () => {
    const config = ini('[cors]\nenabled = true\nallowed_origins = ["http://a.example", "*", "null"]\nmax_age = 10\nallow_credentials = true\n');
    expect(config.cors).toMatchObject({ enabled: true, allowedOrigins: ["http://a.example"], maxAge: 10, allowCredentials: true });
    expect(() => ini("[cors]\nallowed_origins = http://a.example\n")).toThrow("expected a JSON list");
  });

  test("[email] and [smtp], including Luigi's deprecated [core] locations", () => {
    const config = ini("[core]\nerror-email = a@x, b@x ,\nsmtp_host = mail\nemail-type = html\n[smtp]\nport = 2525\n");
    expect(config.email.receivers).toEqual(["a@x", "b@x"]);
    expect(config.email.format).toBe("html");
    expect(config.smtp).toMatchObject({ host: "mail", port: 2525 });
    expect(config.warnings.some((w) => w.includes("[core] error-email is deprecated"))).toBe(true);
  });

  test("[batch_email] with the [batch-notifier] fallback", () => {
    expect(ini("[batch-notifier]\nemail-interval-minutes = 5\n").batchEmail.emailInterval).toBe(5);
    expect(() => ini("[batch_email]\nbatch_mode = everything\n")).toThrow("expected one of family, all, unbatched_params");
  });

  test("[prometheus] labels cannot both be empty with the prometheus collector", () => {
    expect(() => ini("[scheduler]\nmetrics_collector = prometheus\n[prometheus]\nuse_task_family_in_labels = false\n")).toThrow("Prometheus labels cannot be empty");
    expect(ini('[prometheus]\ntask_parameters_to_use_in_labels = ["date"]\n').prometheus.taskParametersToUseInLabels).toEqual(["date"]);
  });

  test("[auth]: ours", () => {
    expect(ini("[auth]\ntoken = s3cret\nanonymous = read\n").auth).toEqual({ token: "s3cret", username: null, password: null, anonymous: "read" });
    expect(() => ini("[auth]\nusername = u\n")).toThrow("username and password must be set together");
    expect(() => ini("[auth]\nanonymous = all\n")).toThrow("expected one of none, read");
  });

  test("[core] logging options are not silently ignored", () => {
    expect(ini("[core]\nno_configure_logging = true\n").warnings[0]).toContain("no_configure_logging");
    expect(() => ini("[core]\nlogging_conf_file = /nonexistent/logging.cfg\n")).toThrow("Unable to locate specified logging configuration file");
    // With --logdir or --background Luigi never reads it: a path valid only on the workers' hosts is fine.
    const flagged = loadConfig({ source: iniSource(["luigi.cfg"], {}, new Map([["luigi.cfg", "[core]\nlogging_conf_file = /nonexistent/logging.cfg\n"]])), cwd: "/work", loggingFromFlags: true });
    expect(flagged.warnings).toEqual(["[core] logging_conf_file = /nonexistent/logging.cfg is not read with --logdir or --background (as in Luigi)"]);
  });
});

describe("TOML", () => {
  test("native values; JSON-text or native lists", () => {
    const config = toml('[scheduler]\nretry_delay = 5\npause_enabled = false\n[cors]\nallowed_origins = ["http://a"]\n[resources]\ngpu = 2\n');
    expect(config.engine.retryDelay).toBe(5);
    expect(config.engine.pauseEnabled).toBe(false);
    expect(config.cors.allowedOrigins).toEqual(["http://a"]);
    expect(config.engine.resources).toEqual({ gpu: 2 });
  });

  test("exact keys only, and type errors name the value", () => {
    expect(toml('[scheduler]\n"retry-delay" = 5\n').warnings).toContain("[scheduler] retry-delay is not a luigid option and is ignored");
    expect(() => toml("[scheduler]\npause_enabled = 1\n")).toThrow("[scheduler] pause_enabled = 1: expected true or false");
  });
});

describe("file discovery", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const etc = dir.join("etc");
  const cwd = dir.join("cwd");
  mkdirSync(etc);
  mkdirSync(cwd);

  test("/etc/luigi/client.cfg, /etc/luigi/luigi.cfg, client.cfg, luigi.cfg, then LUIGI_CONFIG_PATH; later wins", () => {
    writeFileSync(join(etc, "client.cfg"), "[scheduler]\nretry_delay = 1\nremove_delay = 1\nmax_shown_tasks = 1\nmax_graph_nodes = 1\ndisable_window = 1\n");
    writeFileSync(join(etc, "luigi.cfg"), "[scheduler]\nremove_delay = 2\nmax_shown_tasks = 2\nmax_graph_nodes = 2\ndisable_window = 2\n");
    writeFileSync(join(cwd, "client.cfg"), "[scheduler]\nmax_shown_tasks = 3\nmax_graph_nodes = 3\ndisable_window = 3\n");
    writeFileSync(join(cwd, "luigi.cfg"), "[scheduler]\nmax_graph_nodes = 4\ndisable_window = 4\n");
    writeFileSync(join(cwd, "extra.cfg"), "[scheduler]\ndisable_window = 5\n");
    const config = loadConfig({ cwd, etcDir: etc, env: { LUIGI_CONFIG_PATH: "extra.cfg" } });
    expect(config.engine).toMatchObject({ retryDelay: 1, removeDelay: 2, maxShownTasks: 3, maxGraphNodes: 4, disableWindow: 5 });
    expect(config.sources).toEqual([join(etc, "client.cfg"), join(etc, "luigi.cfg"), join(cwd, "client.cfg"), join(cwd, "luigi.cfg"), join(cwd, "extra.cfg")]);
    expect(config.warnings).toContain("files named 'client.cfg' are deprecated in favour of 'luigi.cfg'");
  });

  test("a missing LUIGI_CONFIG_PATH file is a warning", () => {
    const config = loadConfig({ cwd, etcDir: etc, env: { LUIGI_CONFIG_PATH: "/nonexistent.cfg" } });
    expect(config.warnings).toContain("Config file does not exist: /nonexistent.cfg (LUIGI_CONFIG_PATH)");
  });

  test("a .toml LUIGI_CONFIG_PATH without LUIGI_CONFIG_PARSER=toml is not read, and says so", () => {
    writeFileSync(join(cwd, "x.toml"), "[scheduler]\nretry_delay = 99\n");
    const config = loadConfig({ cwd, etcDir: etc, env: { LUIGI_CONFIG_PATH: "x.toml" } });
    expect(config.engine.retryDelay).toBe(1);
    expect(config.warnings.some((w) => w.includes("is NOT read") && w.includes("LUIGI_CONFIG_PARSER=toml"))).toBe(true);
  });

  test("LUIGI_CONFIG_PARSER=toml reads luigi.toml and the TOML path", () => {
    writeFileSync(join(cwd, "luigi.toml"), "[scheduler]\nretry_delay = 42\nremove_delay = 3\n");
    const config = loadConfig({ cwd, etcDir: etc, env: { LUIGI_CONFIG_PARSER: "toml", LUIGI_CONFIG_PATH: "x.toml" } });
    expect(config.engine.retryDelay).toBe(99);
    expect(config.engine.removeDelay).toBe(3);
  });

  test("an unknown LUIGI_CONFIG_PARSER falls back to cfg with a warning", () => {
    const config = loadConfig({ cwd, etcDir: etc, env: { LUIGI_CONFIG_PARSER: "yaml" } });
    expect(config.warnings[0]).toContain("LUIGI_CONFIG_PARSER=yaml is not a known parser");
    expect(config.engine.maxGraphNodes).toBe(4);
  });
});

describe("numbers as Python's int() and float() read them (table checked against CPython 3.11)", () => {
  const found = (value: string) => ({ value, where: "x" });
  const intOf = (text: string) => {
    try {
      return parseInteger(found(text));
    } catch {
      return "ERR";
    }
  };
  const floatOf = (text: string) => {
    try {
      return parseFloatValue(found(text));
    } catch {
      return "ERR";
    }
  };
  test.each([
    ["1", 1, 1],
    [" 12 ", 12, 12],
    ["+3", 3, 3],
    ["1_000", 1000, 1000],
    ["1__0", "ERR", "ERR"],
    ["_1", "ERR", "ERR"],
    ["3600.0", "ERR", 3600],
    ["5.e3", "ERR", 5000],
    ["-.5e-2", "ERR", -0.005],
    ["-Infinity", "ERR", Number.NEGATIVE_INFINITY],
    ["1.2.3", "ERR", "ERR"],
    ["0x10", "ERR", "ERR"],
    ["", "ERR", "ERR"],
    ["1_000.5_5", "ERR", 1000.55],
  ] as const)("%p: int %p, float %p", (text, asInt, asFloat) => {
    expect(intOf(text)).toBe(asInt);
    expect(floatOf(text)).toBe(asFloat);
  });
});
