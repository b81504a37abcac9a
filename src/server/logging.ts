/**
 * Where the daemon's log lines go (server.md §7.4): stderr by default, or
 * appended to `<logdir>/luigi-server.log`. Writes are buffered and flushed on
 * the next tick, so the access log costs a string concat per request.
 * @module
 */
import { closeSync, existsSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createLogger, formatLine, localDate, type Logger, type LogSink } from "../lib/log.ts";
import { StartupError } from "./startup-error.ts";

export const LOG_FILE_NAME = "luigi-server.log";

/** A sink that batches lines and writes them to a file descriptor on the next tick. */
export interface BufferedSink {
  sink: LogSink;
  /** Writes out everything buffered, synchronously. */
  flush(): void;
  close(): void;
}

export function fdSink(fd: number, ownsFd: boolean): BufferedSink {
  return targetSink({ fd }, ownsFd);
}

/** A sink writing to whatever descriptor `target` holds at flush time (rotation swaps it). */
function targetSink(target: { fd: number }, ownsFd: boolean): BufferedSink {
  let buffer: string[] = [];
  let scheduled = false;
  let closed = false;
  const flush = () => {
    scheduled = false;
    if (buffer.length === 0) return;
    const text = `${buffer.join("\n")}\n`;
    buffer = [];
    try {
      writeSync(target.fd, text);
    } catch {
      // A log that cannot be written must not take the scheduler down.
    }
  };
  return {
    sink(line) {
      if (closed) {
        try {
          writeSync(2, `${line}\n`);
        } catch {}
        return;
      }
      buffer.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
    close() {
      flush();
      closed = true;
      if (ownsFd) closeSync(target.fd);
    },
  };
}

function openLog(path: string): number {
  try {
    return openSync(path, "a");
  } catch (error) {
    throw new StartupError(`cannot open log file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The sink for `--logdir DIR` in the foreground: DIR must exist (Luigi fails
 * otherwise), and lines are appended to DIR/luigi-server.log, never rotated.
 */
export function logFileSink(logdir: string): BufferedSink {
  if (!existsSync(logdir)) throw new StartupError(`log directory ${logdir} does not exist`);
  if (!statSync(logdir).isDirectory()) throw new StartupError(`log directory ${logdir} is not a directory`);
  return fdSink(openLog(join(logdir, LOG_FILE_NAME)), true);
}

export interface RotationOptions {
  /** Rotated files kept (Luigi: 7). */
  keep?: number;
  /** Length of a period (Luigi: one day, counted from startup). */
  intervalMs?: number;
  now?: () => Date;
}


/**
 * The daemon's log (server.md §1.5): DIR/luigi-server.log, rotated every
 * interval from startup to `luigi-server.log.YYYY-MM-DD` (the local date the
 * period began, as Python's TimedRotatingFileHandler names it), keeping the
 * newest `keep` of them.
 */
export function rotatingLogFileSink(logdir: string, { keep = 7, intervalMs = 86_400_000, now = () => new Date() }: RotationOptions = {}): BufferedSink & { rotate(): void } {
  const path = join(logdir, LOG_FILE_NAME);
  const target = { fd: openLog(path) };
  const inner = targetSink(target, true);
  let periodStart = now();
  const rotate = () => {
    inner.flush();
    const rotated = `${path}.${localDate(periodStart)}`;
    try {
      rmSync(rotated, { force: true });
      renameSync(path, rotated);
      const old = target.fd;
      target.fd = openLog(path);
      closeSync(old);
      const kept = readdirSync(logdir)
        .filter((name) => name.startsWith(`${LOG_FILE_NAME}.`) && /\.\d{4}-\d\d-\d\d$/.test(name))
        .sort();
      for (const name of kept.slice(0, Math.max(0, kept.length - keep))) rmSync(join(logdir, name), { force: true });
    } catch (error) {
      inner.sink(formatLine(now(), "luigi.server", process.pid, "WARNING", `could not rotate ${path}: ${(error as Error).message}`));
    }
    periodStart = now();
  };
  const timer = setInterval(rotate, intervalMs);
  timer.unref();
  return {
    ...inner,
    rotate,
    close() {
      clearInterval(timer);
      inner.close();
    },
  };
}

/** The root logger of the daemon and the sink behind it. */
export interface ServerLog {
  log: Logger;
  output: BufferedSink;
}

/** stderr; or DIR/luigi-server.log, rotated daily for a daemon as Luigi does. */
export function createServerLog(logdir: string | null, { rotate = false }: { rotate?: boolean } = {}): ServerLog {
  const output = logdir === null ? fdSink(2, false) : rotate ? rotatingLogFileSink(logdir) : logFileSink(logdir);
  // Whatever way the process ends (process.exit on a startup error, a crash), buffered lines get out.
  process.once("exit", () => output.flush());
  return { log: createLogger("luigi.server", { sink: output.sink }), output };
}
