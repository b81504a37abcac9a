/**
 * The visualiser's task index: its categories agree with Luigi's own
 * task_list upstream filter, its builds yield to the event loop (worker RPCs
 * keep flowing while it runs), and worker check-ins alone cost no rebuild.
 */
import { describe, expect, test } from "bun:test";
import { TaskChangeLog } from "../../src/http/ui/change-log.ts";
import { TaskIndex } from "../../src/http/ui/task-index.ts";
import { addTaskArgs } from "../engine/helpers.ts";
import { createTestApp, type TestApp } from "../support/index.ts";
import { seededRandom } from "../support/seeded.ts";

/** Chains of 4 (Extract -> Clean -> Load -> Report) with every 7th Extract FAILED and every 11th Clean DISABLED. */
function chains(t: TestApp, n: number): void {
  for (let i = 0; i < n; i++) {
    const ids = ["Extract", "Clean", "Load", "Report"].map((f) => `${f}_${i}_0123456789`);
    const [extract, clean, load, report] = ids as [string, string, string, string];
    const call = (task_id: string, family: string, deps: string[], status = "PENDING") =>
      t.service.run((engine, now) => engine.addTask(addTaskArgs(task_id, `W${i % 3}`, { family, deps, status, params: {} }), now));
    call(report, "Report", [load]);
    call(load, "Load", [clean]);
    call(clean, "Clean", [extract], i % 11 === 0 ? "DISABLED" : "PENDING");
    call(extract, "Extract", [], i % 7 === 0 ? "FAILED" : i % 5 === 0 ? "DONE" : "PENDING");
  }
}


async function luigiCount(t: TestApp, status: string, upstream: string): Promise<number> {
  const listed = await t.rpc<Record<string, unknown>>("task_list", { status, upstream_status: upstream, search: "", limit: false });
  return Object.keys(listed).length;
}

describe("task index", () => {
  test("categories agree with Luigi's task_list upstream filter", async () => {
    const t = createTestApp();
    chains(t, 300);
    const snapshot = await new TaskIndex(t.engine).get();
    const c = snapshot.counts;
    expect(c.UPSTREAM_FAILED).toBe(await luigiCount(t, "PENDING", "UPSTREAM_FAILED"));
    expect(c.UPSTREAM_DISABLED).toBe(await luigiCount(t, "PENDING", "UPSTREAM_DISABLED"));
    expect(c.FAILED).toBe(await luigiCount(t, "FAILED", ""));
    expect(c.DISABLED).toBe(await luigiCount(t, "DISABLED", ""));
    expect(c.DONE).toBe(await luigiCount(t, "DONE", ""));
    const pending = await luigiCount(t, "PENDING", "");
    expect(c.PENDING + c.UPSTREAM_FAILED + c.UPSTREAM_DISABLED).toBe(pending);
    expect(c.UPSTREAM_FAILED).toBeGreaterThan(0);
    expect(c.UPSTREAM_DISABLED).toBeGreaterThan(0);
    expect(snapshot.rows.length).toBe(1200);
  });

  test("a build yields to the event loop between slices", async () => {
    const t = createTestApp();
    chains(t, 5000);
    const index = new TaskIndex(t.engine, undefined, { sliceMs: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const built = await index.get();
    clearInterval(timer);
    expect(built.rows.length).toBe(20_000);
    // Timers ran while the build was in progress: it never held the loop for its whole duration.
    expect(ticks).toBeGreaterThan(0);
    expect(index.lastBuildMs).toBeGreaterThan(0);
  });

  test("worker check-ins do not rebuild; task changes do, no more often than the duty cycle", async () => {
    const t = createTestApp();
    const log = new TaskChangeLog();
    t.service.addListener(log);
    chains(t, 50);
    const index = new TaskIndex(t.engine, log, { minIntervalMs: 60_000 });
    const first = await index.get();
    await t.rpc("ping", { worker: "W1" });
    const afterPing = await index.get();
    expect(afterPing).toBe(first);
    expect(afterPing.version).toBe(t.engine.version);

    await t.rpc("add_task", { worker: "W1", task_id: "New_1", family: "New" });
    // Not yet due (a minute between rebuilds here): the old snapshot is served...
    expect(await index.get()).toBe(first);
    // ...unless a page asks for a fresh one after an action (those are bounded too: at most 4x the
    // last build's CPU time apart with the default 5% duty cycle).
    await Bun.sleep(Math.ceil(4 * index.lastBuildMs) + 2);
    const fresh = await index.get({ fresh: true });
    expect(fresh).not.toBe(first);
    expect(fresh.rows.some((r) => r.id === "New_1")).toBe(true);
  });

  test("pretty ids follow a task given its family or params later, through incremental and full builds", async () => {
    const t = createTestApp();
    const log = new TaskChangeLog();
    t.service.addListener(log);
    const incremental = new TaskIndex(t.engine, log, { minIntervalMs: 0, dutyCycle: 1 });
    // Without a change log every build is a full one, which takes unchanged pretty ids from the last.
    const full = new TaskIndex(t.engine, null, { minIntervalMs: 0, dutyCycle: 1 });
    await t.rpc("add_task", { worker: "W", task_id: "Q_1", family: "", params: { x: "1" } });
    await t.rpc("add_task", { worker: "W", task_id: "R_1", family: "R", params: {} });
    await t.rpc("add_task", { worker: "W", task_id: "S_1", family: "S", params: { day: "mon" } });
    const labels = async (index: TaskIndex) => {
      let snapshot = await index.get({ fresh: true });
      while (snapshot.version !== t.engine.version) {
        await Bun.sleep(1);
        snapshot = await index.get({ fresh: true });
      }
      return Object.fromEntries(snapshot.rows.map((r) => [r.id, [r.display, r.text]]));
    };
    const before = { Q_1: ["(x=1)", "(x=1)\nq_1"], R_1: ["R()", "r()\nr_1"], S_1: ["S(day=mon)", "s(day=mon)\ns_1"] };
    expect(await labels(incremental)).toEqual(before);
    expect(await labels(full)).toEqual(before);
    // Luigi fills in an empty family or empty params from a later add_task.
    await t.rpc("add_task", { worker: "W", task_id: "Q_1", family: "Qfam" });
    await t.rpc("add_task", { worker: "W", task_id: "R_1", family: "R", params: { y: "2" } });
    const after = { ...before, Q_1: ["Qfam(x=1)", "qfam(x=1)\nq_1"], R_1: ["R(y=2)", "r(y=2)\nr_1"] };
    expect(await labels(incremental)).toEqual(after);
    expect(await labels(full)).toEqual(after);
  });

  test("incremental builds agree with full builds through random changes", async () => {
    const t = createTestApp();
    const log = new TaskChangeLog();
    t.service.addListener(log);
    const incremental = new TaskIndex(t.engine, log, { minIntervalMs: 0, dutyCycle: 1 });
    const next = seededRandom(42);
    const random = (n: number) => Math.floor(next() * n);
    const statuses = ["PENDING", "PENDING", "PENDING", "DONE", "FAILED", "DISABLED", "RUNNING"];
    const id = (n: number) => `T_${n}_0123456789`;
    let fullBuilds = 0;
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 25; k++) {
        const n = random(120);
        const deps = Array.from({ length: random(4) }, () => id(random(120))).filter((d) => d !== id(n));
        const action = random(10);
        if (action < 6) await t.rpc("add_task", { worker: `W${random(3)}`, task_id: id(n), family: `F${n % 7}`, deps, status: statuses[random(statuses.length)] });
        else if (action < 8) await t.rpc("mark_as_done", { task_id: id(n) });
        else await t.rpc("forgive_failures", { task_id: id(n) });
      }
      // A fresh build may be refused for a moment after the last one (rate bound): ask until current.
      let inc = await incremental.get({ fresh: true });
      while (inc.version !== t.engine.version) {
        await Bun.sleep(1);
        inc = await incremental.get({ fresh: true });
      }
      if (inc.full) fullBuilds++;
      const reference = await new TaskIndex(t.engine).get();
      expect(inc.rows.map((r) => [r.id, r.category, r.seq])).toEqual(reference.rows.map((r) => [r.id, r.category, r.seq]));
      expect(inc.counts).toEqual(reference.counts);
    }
    // The first build is full; the rest were incremental (the test would prove nothing otherwise).
    expect(fullBuilds).toBe(1);
  });
});
