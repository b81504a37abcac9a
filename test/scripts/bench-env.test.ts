import { afterEach, describe, expect, test } from "bun:test";
import { serverEnv } from "../../scripts/bench/support.ts";

const SET = ["BUN_JSC_useFTLJIT", "MIMALLOC_PURGE_DELAY", "LUIGI_CONFIG_PATH", "SECRET_TOKEN"];

describe("the benchmarks start luigid with a clean environment plus the runtime's knobs", () => {
  // bun test runs every file in one process: put back whatever was there before.
  const before = Object.fromEntries(SET.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of SET) {
      if (before[name] === undefined) delete process.env[name];
      else process.env[name] = before[name];
    }
  });

  test("JavaScriptCore and allocator options reach the server; other variables do not", () => {
    process.env.BUN_JSC_useFTLJIT = "false";
    process.env.MIMALLOC_PURGE_DELAY = "0";
    process.env.LUIGI_CONFIG_PATH = "/elsewhere/luigi.cfg";
    process.env.SECRET_TOKEN = "x";
    const env = serverEnv("/tmp/run-dir", { TZ: "Etc/UTC" });
    expect(env.BUN_JSC_useFTLJIT).toBe("false");
    expect(env.MIMALLOC_PURGE_DELAY).toBe("0");
    expect(env.LUIGI_CONFIG_PATH).toBeUndefined();
    expect(env.SECRET_TOKEN).toBeUndefined();
    expect(env.HOME).toBe("/tmp/run-dir");
    expect(env.TZ).toBe("Etc/UTC");
    expect(env.PATH).toBe(process.env.PATH ?? "/usr/bin:/bin");
    expect(Object.keys(env).filter((name) => !/^(BUN_JSC_|MIMALLOC_|HOME$|PATH$|TZ$)/.test(name))).toEqual([]);
  });
});
