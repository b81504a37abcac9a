/**
 * The project's test command: builds dist/luigid (the end-to-end tests run
 * it), makes sure the browser the UI tests need is present, runs `bun test`,
 * and ends with the one summary line CI reads: `N passed, N failed, N skipped`
 * — also when the build itself fails. Extra arguments go to `bun test`
 * (e.g. `bun scripts/test.ts test/config`).
 *
 * bun's own summary goes to stderr and a file that fails to load is missing
 * from its JUnit report, so both are read and the worse count wins.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CHROMIUM = "/usr/bin/chromium";

function ensureChromium(): void {
  if (existsSync(CHROMIUM) || process.env.LUIGID_SKIP_BROWSER_INSTALL) return;
  console.error("chromium is missing: installing Debian's chromium for the UI tests");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (cmd: string[]) => Bun.spawnSync(cmd, { env, stdout: "ignore", stderr: "inherit" }).exitCode;
  if (run(["apt-get", "update", "-qq"]) !== 0 || run(["apt-get", "install", "-y", "-qq", "chromium"]) !== 0) {
    console.error("could not install chromium; browser tests will fail");
  }
}

/** Ends the run the way CI expects even when no test could run. */
function abort(reason: string): never {
  console.error(reason);
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}

// LUIGID_TEST_NO_BUILD=1 skips the build and the type check (quick local runs of a few files).
const quick = process.env.LUIGID_TEST_NO_BUILD === "1";
if (!quick) {
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: join(import.meta.dir, ".."), stdout: "inherit", stderr: "inherit" });
  if (build.exitCode !== 0) abort("the build failed: no test was run");
}

// The type check counts as one test: a type error fails the run, after the tests have had their say.
// It runs beside the tests and is read at the end.
const typecheck = quick
  ? null
  : Bun.spawn([process.execPath, join(import.meta.dir, "..", "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], {
      cwd: join(import.meta.dir, ".."),
      stdout: "pipe",
      stderr: "pipe",
    });
const typecheckDone = typecheck ? Promise.all([typecheck.exited, new Response(typecheck.stdout).text()]) : null;

ensureChromium();

const dir = mkdtempSync(join(tmpdir(), "luigid-test-"));
const junit = join(dir, "junit.xml");
const proc = Bun.spawn([process.execPath, "test", "--reporter=junit", `--reporter-outfile=${junit}`, ...process.argv.slice(2)], {
  stdout: "inherit",
  stderr: "pipe",
  stdin: "ignore",
  detached: true,
  env: { ...process.env, TZ: process.env.TZ ?? "Etc/UTC", NO_COLOR: "1" },
});

let captured = "";
const decoder = new TextDecoder();
const pump = (async () => {
  for await (const chunk of proc.stderr) {
    const text = decoder.decode(chunk, { stream: true });
    captured += text;
    process.stderr.write(text);
  }
})();

const code = await proc.exited;
// Anything a test leaked (servers, browsers) dies with the group.
try {
  process.kill(-proc.pid, "SIGKILL");
} catch {}
await Promise.race([pump, Bun.sleep(2000)]);

const plain = captured.replace(/\x1b\[[0-9;]*m/g, "");
const count = (word: string) => Number(plain.match(new RegExp(`^\\s*(\\d+) ${word}$`, "m"))?.[1] ?? 0);
let passed = count("pass");
let failed = count("fail");
const skipped = count("skip") + count("todo");
if (existsSync(junit)) {
  const failures = Number(readFileSync(junit, "utf8").match(/<testsuites[^>]*\bfailures="(\d+)"/)?.[1] ?? 0);
  failed = Math.max(failed, failures);
}
if (code !== 0 && failed === 0) failed = 1;
if (typecheckDone) {
  const [typeCode, typeErrors] = await typecheckDone;
  if (typeCode === 0) passed++;
  else {
    console.error(`type check failed (tsc -p tsconfig.json):\n${typeErrors.trim()}`);
    failed++;
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : code);
