/**
 * Auth in a real browser (Debian's chromium): the visualiser behind basic
 * credentials logs in through the browser's own prompt (401 +
 * WWW-Authenticate), its actions work by POST, and a page on another origin
 * cannot replay the stored credentials to change the scheduler.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { type RunningBinary, rpcRaw, startBinary } from "../support/index.ts";
import { launchBrowser } from "../ui/browser.ts";

const USER = "luigi";
const PASS = "it's-a-me, mario";
const AUTH = { Authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString("base64")}` };

let browser: Browser;
let server: RunningBinary;
let foreign: ReturnType<typeof Bun.serve>;

async function paused(): Promise<boolean> {
  const reply = await rpcRaw(server.url, "is_paused", {}, { headers: AUTH });
  return (reply.body as { response: { paused: boolean } }).response.paused;
}

beforeAll(async () => {
  server = await startBinary({ cfg: `[auth]\nusername = ${USER}\npassword = ${PASS}\nanonymous = none\n` });
  browser = await launchBrowser();
  // A page on another origin that tries to use the scheduler with the browser's credentials.
  foreign = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () =>
      new Response(
        `<!doctype html><script>
          fetch(${JSON.stringify(`${server.url}/api/unpause`)}, { method: "POST", mode: "no-cors", credentials: "include" })
            .finally(() => { document.title = "sent"; });
        </script>`,
        { headers: { "Content-Type": "text/html" } },
      ),
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  foreign?.stop(true);
  await server?.stop();
});

test("without credentials the browser gets the basic-auth challenge", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const challenges: Array<{ status: number; header: string | undefined }> = [];
    page.on("response", (r) => challenges.push({ status: r.status(), header: r.headers()["www-authenticate"] }));
    // Headless chromium has nobody to type into the prompt, so it gives the navigation up.
    const navigation = await page.goto(`${server.url}/static/visualiser/index.html`).catch((error: Error) => error);
    expect(String(navigation)).toContain("ERR_INVALID_AUTH_CREDENTIALS");
    expect(challenges).toEqual([{ status: 401, header: 'Basic realm="luigid", charset="UTF-8"' }]);
  } finally {
    await context.close();
  }
}, 60_000);

test("logged in, the visualiser loads and its POST actions change the scheduler", async () => {
  const context = await browser.newContext({ httpCredentials: { username: USER, password: PASS } });
  try {
    const page = await context.newPage();
    const response = await page.goto(`${server.url}/static/visualiser/index.html`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector(".topbar .live", { timeout: 20_000 });
    // What the UI's client does for an action: a same-origin POST of form data.
    const status = await page.evaluate(async () => {
      const reply = await fetch("../../api/pause", { method: "POST", credentials: "same-origin", body: new URLSearchParams({ data: "{}" }) });
      return reply.status;
    });
    expect(status).toBe(200);
    expect(await paused()).toBe(true);

    // Another origin, same browser, same stored credentials: refused by the Origin check.
    const evil = await context.newPage();
    await evil.goto(`http://127.0.0.1:${foreign.port}/`);
    await evil.waitForFunction(() => document.title === "sent", undefined, { timeout: 10_000 });
    expect(await paused()).toBe(true);
    // The browser did attach the stored credentials: it is the Origin check that refused.
    expect(server.stderr()).toMatch(/WARNING: 403 POST \/api\/unpause/);
    expect(server.stderr()).not.toMatch(/200 POST \/api\/unpause/);
  } finally {
    await context.close();
  }
}, 60_000);
