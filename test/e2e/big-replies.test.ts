/**
 * A listing of several megabytes from the compiled binary: gzipped while it
 * is written, first on the scheduler's thread, then on the gzip thread the
 * first one started (embedded in the binary), with the same JSON either way.
 */
import { afterAll, expect, test } from "bun:test";
import { type RunningBinary, rpc, startBinary } from "../support/index.ts";

const TASKS = 1200;
let server: RunningBinary | null = null;
afterAll(async () => {
  await server?.stop();
});

type Listing = Record<string, { display_name: string; params: Record<string, string>; status: string }>;

async function listing(url: string): Promise<{ text: string; encoding: string | null }> {
  const response = await fetch(`${url}/api/task_list`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "gzip, deflate" },
    body: new URLSearchParams({ data: JSON.stringify({ status: "PENDING", upstream_status: "", search: "" }) }),
  });
  expect(response.status).toBe(200);
  return { text: await response.text(), encoding: response.headers.get("Content-Encoding") };
}

test("a listing of several megabytes is the same JSON before and after the gzip thread starts", async () => {
  server = await startBinary({ cfg: "[scheduler]\nmax_shown_tasks = 5000\n" });
  const blob = `${"x".repeat(1500)} ☃ "quoted" \\ `;
  for (let i = 0; i < TASKS; i++) {
    await rpc(server.url, "add_task", { task_id: `Big_${i}`, worker: "w", status: "PENDING", family: "Big", params: { blob: `${blob}${i}`, i: String(i) } });
  }
  const first = await listing(server.url);
  expect(first.encoding).toBe("gzip");
  expect(first.text.length).toBeGreaterThan(3_000_000);
  const parsed = (JSON.parse(first.text) as { response: Listing }).response;
  expect(Object.keys(parsed)).toHaveLength(TASKS);
  expect(parsed.Big_7?.display_name).toBe(`Big(blob=${blob}7, i=7)`);
  expect(parsed.Big_7?.params).toEqual({ blob: `${blob}7`, i: "7" });

  const started = "Big replies are gzipped on a thread of their own from now on";
  for (let waited = 0; !server.stderr().includes(started) && waited < 10_000; waited += 20) await Bun.sleep(20);
  expect(server.stderr()).toContain(started);
  expect(server.stderr()).not.toContain("no gzip thread could be started");

  for (let round = 0; round < 3; round++) {
    const again = await listing(server.url);
    expect(again.encoding).toBe("gzip");
    expect(again.text).toBe(first.text);
  }
});
