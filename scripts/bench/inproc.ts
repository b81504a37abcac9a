/**
 * The schedule scenario of run.ts without sockets: W simulated workers drive
 * the real app (engine, service, ops, state file, Hono) through `app.fetch`,
 * in this process. What it measures is the server's own work per RPC, free of
 * the HTTP layer and of a client competing for the same CPUs: the figure to
 * watch while making a request cheaper. Profile it with
 * `bun --cpu-prof-md scripts/bench/inproc.ts`.
 *
 *   bun scripts/bench/inproc.ts [--tasks 10000] [--workers 8] [--rounds 3] [--state file|memory]
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultConfig } from "../../src/config/defaults.ts";
import { Engine } from "../../src/engine/engine.ts";
import { createApp } from "../../src/http/app.ts";
import type { AppContext } from "../../src/http/context.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { createLogger } from "../../src/lib/log.ts";
import { installOps } from "../../src/ops/ops.ts";
import { SchedulerService } from "../../src/rpc/service.ts";
import { attachStateStore } from "../../src/server/state.ts";
import { buildDag, doneArgs, scheduleArgs, schedulingOrder, workerId } from "./dag.ts";
import { statCpuSeconds } from "./support.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "10000" },
    workers: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    state: { type: "string", default: "file" },
  },
});
const W = Number(values.workers);

/** CPU seconds of this process's main thread (the one running JavaScript). */
const mainThreadCpu = () => statCpuSeconds(`/proc/self/task/${process.pid}/stat`);

function processCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** getConnInfo (the access log) asks the server for the peer's address. */
const fakeServer = { requestIP: () => ({ address: "127.0.0.1", family: "IPv4", port: 50000 }) };

async function round(): Promise<{ calls: number; seconds: number; main: number; total: number }> {
  const dir = mkdtempSync(join(tmpdir(), "luigid-inproc-"));
  const config = defaultConfig();
  config.statePath = values.state === "memory" ? ":memory:" : join(dir, "state.db");
  config.engine = { ...config.engine, resources: { db: 4 } };
  // The access log is formatted as in production, and written nowhere.
  const log = createLogger("luigi.server", { sink: () => {} });
  const engine = new Engine(config.engine);
  const service = new SchedulerService(engine, systemClock);
  const context: AppContext = { service, config, readiness: { ready: true }, log };
  context.ops = installOps(service, config, { log });
  attachStateStore(config, engine, service, log.child("luigi.scheduler"));
  const app = createApp(context);

  let calls = 0;
  const call = async (method: string, data: Record<string, unknown>): Promise<unknown> => {
    const body = `data=${encodeURIComponent(JSON.stringify(data))}`;
    // The headers Python's requests sends (a declared length: the body limit is checked from it).
    const request = new Request(`http://127.0.0.1:8082/api/${method}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "accept-encoding": "gzip, deflate", "content-length": String(Buffer.byteLength(body)) },
      body,
    });
    const reply = await app.fetch(request, fakeServer);
    const text = await reply.text();
    calls++;
    if (reply.status !== 200) throw new Error(`${method} answered ${reply.status}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { response: unknown }).response;
  };

  const dag = buildDag(Number(values.tasks), W);
  const owned: (typeof dag)[] = Array.from({ length: W }, () => []);
  for (const t of schedulingOrder(dag)) owned[t.owner]!.push(t);
  const started = performance.now();
  const cpu = { main: mainThreadCpu(), total: processCpu() };
  await Promise.all(owned.map(async (tasks, i) => {
    const worker = workerId(i);
    for (const t of tasks) await call("add_task", scheduleArgs(worker, t));
    for (;;) {
      const reply = (await call("get_work", { worker, host: "bench", assistant: false, current_tasks: [] })) as { task_id: string | null; n_pending_tasks: number; running_tasks: unknown[] };
      if (reply.task_id) {
        await call("add_task", doneArgs(worker, reply.task_id));
        continue;
      }
      if (reply.n_pending_tasks === 0 && reply.running_tasks.length === 0) return;
      await Bun.sleep(1);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const main = mainThreadCpu() - cpu.main;
  const total = processCpu() - cpu.total;
  await service.close();
  rmSync(dir, { recursive: true, force: true });
  return { calls, seconds, main, total };
}

console.log(`in-process schedule: ${values.tasks} tasks, ${W} workers, state ${values.state}`);
for (let r = 0; r < Number(values.rounds); r++) {
  const { calls, seconds, main, total } = await round();
  const us = (x: number) => ((x / calls) * 1e6).toFixed(1);
  console.log(`  round ${r + 1}: ${calls} RPCs in ${seconds.toFixed(2)} s = ${(calls / seconds).toFixed(0)} RPC/s; CPU per RPC: main thread ${us(main)} µs, process ${us(total)} µs (this includes building the requests and reading the replies)`);
}
