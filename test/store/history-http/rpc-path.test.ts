/**
 * History is off the RPC path: an RPC answers before its history is written,
 * and a broken history database never fails an RPC. Also the has_task_history
 * answer and the pages, through the real app.
 */
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../../src/lib/clock.ts";
import { type HistoryStore, openHistory } from "../../../src/store/history/store.ts";
import { createTestApp } from "../../support/index.ts";

const WORKER = "Worker(salt=1, workers=1, host=h1, username=u, pid=1)";
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "luigid-history-rpc-"));
  const clock = new FakeClock(1_800_000_000);
  const warnings: string[] = [];
  const history = openHistory(
    { enabled: true, dbConnection: `sqlite:///${join(dir, "h.db")}`, retentionDays: null },
    { clock, warn: (m) => warnings.push(m), log: () => {} },
  ) as HistoryStore;
  const t = createTestApp({ clock, engine: { recordTaskHistory: true }, context: { history } });
  t.service.addListener(history.recorder);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => history.close());
  const rows = () => {
    const db = new Database(join(dir, "h.db"), { readonly: true });
    try {
      return db.query<{ event_name: string }, []>("SELECT event_name FROM task_events ORDER BY id").all().map((r) => r.event_name);
    } finally {
      db.close();
    }
  };
  return { ...t, history, warnings, rows, file: join(dir, "h.db") };
}

const task = (status: string) => ({ task_id: "A_1", status, worker: WORKER, family: "A", params: { p: "1" }, deps: [], runnable: true });

test("an RPC is answered before its history is written; a page read sees it", async () => {
  const t = setup();
  expect(await t.rpc("has_task_history")).toBe(true);
  await t.rpc("add_task", task("PENDING"));
  // Answered, and the event is still queued: nothing was written on the RPC's behalf.
  expect(t.history.recorder.pending).toBe(1);
  expect(t.rows()).toEqual([]);
  const page = await t.app.request("/history?format=json");
  expect(page.status).toBe(200);
  expect(((await page.json()) as { records: Array<{ task_id: string }> }).records.map((r) => r.task_id)).toEqual(["A_1"]);
  expect(t.rows()).toEqual(["PENDING"]);
});

test("a broken history database never fails an RPC", async () => {
  const t = setup();
  await t.rpc("add_task", task("PENDING"));
  await t.history.sync();
  const other = new Database(t.file);
  other.exec("ALTER TABLE task_events RENAME TO moved");
  other.close();
  await t.rpc("get_work", { worker: WORKER, host: "h1", current_tasks: [] });
  const reply = await t.call("add_task", task("DONE"));
  expect(reply.status).toBe(200);
  await t.history.sync();
  expect(t.warnings).toContain("Error saving Task history");
  // Repaired, history picks up again with the next event.
  const fix = new Database(t.file);
  fix.exec("ALTER TABLE moved RENAME TO task_events");
  fix.close();
  t.clock.advance(60); // past stable_done_cooldown_secs, so the re-add is recorded
  await t.call("add_task", task("PENDING"));
  await t.history.sync();
  expect(t.rows()).toEqual(["PENDING", "PENDING"]);
});
