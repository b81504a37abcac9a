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
import { parseArgs } from "node:util";
import { buildDag, doneArgs, scheduleArgs, schedulingOrder, workerId } from "./dag.ts";
import { startInProcess } from "./inproc-app.ts";
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

async function round(): Promise<{ calls: number; seconds: number; main: number; total: number }> {
  const app = startInProcess(values.state!);
  const call = app.call;

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
  const calls = app.calls();
  await app.close();
  return { calls, seconds, main, total };
}

console.log(`in-process schedule: ${values.tasks} tasks, ${W} workers, state ${values.state}`);
for (let r = 0; r < Number(values.rounds); r++) {
  const { calls, seconds, main, total } = await round();
  const us = (x: number) => ((x / calls) * 1e6).toFixed(1);
  console.log(`  round ${r + 1}: ${calls} RPCs in ${seconds.toFixed(2)} s = ${(calls / seconds).toFixed(0)} RPC/s; CPU per RPC: main thread ${us(main)} µs, process ${us(total)} µs (this includes building the requests and reading the replies)`);
}
