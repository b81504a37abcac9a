/**
 * Restart benchmark (issue 4): a state file holding 100,000 tasks, how long
 * until luigid answers again.
 *
 *   bun scripts/bench/restart.ts [--tasks N] [--binary dist/luigid] [--runs 5]
 *
 * 1. Writes a state file of N tasks (a realistic mix: params, deps, failures,
 *    RUNNING tasks with owners) and 200 workers through the store itself.
 * 2. In process: openStateStore (lock, integrity check, read, decode) — the
 *    store's share of a restart.
 * 3. The binary: spawn with --state-path, time to the first answered RPC
 *    (`count_pending` of a restored worker, so the restored state is really
 *    there), and SIGTERM to exit (the final checkpoint).
 * Only ever listens on 127.0.0.1.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { TaskRecord, WorkerRecord } from "../../src/engine/types.ts";
import { openStateStore } from "../../src/store/state/store.ts";
import { freePort, median, quietLog, serverEnv, writeStateFile } from "./support.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "100000" },
    binary: { type: "string", default: join(import.meta.dir, "..", "..", "dist", "luigid") },
    runs: { type: "string", default: "5" },
  },
});
const TASKS = Number(values.tasks);
const RUNS = Number(values.runs);

const WORKERS = 200;
const T0 = Date.now() / 1000 - 300;

function worker(i: number): WorkerRecord {
  return {
    id: `Worker(salt=${100000000 + i}, workers=4, host=node-${i % 20}, username=etl, pid=${1000 + i})`,
    reference: { host: `node-${i % 20}` },
    lastActive: Date.now() / 1000,
    lastGetWork: Date.now() / 1000,
    started: T0 + i,
    info: { salt: String(100000000 + i), workers: 4, host: `node-${i % 20}`, username: "etl", pid: 1000 + i },
    disabled: false,
    rpcMessages: [],
  };
}

function task(i: number, workers: WorkerRecord[]): TaskRecord {
  const owner = workers[i % WORKERS]!.id;
  const statuses = ["DONE", "DONE", "DONE", "PENDING", "PENDING", "RUNNING", "FAILED"];
  const status = statuses[i % statuses.length]!;
  const date = `2026-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`;
  return {
    id: `Load_${date.replaceAll("-", "_")}_${i}_${(i * 2654435761).toString(16).slice(0, 10)}`,
    status,
    deps: new Set(i > 2 ? [`dep-${i - 1}`, `dep-${i - 2}`] : []),
    stakeholders: new Set([owner]),
    workers: new Set([owner]),
    time: T0 + i / 1000,
    updated: T0 + i / 1000 + 1,
    retry: status === "FAILED" ? T0 + 900 : null,
    remove: null,
    workerRunning: status === "RUNNING" ? owner : null,
    timeRunning: status === "RUNNING" || status === "DONE" ? T0 + 2 : null,
    resourcesRunning: status === "RUNNING" ? { db: 1 } : null,
    expl: status === "FAILED" ? JSON.stringify(`Runtime error:\nTraceback (most recent call last):\n  File "x.py", line ${i}\nValueError: bad row ${i}`) : null,
    priority: i % 10,
    resources: { db: 1 },
    family: "Load",
    module: "etl.load",
    params: { date, table: `table_${i % 50}`, shard: String(i % 16) },
    paramVisibilities: { date: 0, table: 0, shard: 0 },
    acceptsMessages: false,
    retryPolicy: { retryCount: 999999999, disableHardTimeout: 999999999, disableWindow: 3600 },
    failures: status === "FAILED" ? [T0 + 5] : [],
    firstFailureTime: status === "FAILED" ? T0 + 5 : null,
    trackingUrl: null,
    statusMessage: null,
    progressPercentage: null,
    schedulerMessageResponses: {},
    schedulerDisableTime: null,
    runnable: true,
    batchable: false,
    batchId: null,
    owners: [],
  };
}

/** Writes the file through the store's own listener, as a running luigid would. */
function writeBenchState(path: string): void {
  const workers = Array.from({ length: WORKERS }, (_, i) => worker(i));
  const tasks = new Map<string, TaskRecord>();
  for (let i = 0; i < TASKS; i++) {
    const t = task(i, workers);
    tasks.set(t.id, t);
  }
  const ms = writeStateFile(path, tasks, workers, { db: 10 });
  console.log(`wrote ${TASKS} tasks, ${WORKERS} workers in ${ms.toFixed(0)} ms; file ${(statSync(path).size / 1e6).toFixed(1)} MB`);
}

function storeOpen(path: string): void {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const store = openStateStore(path, { log: quietLog, configResources: { db: 10 } });
    times.push(performance.now() - started);
    if (store.restored?.tasks.length !== TASKS) throw new Error(`restored ${store.restored?.tasks.length} tasks, wrote ${TASKS}`);
    store.close();
  }
  console.log(`openStateStore (lock, quick_check, read, decode) : median ${median(times).toFixed(0)} ms, runs ${times.map((t) => t.toFixed(0)).join(" ")}`);
}

async function binaryRestart(path: string, dir: string): Promise<void> {
  try {
    statSync(values.binary!);
  } catch {
    console.log(`no binary at ${values.binary}: skipping the end-to-end restart (build with bun scripts/build.ts)`);
    return;
  }
  const ready: number[] = [];
  const stops: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const port = await freePort();
    const started = performance.now();
    const proc = Bun.spawn([values.binary!, "--state-path", path, "--address", "127.0.0.1", "--port", String(port)], {
      cwd: dir,
      env: serverEnv(dir),
      stdout: "ignore",
      stderr: "pipe",
    });
    // Ready = the first RPC answered from the restored state: a worker's pending count.
    const probe = JSON.stringify({ worker: worker(0).id });
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`luigid exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
      const reply = await fetch(`http://127.0.0.1:${port}/api/count_pending`, { method: "POST", body: new URLSearchParams({ data: probe }) }).catch(() => null);
      if (reply) {
        const body = (await reply.json()) as { response: { n_pending_tasks: number } };
        if (reply.status !== 200 || !(body.response.n_pending_tasks > 0)) throw new Error(`count_pending answered ${reply.status} without the restored tasks`);
        break;
      }
      await Bun.sleep(5);
    }
    ready.push(performance.now() - started);
    const stopping = performance.now();
    proc.kill("SIGTERM");
    await proc.exited;
    stops.push(performance.now() - stopping);
  }
  console.log(`binary: spawn -> restored count_pending answered: median ${median(ready).toFixed(0)} ms, runs ${ready.map((t) => t.toFixed(0)).join(" ")}`);
  console.log(`binary: SIGTERM -> exited (final checkpoint)  : median ${median(stops).toFixed(0)} ms`);
}

const dir = mkdtempSync(join(tmpdir(), "luigid-bench-restart-"));
try {
  const path = join(dir, "state.db");
  writeBenchState(path);
  storeOpen(path);
  await binaryRestart(path, dir);
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(dir);
}
