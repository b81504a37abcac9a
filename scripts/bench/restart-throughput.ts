/**
 * What durability costs (issue 4): the same 10,000-task schedule through the
 * compiled binary with a state file and with `--state-path :memory:` (no
 * store), alternating runs. Target: with the file, ≥ 70% of the throughput.
 *
 *   bun scripts/bench/restart-throughput.ts [--tasks 10000] [--workers 8] [--runs 3] [--binary dist/luigid]
 *
 * Each simulated worker (one HTTP request at a time, like Luigi's) adds its
 * share of the tasks as chains with dependencies, then loops get_work →
 * add_task(DONE) until nothing is pending. Only ever listens on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, median, serverEnv } from "./support.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "10000" },
    workers: { type: "string", default: "8" },
    runs: { type: "string", default: "3" },
    binary: { type: "string", default: join(import.meta.dir, "..", "..", "dist", "luigid") },
  },
});
const TASKS = Number(values.tasks);
const WORKERS = Number(values.workers);
const RUNS = Number(values.runs);

async function call<T>(base: string, method: string, data: Record<string, unknown>): Promise<T> {
  const reply = await fetch(`${base}/api/${method}`, { method: "POST", body: new URLSearchParams({ data: JSON.stringify(data) }) });
  if (reply.status !== 200) throw new Error(`${method}: ${reply.status} ${await reply.text()}`);
  return ((await reply.json()) as { response: T }).response;
}

async function worker(base: string, index: number, counter: { rpcs: number }): Promise<void> {
  const name = `Worker(salt=${100000000 + index}, workers=1, host=bench, username=bench, pid=${index})`;
  await call(base, "add_worker", { worker: name, info: { host: "bench", workers: 1 } });
  const share = Math.ceil(TASKS / WORKERS);
  // Chains of 10: each task needs the one before it, as a pipeline's stages do.
  for (let i = 0; i < share; i++) {
    const n = index * share + i;
    const deps = i % 10 === 0 ? [] : [`Stage_${n - 1}`];
    await call(base, "add_task", { task_id: `Stage_${n}`, worker: name, status: "PENDING", deps, family: "Stage", params: { n: String(n) }, priority: n % 7, runnable: true });
    counter.rpcs++;
  }
  for (;;) {
    const work = await call<{ task_id: string | null; n_pending_tasks: number }>(base, "get_work", { worker: name, host: "bench", current_tasks: [] });
    counter.rpcs++;
    if (work.task_id === null) {
      if (work.n_pending_tasks === 0) return;
      await Bun.sleep(2); // another worker holds a dependency
      continue;
    }
    await call(base, "add_task", { task_id: work.task_id, worker: name, status: "DONE", expl: "null" });
    counter.rpcs++;
  }
}

async function run(statePath: string, dir: string): Promise<{ seconds: number; rpcs: number }> {
  const port = await freePort();
  const proc = Bun.spawn([values.binary!, "--state-path", statePath, "--address", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    env: serverEnv(dir),
    stdout: "ignore",
    stderr: "ignore",
  });
  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      await call(base, "ping", { worker: "probe" });
      break;
    } catch (error) {
      if (tries > 500) throw error;
      await Bun.sleep(10);
    }
  }
  const counter = { rpcs: 0 };
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(base, i, counter)));
  const seconds = (performance.now() - started) / 1000;
  proc.kill("SIGTERM");
  await proc.exited;
  return { seconds, rpcs: counter.rpcs };
}

const dir = mkdtempSync(join(tmpdir(), "luigid-bench-durability-"));
try {
  const results: Record<"file" | "memory", number[]> = { file: [], memory: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const mode of r % 2 === 0 ? (["memory", "file"] as const) : (["file", "memory"] as const)) {
      const path = mode === "memory" ? ":memory:" : join(dir, `state-${r}.db`);
      const { seconds, rpcs } = await run(path, dir);
      results[mode].push(rpcs / seconds);
      console.log(`run ${r} ${mode.padEnd(6)}: ${TASKS} tasks, ${rpcs} RPCs in ${seconds.toFixed(2)} s = ${(rpcs / seconds).toFixed(0)} RPC/s`);
    }
  }
  const file = median(results.file);
  const memory = median(results.memory);
  console.log(`median: state file ${file.toFixed(0)} RPC/s, :memory: ${memory.toFixed(0)} RPC/s -> durability keeps ${((100 * file) / memory).toFixed(0)}%`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
