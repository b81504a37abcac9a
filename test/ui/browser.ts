/**
 * Debian's chromium driven by playwright-core, for the UI tests: one browser
 * per test file, a fresh page per test, console errors collected, screenshots
 * written to test-artifacts/ui/ (gitignored) for a human to look at.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ROOT } from "../support/index.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = join(ROOT, "test-artifacts", "ui");

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface OpenPage {
  page: Page;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
  /** Requests the page made to anything but the server under test. */
  foreign: string[];
  close(): Promise<void>;
}

/** Opens the visualiser at `hash` (e.g. `#tab=workers`) and waits for the first data. */
export async function openVisualiser(browser: Browser, base: string, hash = "", viewport = { width: 1400, height: 900 }): Promise<OpenPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith("data:")) foreign.push(url);
  });
  await page.goto(`${base}/static/visualiser/index.html${hash}`);
  // Attached, not visible: narrow windows hide the live indicator.
  await page.waitForSelector(".topbar .live", { state: "attached" });
  return { page, errors, foreign, close: () => page.close() };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}
