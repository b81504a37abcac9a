/**
 * Logging in Luigi's line format, so operators' greps keep working:
 * `2026-11-21 12:36:01,751 luigi.server[22045] INFO: Scheduler starting up`
 * (server.md §7.4). A Logger is named (Luigi's logger names: `luigi.server`,
 * `luigi.scheduler`, `luigi-interface`, `tornado.access`, …) and writes to a
 * sink the server chooses (stderr or a log file).
 * @module
 */

export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

/** Receives finished lines (no trailing newline). */
export type LogSink = (line: string) => void;

export interface Logger {
  readonly name: string;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  /** With an error, its stack follows on the next lines. */
  error(message: string, error?: unknown): void;
  log(level: LogLevel, message: string, error?: unknown): void;
  /** A logger with another name writing to the same sink at the same level. */
  child(name: string): Logger;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The local date, `YYYY-MM-DD`, as Luigi names its dated log files. */
export function localDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The last second formatted, and which second it was: the access log writes a line per request. */
let cachedSecond = Number.NaN;
let cachedPrefix = "";

/** Python logging's default asctime: local time, comma before milliseconds. */
export function formatAsctime(date: Date): string {
  const ms = date.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    // Local offsets change only on whole seconds, so one second has one prefix.
    cachedPrefix = `${localDate(date)} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())},`;
    cachedSecond = second;
  }
  return cachedPrefix + pad(ms - second * 1000, 3);
}

export function formatLine(date: Date, name: string, pid: number, level: LogLevel, message: string): string {
  return `${formatAsctime(date)} ${name}[${pid}] ${level}: ${message}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export interface LoggerOptions {
  sink: LogSink;
  level?: LogLevel;
  pid?: number;
  now?: () => Date;
}

/** Creates a named logger; `child` shares the sink. */
export function createLogger(name: string, { sink, level = "INFO", pid = process.pid, now = () => new Date() }: LoggerOptions): Logger {
  const threshold = RANK[level];
  const make = (loggerName: string): Logger => {
    const log = (lvl: LogLevel, message: string, error?: unknown) => {
      if (RANK[lvl] < threshold) return;
      const line = formatLine(now(), loggerName, pid, lvl, message);
      sink(error === undefined ? line : `${line}\n${describe(error)}`);
    };
    return {
      name: loggerName,
      debug: (m) => log("DEBUG", m),
      info: (m) => log("INFO", m),
      warning: (m) => log("WARNING", m),
      error: (m, e) => log("ERROR", m, e),
      log,
      child: (childName) => make(childName),
    };
  };
  return make(name);
}

/** Lines to stderr; the default for code paths that get no logger. */
export const stderrLogger: Logger = createLogger("luigid", { sink: (line) => process.stderr.write(`${line}\n`) });

/** Drops everything (tests that don't look at logs). */
export const silentLogger: Logger = createLogger("luigid", { sink: () => {}, level: "CRITICAL" });
