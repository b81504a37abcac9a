/**
 * The pending scenario's 8-worker rounds, from a process of their own (run.ts
 * spawns it). Why: the simulated workers share one process, so any stop of
 * that process holds up all 8 calls in flight at once, which 8 real worker
 * processes never do. In run.ts's own process such stops came from the
 * benchmark's bookkeeping: its heap holds the 100k-task DAG and every phase's
 * latencies, so each of its young collections paused 2.6-6.6 ms, and its
 * allocator's purge thread (mi-scavenger) held the client up for ~2 ms at a
 * time. `perf sched` over one run's measured rounds traced about a third of
 * the slow calls to the client. This process holds nothing but the rounds,
 * and run.ts starts it with the allocator's purging off
 * (MIMALLOC_PURGE_DELAY=-1); the server is untouched.
 *
 *   bun scripts/bench/rounds-driver.ts BASE_URL WORKERS ROUNDS socket|fetch
 *
 * It adds WORKERS x ROUNDS new tasks, runs the rounds once as a warm-up and
 * reports them, then waits for a line on stdin ("go") so that run.ts can read
 * the server's counters first, runs them again measured and reports those.
 * Reports are JSON lines on stdout: `{ seconds, latencies }`.
 * @module
 */
import { Client, type ClientKind, Latencies, workRounds } from "./client.ts";
import { freshTask, scheduleArgs, workerId } from "./dag.ts";

const [base, workersText, roundsText, kind] = process.argv.slice(2);
if (!base || (kind !== "socket" && kind !== "fetch")) throw new Error("usage: rounds-driver.ts BASE_URL WORKERS ROUNDS socket|fetch");
const workers = Number(workersText);
const perWorker = Number(roundsText);
const client: ClientKind = kind;

function report(seconds: number, latencies: Latencies): void {
  console.log(JSON.stringify({ seconds, latencies }));
}

// New tasks first, as many as the rounds will finish, so the measured rounds start from the fill's pending count.
const adds = new Latencies();
await Promise.all(Array.from({ length: workers }, async (_, i) => {
  const c = new Client(base, adds, client);
  for (let k = 0; k < perWorker; k++) await c.call("add_task", scheduleArgs(workerId(i), freshTask(i, k, 2)));
}));

const warm = new Latencies();
report(await workRounds(base, client, warm, perWorker, workers), warm);

for await (const _ of console) break; // run.ts says go

const measured = new Latencies();
report(await workRounds(base, client, measured, perWorker, workers), measured);
process.exit(0);
