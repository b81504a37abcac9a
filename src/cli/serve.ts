/**
 * Serving in this process: logging, the pid file (daemon child only, as
 * Luigi honours --pidfile only with --background), the server, signals, and
 * the readiness report to a waiting launcher.
 * @module
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../config/types.ts";
import { parsePort } from "../server/listeners.ts";
import { createServerLog } from "../server/logging.ts";
import { installSignalHandlers } from "../server/signals.ts";
import { type RunningServer, startServer } from "../server/start.ts";
import type { CliArgs } from "./args.ts";
import { ALREADY_RUNNING_EXIT, isDaemonChild, readyFilePath } from "./background.ts";
import { removePidfileIfOurs, runningPid, writePidfile } from "./pidfile.ts";

export async function serveForeground(args: CliArgs, config: Config): Promise<void> {
  // Checked before anything is logged, so a bad port is the only line printed.
  const port = args.unixSocket === null ? parsePort(args.port) : 8082;
  const daemon = isDaemonChild();
  const { log, output } = createServerLog(args.logdir === null ? null : resolve(args.logdir), { rotate: daemon });
  const pidfile = daemon && args.pidfile !== null ? resolve(args.pidfile) : null;
  if (pidfile !== null) {
    log.info("Checking pid file");
    const pid = runningPid(pidfile);
    if (pid !== null) {
      log.info(`Server already running (pid=${pid})`);
      output.close();
      process.exit(ALREADY_RUNNING_EXIT);
    }
  }
  if (args.pidfile !== null && !daemon) log.warning("--pidfile is only used with --background; ignoring it");
  if (args.unixSocket !== null && (args.portGiven || args.address !== null)) {
    log.warning("--port and --address are not used with --unix-socket (no TCP listener); ignoring them");
  }
  log.child("luigi.scheduler").info(`State file: ${config.statePath}`);

  // Like Tornado, which logs an exception escaping a callback and keeps serving:
  // a bug in some background task must not take the scheduler (and every worker) down.
  process.on("unhandledRejection", (reason) => log.child("tornado.application").error("Unhandled rejection", reason));
  process.on("uncaughtException", (error) => log.child("tornado.application").error("Uncaught exception", error));

  // Handlers go in before startup: a signal during a long restore stops the
  // server as soon as it is up (cleanly) instead of killing it halfway.
  let server: RunningServer | null = null;
  let stopRequested: string | null = null;
  let stopNow: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stopNow = resolve;
  });
  installSignalHandlers(async (signal) => {
    log.info(`Scheduler instance shutting down (${signal})`);
    if (server === null) {
      stopRequested = signal;
      await stopped;
    }
    await server?.stop();
    if (pidfile !== null) removePidfileIfOurs(pidfile);
    log.info("Scheduler stopped");
    output.close();
  }, log);

  server = await startServer(config, {
    port,
    address: args.address,
    unixSocket: args.unixSocket === null ? null : resolve(args.unixSocket),
    log,
  }).catch((error) => {
    // Log lines first, then the caller's one-line reason: it stays the last line.
    output.flush();
    throw error;
  });
  if (stopRequested !== null) {
    stopNow();
    return;
  }

  if (pidfile !== null) {
    log.info("Writing pid file");
    writePidfile(pidfile);
  }

  const ready = readyFilePath();
  if (ready !== null) writeFileSync(ready, String(process.pid));
}
