/**
 * Background mode and shutdown (issue 2 points 6 and 7), against the compiled
 * binary: the launcher returns only once the daemon answers; the pid file
 * holds the daemon's pid; Luigi's log files appear in --logdir; SIGTERM stops
 * it; a second start with the same pid file is refused; a daemon that cannot
 * start makes the launcher exit 1 naming the log. In the foreground, SIGTERM,
 * SIGINT and SIGQUIT each stop the server with exit 0.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { buildBinary, freePort, rpc, runBinary, startBinary, tempDir } from "../support/index.ts";

beforeAll(async () => {
  await buildBinary();
}, 120_000);

const daemons = new Set<number>();
afterAll(() => {
  // A daemon leaves the test's process group: kill it by pid if a test failed halfway.
  for (const pid of daemons) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
});

/** Running and not a zombie: an exited daemon may wait a while for whoever inherited it to reap it. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

describe("--background", () => {
  test("returns once the daemon answers, writes the pid file and Luigi's logs; SIGTERM stops it; a second start is refused", async () => {
    using dir = tempDir();
    const port = await freePort();
    const pidfile = dir.join("run", "luigid.pid");
    const logdir = dir.join("logs");
    const state = dir.join("state.db");
    const tmp = dir.join("tmp");
    mkdirSync(tmp);
    const launch = await runBinary(["--background", "--pidfile", pidfile, "--logdir", logdir, "--state-path", state, "--port", String(port)], { cwd: dir.path, env: { TZ: Intl.DateTimeFormat().resolvedOptions().timeZone, TMPDIR: tmp } });
    expect(launch.code).toBe(0);
    // The daemon's "I am listening" file is gone once the launcher has read it.
    expect(readdirSync(tmp)).toEqual([]);
    const pid = Number(readFileSync(pidfile, "utf8"));
    daemons.add(pid);
    expect(readFileSync(pidfile, "utf8")).toBe(String(pid)); // decimal, no newline
    expect(launch.stdout).toContain(`(pid ${pid})`);
    // Already answering when the launcher returned: no retry loop here.
    expect(await rpc(`http://127.0.0.1:${port}`, "ping", { worker: "w" })).toEqual({ rpc_messages: [] });
    expect(alive(pid)).toBe(true);
    for (const name of ["luigi-server.log", `luigi-server-${today()}.out`, `luigi-server-${today()}.err`]) expect(existsSync(`${logdir}/${name}`)).toBe(true);
    const readLog = () => readFileSync(`${logdir}/luigi-server.log`, "utf8");
    // Log lines are written on the tick after the reply: wait for the access line.
    await waitUntil(() => readLog().includes(`tornado.access[${pid}] INFO: 200 POST /api/ping`), "the access-log line");
    const log = readLog();
    expect(log).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} luigi\.server\[\d+\] INFO: Checking pid file$/m);
    expect(log).toContain(`luigi.server[${pid}] INFO: Scheduler starting up`);

    const second = await runBinary(["--background", "--pidfile", pidfile, "--logdir", logdir, "--port", String(await freePort())], { cwd: dir.path });
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(`luigid: server already running (pid=${pid}, from ${pidfile})`);
    expect(await rpc(`http://127.0.0.1:${port}`, "is_paused")).toEqual({ paused: false });

    process.kill(pid, "SIGTERM");
    await waitUntil(() => !alive(pid), "the daemon to exit");
    daemons.delete(pid);
    const after = readFileSync(`${logdir}/luigi-server.log`, "utf8");
    expect(after).toContain("Scheduler instance shutting down (SIGTERM)");
    expect(after).toContain("Scheduler stopped");
    // Ours, not Luigi's: a clean stop removes the pid file, so a reused pid can't block a restart.
    expect(existsSync(pidfile)).toBe(false);
  }, 30_000);

  test("a stale pid file (process gone) does not block the start; config warnings reach the launching terminal", async () => {
    using dir = tempDir();
    const port = await freePort();
    const pidfile = dir.join("luigid.pid");
    await Bun.write(pidfile, "999999999");
    const launch = await runBinary(["--background", "--pidfile", pidfile, "--logdir", dir.join("logs"), "--port", String(port)], { cwd: dir.path, cfg: "[scheduler]\nretry_dely = 1\n" });
    expect(launch.code).toBe(0);
    expect(launch.stderr).toBe("luigid: warning: [scheduler] retry_dely is not a luigid option and is ignored\n");
    const pid = Number(readFileSync(pidfile, "utf8"));
    daemons.add(pid);
    expect(pid).not.toBe(999999999);
    process.kill(pid, "SIGTERM");
    await waitUntil(() => !alive(pid), "the daemon to exit");
    daemons.delete(pid);
  }, 30_000);

  test("a daemon that cannot start: the launcher exits 1 and points at the log", async () => {
    await using busy = await startBinary();
    using dir = tempDir();
    const logdir = dir.join("logs");
    const launch = await runBinary(["--background", "--logdir", logdir, "--port", String(busy.port), "--state-path", dir.join("s.db")], { cwd: dir.path });
    expect(launch.code).toBe(1);
    expect(launch.stderr.trim()).toBe(
      `luigid: the daemon failed to start (exit 1): cannot listen on [::]:${busy.port}: address already in use (is another luigid running?); see ${logdir}/luigi-server.log and ${logdir}/luigi-server-${today()}.err`,
    );
    expect(existsSync(dir.join("s.db"))).toBe(false);
  }, 30_000);

  test("bad config values fail in the launcher, before anything detaches", async () => {
    using dir = tempDir();
    const launch = await runBinary(["--background", "--logdir", dir.join("logs")], { cwd: dir.path, cfg: "[scheduler]\nretry_count = lots\n" });
    expect(launch.code).toBe(1);
    expect(launch.stderr.trim()).toBe(`luigid: ${dir.join("luigi.cfg")}: [scheduler] retry_count = lots: expected a whole number`);
    expect(existsSync(dir.join("logs"))).toBe(false);
  });
});

describe("signals in the foreground", () => {
  test.each(["SIGTERM", "SIGINT", "SIGQUIT"] as const)("%s stops the server with exit 0", async (signal) => {
    const server = await startBinary();
    expect(await rpc(server.url, "is_paused")).toEqual({ paused: false });
    expect(await server.stop(signal)).toBe(0);
    expect(server.stderr()).toContain(`Scheduler instance shutting down (${signal})`);
    expect(server.stderr()).toContain("Scheduler stopped");
  });

  test("a second signal during shutdown changes nothing: still one clean stop, exit 0", async () => {
    const server = await startBinary();
    server.proc.kill("SIGTERM");
    server.proc.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(server.stderr().match(/Scheduler stopped/g)?.length).toBe(1);
  });

  test("--logdir in the foreground appends the log to DIR/luigi-server.log (DIR must exist)", async () => {
    using dir = tempDir();
    await Bun.write(dir.join("logs", "luigi-server.log"), "earlier line\n");
    const server = await startBinary({ args: ["--logdir", dir.join("logs")] });
    await rpc(server.url, "is_paused");
    expect(await server.stop()).toBe(0);
    const log = readFileSync(dir.join("logs", "luigi-server.log"), "utf8");
    expect(log).toStartWith("earlier line\n");
    expect(log).toContain("INFO: 200 POST /api/is_paused");
    expect(log).toContain("Scheduler stopped");
    expect(server.stderr()).toBe("");
    const missing = await runBinary(["--logdir", dir.join("nope")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`luigid: log directory ${dir.join("nope")} does not exist`);
    const file = await runBinary(["--logdir", dir.join("logs", "luigi-server.log")]);
    expect(file.code).toBe(1);
    expect(file.stderr.trim()).toBe(`luigid: log directory ${dir.join("logs", "luigi-server.log")} is not a directory`);
  });

  test("[core] logging_conf_file naming a file only the workers' hosts have: --logdir starts anyway (Luigi never reads it then); without --logdir it stops startup", async () => {
    using dir = tempDir();
    mkdirSync(dir.join("logs"));
    const cfg = "[core]\nlogging_conf_file = /nonexistent/worker-logging.conf\n";
    const server = await startBinary({ cfg, args: ["--logdir", dir.join("logs")] });
    expect(await rpc(server.url, "is_paused")).toEqual({ paused: false });
    expect(await server.stop()).toBe(0);
    expect(readFileSync(dir.join("logs", "luigi-server.log"), "utf8")).toContain("[core] logging_conf_file = /nonexistent/worker-logging.conf is not read with --logdir or --background (as in Luigi)");
    const plain = await runBinary([], { cfg });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("Unable to locate specified logging configuration file");
  });

  test("--pidfile without --background is ignored, with a warning", async () => {
    using dir = tempDir();
    await using server = await startBinary({ args: ["--pidfile", dir.join("p.pid")] });
    expect(existsSync(dir.join("p.pid"))).toBe(false);
    expect(server.stderr()).toContain("--pidfile is only used with --background; ignoring it");
  });
});
