/**
 * The scheduler benchmark (issue 3, point 6): drives the HTTP API of the
 * built binary the way Luigi's Python workers do (form-encoded `data=` POSTs
 * with every argument filled in) and prints throughput, per-method latency
 * and the server's memory.
 *
 *   bun scripts/bench/run.ts [--scenario all|machine|startup|schedule|pending|pending-brief|million]
 *                            [--binary dist/luigid] [--workers 8]
 *                            [--tasks 10000] [--pending 100000] [--known 1000000]
 *
 * Scenarios:
 * - machine:  the machine's speed by issue 3's yardstick: what a bare Bun
 *             server (bare-server.ts) answers per second to a fetch-based
 *             client, 8 and 32 calls in flight, and to this benchmark's client;
 * - startup:  spawn to the first answered ping, empty state (median of 5);
 * - schedule: W workers schedule and run a DAG of --tasks tasks (chains,
 *             fan-in, params, a `db` resource, priorities), from the first
 *             add_task until everything is DONE; RPC/s overall;
 * - pending:  --pending tasks added by W workers; RSS after 5 s idle; task_list
 *             of every PENDING task (10 calls); 2,000 warm-up rounds, then
 *             8,000 from one worker alone, each round a new task, get_work
 *             and a DONE report (the pending count stays put); then get_work
 *             + DONE rounds from the W workers at once: 8,000 new tasks and
 *             8,000 rounds as a warm-up of that mix (printed apart), then
 *             8,000 measured, with how their calls over 2 ms came (episodes
 *             of overlapping calls: stalls that held up every call in flight)
 *             and where each thread's CPU time went meanwhile (these from a
 *             process of their own: rounds-driver.ts);
 * - pending-brief: the pending scenario's fill, then 5 get_work + DONE rounds
 *             from one worker and 3 listings, each call timed: for a server
 *             too slow for the full scenario (Luigi's own luigid, through a
 *             wrapper script given as --binary);
 * - million:  a state file of --known tasks (all DONE but 30,000 ready ones)
 *             restored by the binary, then get_work p99 right after the
 *             restore, in steady state (the next 8,000 rounds), and while
 *             every round also adds a new task (the next 8,000).
 * The server listens on 127.0.0.1 only, with a temp state file, in a clean
 * environment that keeps only the runtime's tuning knobs (BUN_JSC_*, MIMALLOC_*;
 * support.ts serverEnv), so `BUN_JSC_useFTLJIT=false bun scripts/bench/run.ts`
 * measures the server with that option.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { freePort, serverEnv, startBareServer, statCpuSeconds, threadTimes, threadTimesLine, writeStateFile } from "./support.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Subprocess } from "bun";
import type { TaskRecord, WorkerRecord } from "../../src/engine/types.ts";
import { Client, type ClientKind, Latencies, type LatenciesJSON, type WorkReply, workRounds } from "./client.ts";
import { type BenchTask, buildDag, doneArgs, freshTask, freshTasks, hashedId, percentile, scheduleArgs, schedulingOrder, workerId } from "./dag.ts";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "all" },
    binary: { type: "string", default: join(import.meta.dir, "..", "..", "dist", "luigid") },
    workers: { type: "string", default: "8" },
    tasks: { type: "string", default: "10000" },
    pending: { type: "string", default: "100000" },
    known: { type: "string", default: "1000000" },
    /** How the simulated workers talk HTTP: "socket" or "fetch" (client.ts ClientKind). */
    client: { type: "string", default: "socket" },
    /** Where the server keeps its state: "file" (a temp SQLite file, the default) or "memory" (`:memory:`). */
    state: { type: "string", default: "file" },
  },
});
const W = Number(values.workers);
if (values.client !== "socket" && values.client !== "fetch") throw new Error(`--client is socket or fetch, not ${values.client}`);
const CLIENT: ClientKind = values.client;
/** max_shown_tasks above the pending scenario's 100,006 tasks, so that task_list lists them all (Luigi's default is 100,000). */
const CONFIG = "[resources]\ndb = 4\n\n[scheduler]\nmax_shown_tasks = 200000\n";

// ---- the server ----------------------------------------------------------------

interface Server {
  base: string;
  proc: Subprocess;
  startupMs: number;
  rssMb(): { rss: number; peak: number };
  /** CPU seconds (user + system) the server process, and its main thread, have used so far, from /proc. */
  cpuSeconds(): { total: number; main: number };
  stop(): Promise<void>;
}

/** CPU seconds of a whole process, and of its main thread (the one that runs JavaScript requests). */
function procCpuSeconds(pid: number): { total: number; main: number } {
  return { total: statCpuSeconds(`/proc/${pid}/stat`), main: statCpuSeconds(`/proc/${pid}/task/${pid}/stat`) };
}

/** This process's CPU seconds (user + system). */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Server and client CPU over a phase: which side (and which server thread) a throughput figure is bound by. */
function cpuLine(server: Server, calls: number, from: { server: { total: number; main: number }; client: number }, seconds: number): string {
  const now = server.cpuSeconds();
  const s = now.total - from.server.total;
  const m = now.main - from.server.main;
  const c = ownCpuSeconds() - from.client;
  const us = (x: number) => ((x / calls) * 1e6).toFixed(0);
  const share = (x: number) => `${((x / seconds) * 100).toFixed(0)}% of a core`;
  return `  CPU: server ${s.toFixed(2)} s (${us(s)} µs/RPC, ${share(s)}; main thread ${us(m)} µs/RPC, ${share(m)}), client ${c.toFixed(2)} s (${us(c)} µs/RPC, ${share(c)})`;
}


/** A private copy of the binary, so that teammates rebuilding dist/luigid do not disturb a run. */
function binaryCopy(dir: string): string {
  const path = join(dir, "luigid");
  copyFileSync(values.binary!, path);
  return path;
}

async function startServer(dir: string, statePath: string): Promise<Server> {
  writeFileSync(join(dir, "luigi.cfg"), CONFIG);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const binary = binaryCopy(dir);
  const state = values.state === "memory" && !statePath.endsWith("known.db") ? ":memory:" : statePath;
  const started = performance.now();
  const proc = Bun.spawn([binary, "--address", "127.0.0.1", "--port", String(port), "--state-path", state], {
    cwd: dir,
    env: serverEnv(dir, { TZ: "Etc/UTC" }),
    stdin: "ignore",
    stdout: "ignore",
    stderr: Bun.file(join(dir, "stderr.log")),
  });
  const body = `data=${encodeURIComponent(JSON.stringify({ worker: "probe" }))}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`luigid exited ${proc.exitCode}: ${readFileSync(join(dir, "stderr.log"), "utf8")}`);
    try {
      const reply = await fetch(`${base}/api/ping`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      if (reply.ok) break;
    } catch {}
    await Bun.sleep(1);
  }
  const startupMs = performance.now() - started;
  const rssMb = () => {
    const status = readFileSync(`/proc/${proc.pid}/status`, "utf8");
    const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] ?? 0);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  };
  const stop = async () => {
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
    await proc.exited;
    clearTimeout(timer);
  };
  return { base, proc, startupMs, rssMb, cpuSeconds: () => procCpuSeconds(proc.pid), stop };
}

// ---- a client that speaks like the Python worker ----------------------------

async function schedule(client: Client, worker: string, tasks: BenchTask[]): Promise<void> {
  for (const t of tasks) await client.call("add_task", scheduleArgs(worker, t));
  await client.call("add_worker", { worker, info: [["salt", "1"], ["workers", 1], ["host", "bench"], ["username", "bench"], ["pid", 1], ["first_task", tasks[0]?.id ?? ""]] });
}

/** The worker's main loop with one process: ask, run (instantly), report; stop when nothing is left for it. */
async function runUntilDone(client: Client, worker: string): Promise<number> {
  let ran = 0;
  for (;;) {
    const reply = await client.call<WorkReply>("get_work", { worker, host: "bench", assistant: false, current_tasks: [] });
    if (reply.task_id) {
      await client.call("add_task", doneArgs(worker, reply.task_id));
      ran++;
      continue;
    }
    if (reply.n_pending_tasks === 0 && reply.running_tasks.length === 0) return ran;
    await Bun.sleep(2);
  }
}

function pinger(client: Client, worker: string): () => void {
  const timer = setInterval(() => void client.call("ping", { worker }).catch(() => {}), 1000);
  return () => clearInterval(timer);
}

function byOwner(tasks: BenchTask[]): BenchTask[][] {
  const out: BenchTask[][] = Array.from({ length: W }, () => []);
  for (const t of schedulingOrder(tasks)) out[t.owner]!.push(t);
  return out;
}

/** 8,000 rounds (~2 s) a phase: long enough that one scheduling hiccup of the host does not decide the p99. */
const ROUNDS_PER_WORKER = 1000;

/** `workers` workers at once (W by default), get_work + DONE, `perWorker` rounds each: see client.ts workRounds. */
function rounds(base: string, latencies: Latencies, perWorker = ROUNDS_PER_WORKER, workers = W, newTask?: (worker: number, round: number) => BenchTask): Promise<number> {
  return workRounds(base, CLIENT, latencies, perWorker, workers, newTask);
}

/** Cumulative bucket counts of luigid_rpc_duration_seconds per method, as /metrics has them now. */
type Histograms = Map<string, Array<[number, number]>>;

/** What /metrics says now: the RPC histograms, and the state file's commits and WAL checkpoints. */
interface ServerSnapshot {
  histograms: Histograms;
  /** Absent when the server keeps no state file. */
  state?: { commits: number; checkpoints: number; lastCheckpointMs: number };
}

async function serverSnapshot(base: string): Promise<ServerSnapshot> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const histograms: Histograms = new Map();
  for (const line of text.split("\n")) {
    const m = line.match(/^luigid_rpc_duration_seconds_bucket\{([^}]*)\} (\S+)/);
    const method = m?.[1]!.match(/method="([^"]+)"/)?.[1];
    const le = m?.[1]!.match(/le="([^"]+)"/)?.[1];
    if (!m || method === undefined || le === undefined) continue;
    let buckets = histograms.get(method);
    if (!buckets) histograms.set(method, (buckets = []));
    buckets.push([le === "+Inf" ? Infinity : Number(le), Number(m[2])]);
  }
  const gauge = (name: string) => text.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1];
  const commits = gauge("luigid_state_commits");
  if (commits === undefined) return { histograms };
  const checkpoints = Number(gauge("luigid_state_checkpoints") ?? NaN);
  const lastCheckpointMs = Number(gauge("luigid_state_last_checkpoint_seconds") ?? NaN) * 1000;
  return { histograms, state: { commits: Number(commits), checkpoints, lastCheckpointMs } };
}

/**
 * Server-side time per method from the luigid_rpc_duration_seconds histogram
 * of /metrics (time inside the server, including the durable commit; the
 * client figures add the HTTP round trip and queueing behind other clients).
 * Percentiles are bucket upper bounds; with `since`, only the calls made since
 * that snapshot count, and the WAL checkpoints since then are counted (each one
 * stops the server's thread while it copies pages back into the file).
 */
async function printServerSide(base: string, methods: string[], since?: ServerSnapshot): Promise<void> {
  const { histograms, state } = await serverSnapshot(base);
  for (const method of methods) {
    const before = new Map(since?.histograms.get(method) ?? []);
    const buckets = (histograms.get(method) ?? []).map(([le, n]): [number, number] => [le, n - (before.get(le) ?? 0)]);
    if (buckets.length === 0) continue;
    buckets.sort((a, b) => a[0] - b[0]);
    const total = buckets.at(-1)![1];
    if (total === 0) continue;
    const at = (p: number) => buckets.find(([, n]) => n >= total * p)![0] * 1000;
    console.log(`  server-side ${method}: ${total} calls, p50 ≤ ${at(0.5)} ms, p99 ≤ ${at(0.99)} ms`);
  }
  if (!state) return;
  const checkpoints = since?.state ? `; ${state.checkpoints - since.state.checkpoints} WAL checkpoints in this phase` : `; ${state.checkpoints} WAL checkpoints`;
  const last = state.checkpoints > 0 ? `, the last one ${state.lastCheckpointMs.toFixed(1)} ms` : "";
  console.log(`  state file: ${state.commits} group commits since start${checkpoints}${last}`);
}

/**
 * How the calls over `ms` came: one at a time, or together in stalls that held
 * up every call in flight (the measured rounds keep W in flight).
 */
function printSlowEpisodes(latencies: Latencies, ms: number): void {
  const episodes = latencies.slowEpisodes(ms);
  const calls = episodes.reduce((sum, n) => sum + n, 0);
  if (calls === 0) return void console.log(`  no call over ${ms} ms`);
  const sizes = [...episodes].sort((a, b) => a - b);
  console.log(`  calls over ${ms} ms: ${calls}, in ${episodes.length} episodes of overlapping calls (median ${percentile(sizes, 50)} calls each, ${episodes.filter((n) => n >= W).length} holding up ${W} or more)`);
}

interface RoundsReport {
  seconds: number;
  latencies: Latencies;
}

/** rounds-driver.ts as a child process: its two reports in turn, the second once told to go. */
function startRoundsDriver(base: string): { pid: number; next(): Promise<RoundsReport>; go(): Promise<RoundsReport>; exited: Promise<number> } {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "rounds-driver.ts"), base, String(W), String(ROUNDS_PER_WORKER), CLIENT], {
    env: { ...process.env, MIMALLOC_PURGE_DELAY: "-1" },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const next = async (): Promise<RoundsReport> => {
    for (;;) {
      const newline = buffered.indexOf("\n");
      if (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const { seconds, latencies } = JSON.parse(line) as { seconds: number; latencies: LatenciesJSON };
        const merged = new Latencies();
        merged.merge(latencies);
        return { seconds, latencies: merged };
      }
      const { value, done } = await lines.read();
      if (done) throw new Error(`the rounds driver exited (${await child.exited}) before reporting`);
      buffered += value;
    }
  };
  const go = () => {
    child.stdin.write("go\n");
    child.stdin.flush();
    return next();
  };
  return { pid: child.pid, next, go, exited: child.exited };
}

// ---- scenarios ---------------------------------------------------------------

/** Calls per second that `inFlight` callers, each waiting for its reply, get from `base` over `seconds`, after a second of warm-up. */
async function closedLoop(base: string, kind: ClientKind, inFlight: number, seconds: number): Promise<number> {
  const client = new Client(base, new Latencies(), kind);
  const phase = async (ms: number): Promise<number> => {
    const until = performance.now() + ms;
    let calls = 0;
    const caller = async () => {
      while (performance.now() < until) {
        await client.call("ping", { worker: "yardstick" });
        calls++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: inFlight }, caller));
    return calls / ((performance.now() - started) / 1000);
  };
  await phase(1000);
  return await phase(seconds * 1000);
}

/**
 * How fast this machine is right now, by issue 3's own yardstick: a bare Bun
 * server answering a fetch-based client (about 35,000 RPC/s on the machine the
 * targets were set on). The VM this project runs on drifts by a third from one
 * hour to the next, so a run's figures read against this line.
 */
async function scenarioMachine(): Promise<void> {
  const { base, stop } = await startBareServer();
  const rate = async (kind: ClientKind, inFlight: number) => Math.round(await closedLoop(base, kind, inFlight, 3)).toLocaleString("en-US");
  const fetch8 = await rate("fetch", 8);
  const fetch32 = await rate("fetch", 32);
  const own = await rate(CLIENT, W);
  await stop();
  console.log(
    `\nmachine: a bare Bun server (bare-server.ts) answers ${fetch8} RPC/s to a fetch-based client with 8 calls in flight, ${fetch32} with 32, ` +
      `and ${own} to this benchmark's ${CLIENT} client with ${W} (issue 3's reference machine: about 35,000 to a fetch-based client)`,
  );
}

async function scenarioStartup(): Promise<void> {
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const dir = mkdtempSync(join(tmpdir(), "luigid-bench-"));
    const server = await startServer(dir, join(dir, "state.db"));
    times.push(server.startupMs);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  console.log(`startup (spawn to first answered ping, empty state): median ${percentile(times, 50).toFixed(1)} ms; runs ${times.map((t) => t.toFixed(1)).join(" ")}`);
}

async function scenarioSchedule(): Promise<void> {
  const n = Number(values.tasks);
  const dir = mkdtempSync(join(tmpdir(), "luigid-bench-"));
  const server = await startServer(dir, join(dir, "state.db"));
  const latencies = new Latencies();
  const client = new Client(server.base, latencies, CLIENT);
  const dag = buildDag(n, W);
  const owned = byOwner(dag);
  const cpu = { server: server.cpuSeconds(), client: ownCpuSeconds() };
  const started = performance.now();
  const stops = owned.map((_, i) => pinger(client, workerId(i)));
  const ran = await Promise.all(owned.map(async (tasks, i) => {
    await schedule(client, workerId(i), tasks);
    return await runUntilDone(client, workerId(i));
  }));
  const seconds = (performance.now() - started) / 1000;
  for (const stop of stops) stop();
  const total = ran.reduce((a, b) => a + b, 0);
  const { rss, peak } = server.rssMb();
  console.log(`\nschedule: ${dag.length} tasks, ${W} workers: all DONE in ${seconds.toFixed(2)} s; ${latencies.calls} RPCs = ${(latencies.calls / seconds).toFixed(0)} RPC/s; tasks run ${total}; server RSS ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)`);
  if (total !== dag.length) console.log(`  WARNING: ran ${total} of ${dag.length} tasks`);
  console.log(cpuLine(server, latencies.calls, cpu, seconds));
  latencies.print();
  await printServerSide(server.base, ["add_task", "get_work", "ping"]);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** The pending scenarios' start: --pending tasks added by the W workers, then 5 s idle; prints rate, CPU, latencies and RSS. */
async function fillPending(server: Server, label: string): Promise<BenchTask[]> {
  const fill = new Latencies();
  const dag = buildDag(Number(values.pending), W);
  const owned = byOwner(dag);
  const cpu = { server: server.cpuSeconds(), client: ownCpuSeconds() };
  const started = performance.now();
  await Promise.all(owned.map((tasks, i) => schedule(new Client(server.base, fill, CLIENT), workerId(i), tasks)));
  const fillSeconds = (performance.now() - started) / 1000;
  console.log(`\n${label}: ${dag.length} tasks added by ${W} workers in ${fillSeconds.toFixed(1)} s (${(fill.calls / fillSeconds).toFixed(0)} RPC/s); server RSS ${server.rssMb().rss.toFixed(0)} MB`);
  console.log(cpuLine(server, fill.calls, cpu, fillSeconds));
  fill.print();
  await Bun.sleep(5000);
  console.log(`  server RSS after 5 s idle: ${server.rssMb().rss.toFixed(0)} MB`);
  return dag;
}

/**
 * The pending scenario cut short, for a server too slow for thousands of
 * rounds at 100k tasks (Luigi's own luigid, given as --binary through a
 * wrapper script): the fill, then 5 get_work + DONE rounds from one worker and
 * 3 listings, each call timed.
 */
async function scenarioPendingBrief(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "luigid-bench-"));
  const server = await startServer(dir, join(dir, "state.db"));
  const dag = await fillPending(server, "pending-brief");
  const client = new Client(server.base, new Latencies(), CLIENT);
  const worker = workerId(0);
  const timed = async <T>(call: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const reply = await call();
    return [reply, performance.now() - started];
  };
  const gets: number[] = [];
  for (let round = 0; round < 5; round++) {
    const [reply, ms] = await timed(() => client.call<WorkReply>("get_work", { worker, host: "bench", assistant: false, current_tasks: [] }));
    gets.push(ms);
    if (reply.task_id) await client.call("add_task", doneArgs(worker, reply.task_id));
  }
  console.log(`  get_work at ${dag.length} pending, one worker, 5 rounds (each with a DONE report): ${gets.map((ms) => ms.toFixed(1)).join(" ")} ms`);
  const lists: number[] = [];
  let shown = 0;
  for (let run = 0; run < 3; run++) {
    const [reply, ms] = await timed(() => client.call<Record<string, unknown>>("task_list", { status: "PENDING", upstream_status: "", search: "" }));
    lists.push(ms);
    shown = Object.keys(reply).length;
  }
  const { rss, peak } = server.rssMb();
  console.log(`  task_list of every PENDING task (${shown} tasks), 3 calls, with JSON.parse: ${lists.map((ms) => ms.toFixed(0)).join(" ")} ms; server RSS ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)`);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function scenarioPending(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "luigid-bench-"));
  const server = await startServer(dir, join(dir, "state.db"));
  const dag = await fillPending(server, "pending");

  const list = new Latencies();
  const lister = new Client(server.base, list, CLIENT);
  let shown = 0;
  const each: number[] = [];
  for (let run = 0; run < 10; run++) {
    const t = performance.now();
    const reply = await lister.call<Record<string, unknown>>("task_list", { status: "PENDING", upstream_status: "", search: "" });
    each.push(performance.now() - t);
    shown = Object.keys(reply).length;
  }
  const { rss, peak } = server.rssMb();
  // The table's figures stop once the reply is received and decoded to text (as for every method);
  // these add the client's JSON.parse of the ~45 MB text.
  console.log(`  task_list of every PENDING task (${shown} tasks), 10 calls in a row, with JSON.parse: ${each.map((ms) => ms.toFixed(0)).join(" ")} ms`);
  list.print();
  console.log(`  server RSS ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)`);
  await printServerSide(server.base, ["task_list"]);
  // What the listings leave behind (cached pretty ids, the gzip thread) once their garbage is collected.
  await Bun.sleep(5000);
  console.log(`  server RSS 5 s after the listings: ${server.rssMb().rss.toFixed(0)} MB`);

  // Warm-up: the first get_work and DONE calls of a fresh server run while JSC compiles
  // their code (on a 2-core machine its compiler threads take a core for ~1 s) and
  // while the listings' garbage is swept. Printed, but the steady figures are the next phases.
  // Until the 8-worker rounds, each round also adds a task the server has not seen, so
  // the pending count stays where the fill left it and add_task covers both of its uses.
  const warm = new Latencies();
  const warmRounds = ROUNDS_PER_WORKER / 4;
  const warmSeconds = await rounds(server.base, warm, warmRounds, W, freshTasks(0));
  console.log(`  warm-up: ${W * warmRounds} rounds (new task, get_work, DONE report) in ${warmSeconds.toFixed(2)} s; get_work p99 ${warm.p99("get_work").toFixed(2)} ms, add_task p99 ${warm.p99("add_task").toFixed(2)} ms`);

  // One worker alone: a call's own latency at this size, without queueing behind 7 others.
  const alone = new Latencies();
  const aloneSeconds = await rounds(server.base, alone, W * ROUNDS_PER_WORKER, 1, freshTasks(1));
  console.log(`  1 worker alone (no queueing), ${W * ROUNDS_PER_WORKER} rounds of a new task, get_work and a DONE report at ${dag.length} pending, in ${aloneSeconds.toFixed(2)} s:`);
  alone.print();

  // The measured mix once first, unmeasured but printed: JSC keeps tiering code up as
  // calls come in a new mix, and in one run the first 8,000 of these rounds compiled
  // code for 200 ms (between calls 160 and 8,548 of 16,000) on the cores that client
  // and server share. A long-running server's p99 does not include that. New tasks go in
  // first, as many as the warm-up runs, so that the measured phase starts where the
  // fill left the pending count and right after calls of its own mix. Both run in a
  // process of their own (rounds-driver.ts says why).
  const driver = startRoundsDriver(server.base);
  const shapeWarm = await driver.next();
  console.log(`  warm-up of the next phase's mix (from the rounds driver): ${W * ROUNDS_PER_WORKER} new tasks, then ${W * ROUNDS_PER_WORKER} rounds (get_work, DONE report) in ${shapeWarm.seconds.toFixed(2)} s, get_work p99 ${shapeWarm.latencies.p99("get_work").toFixed(2)} ms`);

  const beforeRounds = await serverSnapshot(server.base);
  const threadsBefore = { server: threadTimes(server.proc.pid), client: threadTimes(driver.pid) };
  const { seconds, latencies: work } = await driver.go();
  const threadsAfter = { server: threadTimes(server.proc.pid), client: threadTimes(driver.pid) };
  console.log(`  ${W} workers at once, get_work + DONE report, ${W * ROUNDS_PER_WORKER} rounds from ${dag.length} pending down to ${Math.max(0, dag.length - W * ROUNDS_PER_WORKER)}, in ${seconds.toFixed(2)} s; server RSS ${server.rssMb().rss.toFixed(0)} MB`);
  work.print();
  printSlowEpisodes(work, 2);
  await printServerSide(server.base, ["add_task", "get_work"], beforeRounds);
  // Where the two cores went meanwhile (ms on a CPU / ms ready but waiting for one, per thread).
  console.log(threadTimesLine("  threads, server", threadsBefore.server, threadsAfter.server));
  console.log(threadTimesLine("  threads, rounds driver", threadsBefore.client, threadsAfter.client));
  await driver.exited;
  // Under load the figure above lands anywhere on the young generation's sawtooth; at rest it is what the tasks keep.
  await Bun.sleep(5000);
  console.log(`  server RSS 5 s after the rounds: ${server.rssMb().rss.toFixed(0)} MB`);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** A state file of `known` tasks: everything DONE except `ready` dependency-free PENDING tasks. */
function writeKnownState(path: string, known: number, ready: number): void {
  const now = Date.now() / 1000;
  const workers: WorkerRecord[] = Array.from({ length: W }, (_, i) => ({
    id: workerId(i), reference: { host: "bench" }, lastActive: now, lastGetWork: now, started: now - 3600,
    info: { workers: 1, host: "bench" }, disabled: false, rpcMessages: [],
  }));
  const emptySet = new Set<string>();
  const tasks = new Map<string, TaskRecord>();
  for (let i = 0; i < known; i++) {
    const pending = i >= known - ready;
    const owner = workers[i % W]!.id;
    const id = hashedId("Daily", i);
    tasks.set(id, {
      id, status: pending ? "PENDING" : "DONE", deps: emptySet, stakeholders: new Set([owner]), workers: new Set([owner]),
      time: now - 3600 + i / known, updated: now - 60, retry: null, remove: null, workerRunning: pending ? null : owner,
      timeRunning: pending ? null : now - 120, resourcesRunning: pending ? null : {}, expl: pending ? null : "null",
      priority: i % 7, resources: {}, family: "Daily", module: "bench.pipeline", params: { day: String(i) }, paramVisibilities: {},
      acceptsMessages: false, retryPolicy: { retryCount: 999999999, disableHardTimeout: 999999999, disableWindow: 3600 },
      failures: [], firstFailureTime: null, trackingUrl: null, statusMessage: null, progressPercentage: null,
      schedulerMessageResponses: {}, schedulerDisableTime: null, runnable: true, batchable: false, batchId: null, owners: [],
    });
  }
  writeStateFile(path, tasks, workers, { db: 4 });
}

/** The million scenario's phases of rounds, in order. */
const MILLION_PHASES = [
  { label: "right after the restore", newTasks: false },
  { label: "steady state, the next", newTasks: false },
  // Each round also schedules a new task, as workers starting a pipeline do: the task table grows.
  { label: "with a new task added in each round, the next", newTasks: true },
];

async function scenarioMillion(): Promise<void> {
  const known = Number(values.known);
  // Enough ready tasks for every phase, with a quarter to spare.
  const ready = Math.min(Math.ceil(MILLION_PHASES.length * W * ROUNDS_PER_WORKER * 1.25), known);
  const dir = mkdtempSync(join(tmpdir(), "luigid-bench-"));
  const statePath = join(dir, "known.db");
  let started = performance.now();
  writeKnownState(statePath, known, ready);
  console.log(`\nmillion: state file of ${known} tasks (${ready} ready) written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const server = await startServer(dir, statePath);
  console.log(`  restore + start to first answered ping: ${(server.startupMs / 1000).toFixed(2)} s`);
  // Right after the restore (JSC still compiling and sweeping the restore's garbage), then
  // steady state, when a long-running scheduler spends its life, then with new tasks arriving.
  for (const { label: phase, newTasks } of MILLION_PHASES) {
    const work = new Latencies();
    const beforeRounds = await serverSnapshot(server.base);
    const seconds = await rounds(server.base, work, ROUNDS_PER_WORKER, W, newTasks ? freshTask : undefined);
    const { rss, peak } = server.rssMb();
    console.log(`  get_work + DONE report, ${phase} ${W * ROUNDS_PER_WORKER} rounds, in ${seconds.toFixed(2)} s; server RSS ${rss.toFixed(0)} MB (peak ${peak.toFixed(0)} MB)`);
    work.print();
    await printServerSide(server.base, ["get_work", "add_task"], beforeRounds);
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const scenarios: Record<string, () => Promise<void>> = { machine: scenarioMachine, startup: scenarioStartup, schedule: scenarioSchedule, pending: scenarioPending, "pending-brief": scenarioPendingBrief, million: scenarioMillion };
// "all" leaves out pending-brief: the pending scenario measures the same and more.
const chosen = values.scenario === "all" ? Object.keys(scenarios).filter((name) => name !== "pending-brief") : values.scenario!.split(",");
console.log(`luigid benchmark: ${W} workers, ${values.client} client, binary ${values.binary}, ${navigator.hardwareConcurrency} CPUs`);
for (const name of chosen) {
  const run = scenarios[name];
  if (!run) throw new Error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(", ")}`);
  await run();
}
