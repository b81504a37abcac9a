/**
 * The command line of the compiled binary (issue 2): help, version, bad
 * flags (exit 2), bad config values (exit 1, one line naming file, section,
 * key and value, state file untouched), and the flag spellings Luigi accepts.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { buildBinary, freePort, rpc, runBinary, startBinary, tempDir } from "../support/index.ts";

beforeAll(async () => {
  await buildBinary();
}, 120_000);

describe("help and version", () => {
  test("--help and -h print the flags on stdout and exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const { code, stdout } = await runBinary([flag]);
      expect(code).toBe(0);
      expect(stdout).toContain("Central luigi server");
      for (const name of ["--background", "--pidfile", "--logdir", "--state-path", "--address", "--unix-socket", "--port"]) expect(stdout).toContain(name);
    }
  });

  test("help piped to a file or a pipe carries no colour codes", async () => {
    const { stdout } = await runBinary(["--help"], { env: { NO_COLOR: "0" } });
    expect(stdout).toContain("--port");
    expect(stdout).not.toContain("\x1b[");
  });

  test("--version prints the package version", async () => {
    const pkg = (await Bun.file(`${import.meta.dir}/../../package.json`).json()) as { version: string };
    const { code, stdout } = await runBinary(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`luigid ${pkg.version}`);
  });
});

describe("bad command lines exit 2 with usage on stderr", () => {
  test.each([
    [["--bogus"], "unrecognized arguments: --bogus"],
    [["--port"], "argument --port: expected one argument"],
    [["--port", "--background"], "argument --port: expected one argument"],
    [["--state-path"], "argument --state-path: expected one argument"],
    [["serve"], "unrecognized arguments: serve"],
    [["--background=yes"], "argument --background: ignored explicit argument 'yes'"],
    [["--p", "1"], "ambiguous option: --p could match --pidfile, --port"],
  ])("%p", async (args, message) => {
    using dir = tempDir();
    const { code, stdout, stderr } = await runBinary(args, { cwd: dir.path });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("USAGE");
    expect(stderr.trimEnd().split("\n").at(-1)).toBe(`luigid: error: ${message}`);
    // Nothing started, so nothing was written.
    expect(existsSync(dir.join("luigid-state.db"))).toBe(false);
  });
});

describe("bad configuration stops startup", () => {
  test.each([
    ["[scheduler]\nretry_delay = soon\n", "luigi.cfg: [scheduler] retry_delay = soon: expected a number"],
    ["[scheduler]\npause_enabled = yes\n", "luigi.cfg: [scheduler] pause_enabled = yes: expected true or false"],
    ["[resources]\ngpu = 1.5\n", "luigi.cfg: [resources] gpu = 1.5: expected a whole number"],
    ["[task_history]\ndb_connection = sqlite:////x/a%20.db\n", "a lone '%' must be written '%%'"],
    ["retry_delay = 1\n", "luigi.cfg, line 1: text before the first [section] header"],
  ])("%p", async (cfg, message) => {
    using dir = tempDir();
    const { code, stderr } = await runBinary(["--port", "1"], { cwd: dir.path, cfg });
    expect(code).toBe(1);
    const last = stderr.trimEnd().split("\n").at(-1) ?? "";
    expect(last).toStartWith("luigid: ");
    expect(last).toContain(message);
    expect(existsSync(dir.join("luigid-state.db"))).toBe(false);
  });

  test("LUIGI_CONFIG_PATH is read last and wins", async () => {
    using dir = tempDir();
    await Bun.write(dir.join("other.cfg"), "[scheduler]\npause_enabled = false\n");
    await using server = await startBinary({ cwd: dir.path, cfg: "[scheduler]\npause_enabled = true\n", env: { LUIGI_CONFIG_PATH: dir.join("other.cfg") } });
    expect(await rpc(server.url, "is_pause_enabled")).toEqual({ enabled: false });
    expect(server.stderr()).toContain(`Loaded configuration from ${dir.join("other.cfg")}`);
  });

  test("an unknown option is logged as a warning at startup", async () => {
    await using server = await startBinary({ cfg: "[scheduler]\nretry_dely = 5\n" });
    expect(server.stderr()).toContain("WARNING: [scheduler] retry_dely is not a luigid option and is ignored");
  });
});

describe("flag spellings", () => {
  test("a repeated flag: the last one wins", async () => {
    const port = await freePort();
    await using server = await startBinary({ args: ["--port", "1", `--port=${port}`] });
    expect(server.stderr()).toContain(`Listening on http://[::]:${port}`);
  });

  test("--flag=value, --flag value and unambiguous prefixes all work", async () => {
    using dir = tempDir();
    const server = await startBinary({ cwd: dir.path, args: ["--state=st.db", "--addr", "127.0.0.1"] });
    await rpc(server.url, "add_task", { worker: "w", task_id: "T", family: "T" });
    expect(await server.stop()).toBe(0);
    expect(server.stderr()).toContain(`State file: ${dir.join("st.db")}`);
  });
});

describe("the compiled binary ignores the working directory's .env and bunfig.toml", () => {
  test("a .env setting LUIGI_CONFIG_PATH and a bunfig.toml preload have no effect", async () => {
    using dir = tempDir();
    await Bun.write(dir.join("other.cfg"), "[scheduler]\npause_enabled = false\n");
    await Bun.write(dir.join(".env"), `LUIGI_CONFIG_PATH=${dir.join("other.cfg")}\n`);
    await Bun.write(dir.join("evil.ts"), `require("node:fs").writeFileSync(${JSON.stringify(dir.join("preloaded"))}, "x");\n`);
    await Bun.write(dir.join("bunfig.toml"), 'preload = ["./evil.ts"]\n');
    await using server = await startBinary({ cwd: dir.path });
    expect(await rpc(server.url, "is_pause_enabled")).toEqual({ enabled: true });
    expect(existsSync(dir.join("preloaded"))).toBe(false);
  });
});
