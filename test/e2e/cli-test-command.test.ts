/**
 * The README's test command ends with the line CI reads: `N passed, N failed,
 * N skipped`, and its exit status agrees. scripts/test.ts is run here on small
 * sample test files (LUIGID_TEST_NO_BUILD=1: no build, no type check).
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "../support/index.ts";

async function runWrapper(files: Record<string, string>): Promise<{ code: number; last: string; stdout: string }> {
  using dir = tempDir("luigid-wrapper-");
  for (const [name, text] of Object.entries(files)) writeFileSync(dir.join(name), text);
  const proc = Bun.spawn([process.execPath, join(ROOT, "scripts", "test.ts"), ...Object.keys(files).map((f) => dir.join(f))], {
    cwd: ROOT,
    env: { ...process.env, LUIGID_TEST_NO_BUILD: "1", LUIGID_SKIP_BROWSER_INSTALL: "1" },
    stdout: "pipe",
    stderr: "ignore",
  });
  const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
  return { code, stdout, last: stdout.trimEnd().split("\n").at(-1) ?? "" };
}

const header = 'import { expect, test } from "bun:test";\n';

test("passes, failures, skips and todos are counted; a failure makes the exit status 1", async () => {
  const run = await runWrapper({
    "a.test.ts": `${header}test("p1", () => expect(1).toBe(1));\ntest("p2", () => {});\ntest("f", () => expect(1).toBe(2));\ntest.skip("s", () => {});\ntest.todo("t");\n`,
  });
  expect(run.last).toBe("2 passed, 1 failed, 2 skipped");
  expect(run.code).toBe(1);
}, 30_000);

test("all passing: exit 0", async () => {
  const run = await runWrapper({ "b.test.ts": `${header}test("p", () => expect(true).toBe(true));\n` });
  expect(run.last).toBe("1 passed, 0 failed, 0 skipped");
  expect(run.code).toBe(0);
}, 30_000);

test("a file that fails to load counts as a failure", async () => {
  const run = await runWrapper({
    "c.test.ts": `${header}test("p", () => {});\n`,
    "d.test.ts": `${header}throw new Error("broken at import");\n`,
  });
  expect(run.last).toBe("1 passed, 1 failed, 0 skipped");
  expect(run.code).toBe(1);
}, 30_000);
