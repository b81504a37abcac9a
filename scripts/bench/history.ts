/**
 * Task-history overhead benchmark (issue 5): the 10k-task schedule (every task
 * added, handed out by get_work and reported DONE) with history off and on,
 * alternating, median of N runs. Target: "on" keeps >= 85% of "off".
 *
 *   bun scripts/bench/history.ts [--tasks 10000] [--runs 5]                 in process
 *   bun scripts/bench/history.ts --binary dist/luigid [--workers 8] [...]   through the binary
 *   bun scripts/bench/history.ts --engine-bench dist/luigid [--runs 3]       the engine's own benchmark
 *
 * In process: calls go through SchedulerService as /api's do, without HTTP,
 * which makes history's share of the work as large as it can be. The loop
 * yields to the event loop every 50 calls, as a server does between requests,
 * so the recorder's batch timer runs during the schedule, and the wait until
 * the history thread has committed everything is counted.
 * Through the binary: N simulated workers over HTTP on 127.0.0.1, one request
 * at a time each as Luigi's are, with `--state-path :memory:` in both modes.
 * Either way the events written are counted and checked (3 per task).
 * --engine-bench: scripts/bench/run.ts --scenario schedule (issue 3's 10k-task
 * DAG through the binary) against the binary as it is and against a wrapper
 * that turns history on (LUIGI_CONFIG_PATH), alternating; prints its lines.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Engine } from "../../src/engine/engine.ts";
import { DEFAULT_ENGINE_CONFIG } from "../../src/engine/types.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { SchedulerService } from "../../src/rpc/service.ts";
import { openHistory } from "../../src/store/history/store.ts";
import { freePort, median, serverEnv } from "./support.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "10000" },
    runs: { type: "string", default: "5" },
    workers: { type: "string", default: "8" },
    binary: { type: "string" },
    "engine-bench": { type: "string" },
  },
});
const TASKS = Number(values.tasks);
const RUNS = Number(values.runs);
const WORKERS = Number(values.workers);

type Call = (method: string, args: Record<string, unknown>) => Promise<unknown>;

function addTask(i: number, status: string, worker: string) {
  return {
    task_id: `Load_2026_01_${i}_${(i * 2654435761).toString(16).slice(0, 10)}`,
    status,
    worker,
    family: `Load${i % 20}`,
    module: "bench",
    params: { date: "2026-01-01", part: String(i), kind: "daily" },
    param_visibilities: { date: 0, part: 0, kind: 0 },
    deps: [],
    runnable: true,
    priority: i % 7,
    resources: {},
    expl: null,
    assistant: false,
    batchable: false,
    retry_policy_dict: { retry_count: null, disable_hard_timeout: null, disable_window: null },
    owners: [],
  };
}

/** One worker's share: add its tasks, then get_work → DONE until nothing is left. Returns its calls. */
async function workload(call: Call, index: number, count: number): Promise<number> {
  const worker = `Worker(salt=${index}, workers=1, host=bench, username=bench, pid=${index})`;
  let calls = 1;
  await call("add_worker", { worker, info: [["host", "bench"]] });
  for (let i = index * count; i < (index + 1) * count && i < TASKS; i++, calls++) await call("add_task", addTask(i, "PENDING", worker));
  for (;;) {
    calls++;
    const reply = (await call("get_work", { worker, host: "bench", assistant: false, current_tasks: [] })) as { task_id: string | null };
    if (!reply.task_id) return calls;
    calls++;
    await call("add_task", addTask(Number(reply.task_id.split("_")[3]), "DONE", worker));
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function inProcess(history: boolean, dir: string): Promise<{ seconds: number; answered: number; calls: number; events: number }> {
  const engine = new Engine({ ...DEFAULT_ENGINE_CONFIG, recordTaskHistory: history });
  const service = new SchedulerService(engine, systemClock);
  const dbPath = join(dir, `history-${Math.random().toString(36).slice(2)}.db`);
  const store = history ? openHistory({ enabled: true, dbConnection: `sqlite:///${dbPath}`, retentionDays: null }, { clock: systemClock }) : null;
  if (store) service.addListener(store.recorder);
  let n = 0;
  const call: Call = async (method, args) => {
    if (++n % 50 === 0) await tick();
    return service.call(method, args);
  };
  const started = performance.now();
  const calls = await workload(call, 0, TASKS);
  const answered = (performance.now() - started) / 1000;
  await store?.sync();
  const seconds = (performance.now() - started) / 1000;
  await service.close();
  await store?.close();
  return { seconds, answered, calls, events: history ? countEvents(dbPath) : 0 };
}

function countEvents(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM task_events").get()!.n;
  } finally {
    db.close();
  }
}

async function throughBinary(binary: string, history: boolean, dir: string): Promise<{ seconds: number; answered: number; calls: number; events: number }> {
  const port = await freePort();
  const dbPath = join(dir, `history-${Math.random().toString(36).slice(2)}.db`);
  writeFileSync(join(dir, "luigi.cfg"), history ? `[scheduler]\nrecord_task_history = true\n[task_history]\ndb_connection = sqlite:///${dbPath}\n` : "");
  const proc = Bun.spawn([binary, "--state-path", ":memory:", "--address", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    env: serverEnv(dir),
    stdout: "ignore",
    stderr: "ignore",
  });
  const base = `http://127.0.0.1:${port}`;
  const call: Call = async (method, args) => {
    const reply = await fetch(`${base}/api/${method}`, { method: "POST", body: new URLSearchParams({ data: JSON.stringify(args) }) });
    if (reply.status !== 200) throw new Error(`${method}: ${reply.status} ${await reply.text()}`);
    return ((await reply.json()) as { response: unknown }).response;
  };
  for (let tries = 0; ; tries++) {
    try {
      await call("ping", { worker: "probe" });
      break;
    } catch (error) {
      if (tries > 500) throw error;
      await Bun.sleep(10);
    }
  }
  const started = performance.now();
  const share = Math.ceil(TASKS / WORKERS);
  const calls = (await Promise.all(Array.from({ length: WORKERS }, (_, i) => workload(call, i, share)))).reduce((a, b) => a + b, 0);
  const answered = (performance.now() - started) / 1000;
  if (history) await fetch(`${base}/history?format=json&limit=1`); // a read waits for every queued write
  const seconds = (performance.now() - started) / 1000;
  proc.kill("SIGTERM");
  await proc.exited;
  return { seconds, answered, calls, events: history ? countEvents(dbPath) : 0 };
}

/** The engine's schedule benchmark, off and on alternating; returns RPC/s per mode from its summary line. */
async function engineBench(binary: string, dir: string): Promise<void> {
  const wrapper = join(dir, "luigid-with-history");
  // run.ts gives the binary a fixed environment and its own luigi.cfg: a wrapper adds ours on top.
  writeFileSync(
    wrapper,
    `#!/bin/sh\nd=$(mktemp -d "${dir}/run-XXXXXX")\n` +
      `printf '[scheduler]\\nrecord_task_history = true\\n[task_history]\\ndb_connection = sqlite:///%s/history.db\\n' "$d" > "$d/history.cfg"\n` +
      `LUIGI_CONFIG_PATH="$d/history.cfg" exec ${JSON.stringify(binary)} "$@"\n`,
    { mode: 0o755 },
  );
  const rates: Record<"off" | "on", number[]> = { off: [], on: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const mode of r % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
      const proc = Bun.spawn([process.execPath, join(import.meta.dir, "run.ts"), "--scenario", "schedule", "--binary", mode === "on" ? wrapper : binary], { stdout: "pipe", stderr: "inherit" });
      const out = await new Response(proc.stdout).text();
      if ((await proc.exited) !== 0) throw new Error(`run.ts failed:\n${out}`);
      const line = out.split("\n").find((l) => l.startsWith("schedule:")) ?? "";
      rates[mode].push(Number(/= (\d+) RPC\/s/.exec(line)?.[1] ?? Number.NaN));
      let recorded = "";
      if (mode === "on") {
        // The newest run directory is this run's: check that history really was recorded.
        const runs = readdirSync(dir).filter((d) => d.startsWith("run-")).map((d) => join(dir, d, "history.db"));
        const newest = runs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
        const events = newest ? countEvents(newest) : 0;
        if (events < 30_000) throw new Error(`history recorded only ${events} events`);
        recorded = ` [${events} history events]`;
      }
      console.log(`run ${r} history ${mode.padEnd(3)}: ${line}${recorded}`);
    }
  }
  console.log(`median of scripts/bench/run.ts schedule: history off ${median(rates.off)} RPC/s, on ${median(rates.on)} RPC/s -> history keeps ${((100 * median(rates.on)) / median(rates.off)).toFixed(1)}% (target >= 85%)`);
}

const dir = mkdtempSync(join(tmpdir(), "luigid-bench-history-"));
try {
  // run.ts starts the binary from a copy in its own temp dir: the wrapper needs an absolute path.
  if (values["engine-bench"]) await engineBench(resolve(values["engine-bench"]), dir);
  else await own(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** This file's own schedule, in process or through --binary. */
async function own(dir: string): Promise<void> {
  const run = (history: boolean) => (values.binary ? throughBinary(values.binary, history, dir) : inProcess(history, dir));
  await run(false); // warm-up
  // "answered": until the last RPC's reply; "committed": until history has written it all.
  const rates: Record<"off" | "on", number[]> = { off: [], on: [] };
  const answeredRates: Record<"off" | "on", number[]> = { off: [], on: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const mode of r % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
      const { seconds, answered, calls, events } = await run(mode === "on");
      if (mode === "on" && events !== TASKS * 3) throw new Error(`expected ${TASKS * 3} history events, found ${events}`);
      rates[mode].push(calls / seconds);
      answeredRates[mode].push(calls / answered);
      console.log(
        `run ${r} history ${mode.padEnd(3)}: ${calls} calls answered in ${answered.toFixed(3)} s (${(calls / answered).toFixed(0)}/s)` +
          (mode === "on" ? `, ${events} events committed after ${seconds.toFixed(3)} s (${(calls / seconds).toFixed(0)}/s)` : ""),
      );
    }
  }
  const where = values.binary ? `through ${values.binary}, ${WORKERS} workers over HTTP` : "in process";
  const pct = (on: number[], off: number[]) => `${((100 * median(on)) / median(off)).toFixed(1)}%`;
  console.log(
    `median ${where}: history off ${median(rates.off).toFixed(0)} calls/s; on: answered ${median(answeredRates.on).toFixed(0)} calls/s ` +
      `(${pct(answeredRates.on, answeredRates.off)}), committed ${median(rates.on).toFixed(0)} calls/s (${pct(rates.on, rates.off)}) (target >= 85%)`,
  );
}
