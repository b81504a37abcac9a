/**
 * The benchmark's short pending scenario, run for real against the compiled
 * binary at a small size: it fills, asks for work five times and lists every
 * PENDING task three times, and says so.
 */
import { beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { buildBinary } from "../support/index.ts";

const ROOT = join(import.meta.dir, "..", "..");
let binary = "";

beforeAll(async () => {
  binary = await buildBinary();
}, 120_000);

test("pending-brief fills, takes five tasks and lists what is left", async () => {
  // 310 tasks over 2 workers: 10 dates of 31 tasks; 5 rounds each finish one, so 305 stay PENDING.
  const proc = Bun.spawn([process.execPath, join(ROOT, "scripts", "bench", "run.ts"), "--scenario", "pending-brief", "--pending", "310", "--workers", "2", "--binary", binary], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(err).toBe("");
  expect(code).toBe(0);
  expect(out).toMatch(/^pending-brief: 310 tasks added by 2 workers in /m);
  expect(out).toMatch(/^ {2}get_work at 310 pending, one worker, 5 rounds \(each with a DONE report\): (\d+\.\d ){4}\d+\.\d ms$/m);
  expect(out).toMatch(/^ {2}task_list of every PENDING task \(305 tasks\), 3 calls, with JSON\.parse: \d+ \d+ \d+ ms; server RSS \d+ MB/m);
}, 60_000);
