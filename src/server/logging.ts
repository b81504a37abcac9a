/**
 * Where the daemon's log lines go (server.md §7.4): stderr by default, or
 * appended to `<logdir>/luigi-server.log`. Writes are buffered and flushed on
 * the next tick, so the access log costs a string concat per request.
 * @module
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger, type LogSink } from "../lib/log.ts";
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
  let buffer: string[] = [];
  let scheduled = false;
  let closed = false;
  const flush = () => {
    scheduled = false;
    if (buffer.length === 0) return;
    const text = `${buffer.join("\n")}\n`;
    buffer = [];
    try {
      writeSync(fd, text);
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
      if (ownsFd) closeSync(fd);
    },
  };
}

/**
 * The sink for `--logdir DIR`: DIR must exist (Luigi fails otherwise), and
 * lines are appended to DIR/luigi-server.log.
 */
export function logFileSink(logdir: string): BufferedSink {
  if (!existsSync(logdir) || !statSync(logdir).isDirectory()) {
    throw new StartupError(`log directory ${logdir} does not exist`);
  }
  const path = join(logdir, LOG_FILE_NAME);
  let fd: number;
  try {
    fd = openSync(path, "a");
  } catch (error) {
    throw new StartupError(`cannot open log file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return fdSink(fd, true);
}

/** The root logger of the daemon and the sink behind it. */
export interface ServerLog {
  log: Logger;
  output: BufferedSink;
}

export function createServerLog(logdir: string | null): ServerLog {
  const output = logdir ? logFileSink(logdir) : fdSink(2, false);
  return { log: createLogger("luigi.server", { sink: output.sink }), output };
}
