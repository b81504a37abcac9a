/**
 * `--background` (server.md §1.5, issue 2 point 6). Bun cannot fork, so the
 * launcher re-executes this binary detached in its own session with stdout and
 * stderr on `luigi-server-YYYY-MM-DD.out/.err` in the log directory, then waits
 * until the daemon is listening: exit 0 once it answers, exit 1 naming the log
 * when it failed. Better than Luigi, whose launcher always exits 0.
 * @module
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CliArgs } from "./args.ts";
import { runningPid } from "./pidfile.ts";
import { localDate } from "../lib/log.ts";
import { LOG_FILE_NAME } from "../server/logging.ts";

export const DEFAULT_LOGDIR = "/var/log/luigi";
const CHILD_MARKER = "LUIGID_DAEMON_CHILD";
const READY_FILE = "LUIGID_READY_FILE";
/** Exit code of a daemon child that found a live pid in the pid file. */
export const ALREADY_RUNNING_EXIT = 3;

export function isDaemonChild(): boolean {
  return process.env[CHILD_MARKER] === "1";
}

/** Where the daemon child reports readiness (its pid), if it was launched by us. */
export function readyFilePath(): string | null {
  return process.env[READY_FILE] || null;
}

/** The command line for the child: every path absolute, no --background. */
export function childArgv(args: CliArgs, logdir: string): string[] {
  const argv = [`--logdir=${logdir}`];
  if (args.portGiven) argv.push(`--port=${args.port}`);
  if (args.pidfile !== null) argv.push(`--pidfile=${resolve(args.pidfile)}`);
  if (args.statePath !== null) argv.push(`--state-path=${args.statePath === ":memory:" ? args.statePath : resolve(args.statePath)}`);
  if (args.address !== null) argv.push(`--address=${args.address}`);
  if (args.unixSocket !== null) argv.push(`--unix-socket=${resolve(args.unixSocket)}`);
  return argv;
}

/** The last line the daemon wrote to `path` (only what came after `from`: the file is appended to). */
function lastLine(path: string, from: number): string | null {
  try {
    const lines = readFileSync(path).subarray(from).toString("utf8").trimEnd().split("\n");
    return lines.at(-1) || null;
  } catch {
    return null;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Launches the daemon and waits for it; returns the launcher's exit code. */
export async function launchDaemon(args: CliArgs, { timeoutMs = 30_000 } = {}): Promise<number> {
  const logdir = resolve(args.logdir ?? DEFAULT_LOGDIR);
  if (args.pidfile !== null) {
    const pid = runningPid(resolve(args.pidfile));
    if (pid !== null) {
      process.stderr.write(`luigid: server already running (pid=${pid}, from ${resolve(args.pidfile)})\n`);
      return 1;
    }
  }
  try {
    mkdirSync(logdir, { recursive: true });
  } catch (error) {
    process.stderr.write(`luigid: cannot create log directory ${logdir}: ${(error as Error).message}\n`);
    return 1;
  }
  const stamp = localDate(new Date());
  const outPath = join(logdir, `luigi-server-${stamp}.out`);
  const errPath = join(logdir, `luigi-server-${stamp}.err`);
  const readyFile = join(tmpdir(), `luigid-ready-${process.pid}-${Date.now()}`);
  const errStart = sizeOf(errPath);
  let outFd: number;
  let errFd: number;
  try {
    outFd = openSync(outPath, "a");
    errFd = openSync(errPath, "a");
  } catch (error) {
    process.stderr.write(`luigid: cannot open log files in ${logdir}: ${(error as Error).message}\n`);
    return 1;
  }
  // Compiled, argv[1] is a virtual /$bunfs path: the binary alone re-executes itself.
  const self = Bun.isStandaloneExecutable ? [process.execPath] : [process.execPath, process.argv[1] as string];
  const child = Bun.spawn([...self, ...childArgv(args, logdir)], {
    detached: true,
    stdio: ["ignore", outFd, errFd],
    env: { ...process.env, [CHILD_MARKER]: "1", [READY_FILE]: readyFile },
  });
  child.unref();
  closeSync(outFd);
  closeSync(errFd);

  const logs = `${join(logdir, LOG_FILE_NAME)} and ${errPath}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(readyFile)) {
      const pid = readFileSync(readyFile, "utf8").trim();
      // Synchronous: the launcher exits right after, before an async delete would run.
      rmSync(readyFile, { force: true });
      process.stdout.write(`luigid running in the background (pid ${pid || child.pid}); logs in ${logdir}\n`);
      return 0;
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      if (child.exitCode === ALREADY_RUNNING_EXIT) {
        process.stderr.write(`luigid: server already running (see ${args.pidfile})\n`);
        return 1;
      }
      const why = lastLine(errPath, errStart);
      process.stderr.write(`luigid: the daemon failed to start (${child.signalCode ?? `exit ${child.exitCode}`})${why ? `: ${why.replace(/^luigid: /, "")}` : ""}; see ${logs}\n`);
      return 1;
    }
    // Bun.sleep, not sleepSync: only an awaiting loop sees the child exit.
    await Bun.sleep(20);
  }
  process.stderr.write(`luigid: the daemon (pid ${child.pid}) did not start listening within ${timeoutMs / 1000} s; see ${logs}\n`);
  return 1;
}
