/**
 * The project's test command: makes sure the browser the UI tests need is
 * present, runs `bun test`, and ends with the one summary line CI reads:
 * `N passed, N failed, N skipped`.
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
const passed = count("pass");
let failed = count("fail");
const skipped = count("skip") + count("todo");
if (existsSync(junit)) {
  const failures = Number(readFileSync(junit, "utf8").match(/<testsuites[^>]*\bfailures="(\d+)"/)?.[1] ?? 0);
  failed = Math.max(failed, failures);
}
if (code !== 0 && failed === 0) failed = 1;
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code);
