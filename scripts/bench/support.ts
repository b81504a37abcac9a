/** Small helpers shared by the benchmarks. Only ever 127.0.0.1. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { ChangeSet } from "../../src/engine/events.ts";
import type { EngineState, TaskRecord, WorkerRecord } from "../../src/engine/types.ts";
import { openStateStore, type StateSource } from "../../src/store/state/store.ts";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * The environment a benchmark starts luigid with: a clean one (PATH, HOME in
 * the run's temp dir, and `extra`), plus the runtime's own tuning knobs from
 * the benchmark's environment, so that an experiment with them reaches the
 * server: `BUN_JSC_*` (JavaScriptCore options, e.g. BUN_JSC_useFTLJIT=false)
 * and `MIMALLOC_*` (the allocator's, e.g. MIMALLOC_PURGE_DELAY=0).
 */
export function serverEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const knobs = Object.entries(process.env).filter((entry): entry is [string, string] => /^(BUN_JSC_|MIMALLOC_)/.test(entry[0]) && entry[1] !== undefined);
  return { ...Object.fromEntries(knobs), PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ...extra };
}

/** bare-server.ts (the machine scenario's yardstick) on a free port, once it says it listens. */
export async function startBareServer(env: Record<string, string> = serverEnv(tmpdir())): Promise<{ base: string; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "bare-server.ts"), String(port)], { stdin: "ignore", stdout: "pipe", stderr: "inherit", env });
  const first = await proc.stdout.pipeThrough(new TextDecoderStream()).getReader().read();
  const stop = async () => {
    proc.kill();
    await proc.exited;
  };
  if (!first.value?.startsWith("ready")) {
    await stop();
    throw new Error(`bare-server.ts did not start: ${JSON.stringify(first.value ?? "")} (exit ${proc.exitCode ?? proc.signalCode})`);
  }
  return { base: `http://127.0.0.1:${port}`, stop };
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** CPU seconds (user + system) in a /proc stat file: a process's, or one thread's (/proc/PID/task/TID/stat). */
export function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat(5) (utime, stime), counted from after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Per thread of a process: milliseconds on a CPU, milliseconds runnable but waiting for one. */
export type ThreadTimes = Map<string, { runMs: number; waitMs: number }>;

/**
 * The kernel scheduler's account of every thread of `pid` (/proc/PID/task/TID/schedstat),
 * keyed by `name/tid`; empty where the kernel keeps none. Two readings apart say
 * where the CPUs went in between: the main thread's wait is time it was ready to
 * answer and had no core.
 */
export function threadTimes(pid: number): ThreadTimes {
  const out: ThreadTimes = new Map();
  const dir = `/proc/${pid}/task`;
  if (!existsSync(dir)) return out;
  for (const tid of readdirSync(dir)) {
    try {
      const name = readFileSync(`${dir}/${tid}/comm`, "utf8").trim();
      const [run, wait] = readFileSync(`${dir}/${tid}/schedstat`, "utf8").split(" ").map(Number);
      out.set(`${name}/${tid}`, { runMs: run! / 1e6, waitMs: wait! / 1e6 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** `label: thread run/wait ms, …` for the threads that ran at least 1 ms between two readings, busiest first. */
export function threadTimesLine(label: string, before: ThreadTimes, after: ThreadTimes): string {
  const rows = [...after]
    .map(([key, t]) => ({ name: key.slice(0, key.lastIndexOf("/")), runMs: t.runMs - (before.get(key)?.runMs ?? 0), waitMs: t.waitMs - (before.get(key)?.waitMs ?? 0) }))
    .filter((t) => t.runMs >= 1)
    .sort((a, b) => b.runMs - a.runMs);
  return `${label}: ${rows.map((t) => `${t.name} ${t.runMs.toFixed(0)}/${t.waitMs.toFixed(0)}`).join(", ") || "(no per-thread figures here)"}`;
}

/** A state-store log that only reports errors. */
export const quietLog = { info() {}, warning() {}, error: (message: string) => console.error(message) };

/**
 * Writes a state file holding `tasks` and `workers` through the store's own
 * listener, as a running luigid would; returns the milliseconds the commit took.
 */
export function writeStateFile(path: string, tasks: Map<string, TaskRecord>, workers: WorkerRecord[], resources: Record<string, number>): number {
  const byId = new Map(workers.map((w) => [w.id, w]));
  const seqs = new Map([...tasks.keys()].map((id, i) => [id, i + 1]));
  const source: StateSource = {
    getTask: (id) => tasks.get(id),
    taskSeq: (id) => seqs.get(id),
    getWorker: (id) => byId.get(id),
    isPaused: () => false,
    resourceCapacities: () => resources,
    exportState: (): EngineState => ({ tasks: [...tasks.values()], workers, batchers: [], paused: false, resources }),
  };
  const store = openStateStore(path, { log: quietLog, configResources: resources });
  const changes: ChangeSet = { tasks: new Set(tasks.keys()), deletedTaskSeqs: [], workers: new Set(byId.keys()), meta: true };
  const started = performance.now();
  store.listener.onChange([], changes, source);
  store.close();
  return performance.now() - started;
}
