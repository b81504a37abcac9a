/**
 * The compiled binary for end-to-end tests: `buildBinary()` builds dist/luigid
 * once per test run when it is missing or older than the sources, and
 * `startBinary()` runs it in a temp directory on a free port and waits until
 * it answers. Set LUIGID_BINARY to test a binary built elsewhere (no build).
 */
import { openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { isAbsolute, join } from "node:path";
import type { Subprocess } from "bun";
import { tempDir, type TempDir } from "./temp.ts";

export const ROOT = join(import.meta.dir, "..", "..");
export const DEFAULT_BINARY = join(ROOT, "dist", "luigid");

function newestMtime(path: string): number {
  let newest = 0;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

let built: Promise<string> | null = null;

/** Path of an up-to-date binary, building it (once per process) when needed. */
export function buildBinary(): Promise<string> {
  built ??= (async () => {
    const override = process.env.LUIGID_BINARY;
    if (override) return override;
    let binaryTime = 0;
    try {
      binaryTime = statSync(DEFAULT_BINARY).mtimeMs;
    } catch {}
    const sources = Math.max(
      newestMtime(join(ROOT, "src")),
      newestMtime(join(ROOT, "ui")),
      newestMtime(join(ROOT, "scripts", "build.ts")),
      newestMtime(join(ROOT, "package.json")),
    );
    if (binaryTime > 0 && binaryTime >= sources) return DEFAULT_BINARY;
    const proc = Bun.spawn([process.execPath, "scripts/build.ts"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`building dist/luigid failed (exit ${code}):\n${out}${err}`);
    return DEFAULT_BINARY;
  })();
  return built;
}

/** A TCP port nothing listens on right now (bound on "::", or 0.0.0.0 without IPv6, and released). */
export async function freePort(): Promise<number> {
  const tryHost = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen({ port: 0, host }, () => {
        const address = server.address();
        const port = typeof address === "object" && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    });
  return await tryHost("::").catch(() => tryHost("0.0.0.0"));
}

export interface StartOptions {
  /** Extra command-line arguments. Without --port or --unix-socket a free port is added. */
  args?: string[];
  /** Extra environment (the base is PATH, HOME, TZ=Etc/UTC, NO_COLOR=1; no LUIGI_CONFIG_PATH). */
  env?: Record<string, string>;
  /** Written to luigi.cfg in the working directory. */
  cfg?: string;
  /** Working directory; default a fresh temp dir (removed by stop()). */
  cwd?: string;
  /** How long to wait for the server to answer (default 10 s). */
  timeoutMs?: number;
  /** Don't wait for readiness (for processes expected to fail). */
  noWait?: boolean;
  /** Don't add `--port <free port>`: the binary uses its default, 8082. */
  defaultPort?: boolean;
}

export interface RunningBinary extends AsyncDisposable {
  proc: Subprocess<"ignore", number, number>;
  /** The TCP port (null with --unix-socket). */
  port: number | null;
  /** `http://127.0.0.1:<port>` (or the --address given); for unix sockets `http://localhost` (pass `unix` to fetch). */
  url: string;
  /** The unix socket path, when listening on one. */
  unix: string | null;
  /** The working directory (temp unless given). */
  dir: TempDir | null;
  cwd: string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` (default SIGTERM), waits for exit (SIGKILL after 10 s), returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code when the process ends on its own. */
  exited: Promise<number>;
}

const running = new Set<Subprocess>();

/** Kills binaries a failed test left running (bun test fires no process "exit" event). */
export function killLeftoverBinaries(): void {
  for (const proc of running) proc.kill("SIGKILL");
  running.clear();
}

/** The value of the last `flag` in args (as the binary reads them: the last one wins). */
function flagValue(args: string[], flag: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === flag) value = args[i + 1] ?? null;
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  }
  return value;
}

/** Resolves once the server answers any HTTP request; throws if the process exits first. */
export async function waitForServer(target: { url: string; unix: string | null }, proc: Subprocess, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`luigid exited (${proc.signalCode ?? proc.exitCode}) before answering:\n${describe()}`);
    try {
      await fetch(`${target.url}/api/is_paused`, { signal: AbortSignal.timeout(1000), ...(target.unix ? { unix: target.unix } : {}) } as RequestInit);
      return;
    } catch {}
    await Bun.sleep(20);
  }
  throw new Error(`luigid did not answer within ${timeoutMs} ms:\n${describe()}`);
}

/** The working directory for a run (a fresh temp dir unless given), with luigi.cfg written when asked. */
function workDir(options: { cwd?: string; cfg?: string }, prefix: string): { dir: TempDir | null; cwd: string } {
  const dir = options.cwd ? null : tempDir(prefix);
  const cwd = options.cwd ?? (dir as TempDir).path;
  if (options.cfg !== undefined) writeFileSync(join(cwd, "luigi.cfg"), options.cfg);
  return { dir, cwd };
}

/** A pinned environment: nothing from the developer's shell leaks in (no LUIGI_CONFIG_PATH). */
function childEnv(cwd: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? cwd, TZ: "Etc/UTC", NO_COLOR: "1", ...extra };
}

/** Spawns the compiled binary and waits until it answers HTTP. */
export async function startBinary(options: StartOptions = {}): Promise<RunningBinary> {
  const binary = await buildBinary();
  const { dir, cwd } = workDir(options, "luigid-e2e-");
  const args = [...(options.args ?? [])];
  const unixArg = flagValue(args, "--unix-socket");
  const unix = unixArg === null ? null : isAbsolute(unixArg) ? unixArg : join(cwd, unixArg);
  let port: number | null = null;
  if (unix === null) {
    const given = flagValue(args, "--port");
    port = given !== null ? Number(given) : options.defaultPort ? 8082 : await freePort();
    if (given === null && !options.defaultPort) args.push("--port", String(port));
  }
  const logs = tempDir("luigid-e2e-logs-");
  const outPath = logs.join("stdout");
  const errPath = logs.join("stderr");
  const proc = Bun.spawn([binary, ...args], {
    cwd,
    env: childEnv(cwd, options.env),
    stdin: "ignore",
    stdout: openSync(outPath, "w"),
    stderr: openSync(errPath, "w"),
  });
  running.add(proc);
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  };
  const stdout = () => read(outPath);
  const stderr = () => read(errPath);
  const address = flagValue(args, "--address");
  const host = address === null || address === "localhost" ? "127.0.0.1" : address.includes(":") ? `[${address}]` : address;
  const url = port === null ? "http://localhost" : `http://${host}:${port}`;
  const exited = proc.exited.then((code) => {
    running.delete(proc);
    return code;
  });
  let stopped: Promise<number | null> | null = null;
  const stop = (signal: NodeJS.Signals = "SIGTERM") => {
    stopped ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      dir?.remove();
      // The logs stay readable after stop(); they go after the last test file (teardown.ts).
      return proc.exitCode;
    })();
    return stopped;
  };
  const result: RunningBinary = {
    proc: proc as Subprocess<"ignore", number, number>,
    port,
    url,
    unix,
    dir,
    cwd,
    stdout,
    stderr,
    stop,
    exited,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
  if (!options.noWait) {
    try {
      await waitForServer({ url, unix }, proc, options.timeoutMs ?? 10_000, () => stderr() + stdout());
    } catch (error) {
      await stop("SIGKILL");
      throw error;
    }
  }
  return result;
}

/** Runs the binary to completion (for flags that exit: --help, bad flags, bad config). */
export async function runBinary(args: string[], options: { cwd?: string; env?: Record<string, string>; cfg?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const binary = await buildBinary();
  const { dir, cwd } = workDir(options, "luigid-run-");
  const proc = Bun.spawn([binary, ...args], {
    cwd,
    env: childEnv(cwd, options.env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(proc);
  const timer = setTimeout(() => proc.kill("SIGKILL"), options.timeoutMs ?? 10_000);
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  clearTimeout(timer);
  running.delete(proc);
  dir?.remove();
  return { code, stdout, stderr };
}
