/**
 * The benchmarks' simulated workers: RPCs sent as Luigi's Python client sends
 * them, timed per method, and the get_work + DONE rounds that several phases
 * run. Shared by run.ts and rounds-driver.ts.
 * @module
 */
import { type BenchTask, doneArgs, percentile, scheduleArgs, workerId } from "./dag.ts";
import { SocketPool } from "./http-client.ts";

/**
 * How the simulated workers talk HTTP: "socket" (keep-alive connections with the
 * headers Python's requests sends, http-client.ts) or "fetch" (Bun's fetch, whose
 * own CPU cost on a 2-core machine competes with the server's).
 */
export type ClientKind = "socket" | "fetch";

export interface LatenciesJSON {
  byMethod: Record<string, number[]>;
  spans: number[];
}

/** Call latencies in ms, per method, and when each call started. */
export class Latencies {
  readonly byMethod = new Map<string, number[]>();
  /** Every call as a pair: its start (performance.now() of the process that sent it) and its latency. */
  readonly spans: number[] = [];
  calls = 0;

  record(method: string, ms: number, startedAt = Number.NaN): void {
    this.listOf(method).push(ms);
    this.spans.push(startedAt, ms);
    this.calls++;
  }

  /** Every call of another Latencies (one sent over from the rounds driver). */
  merge(other: LatenciesJSON): void {
    for (const [method, list] of Object.entries(other.byMethod)) {
      const own = this.listOf(method);
      for (const ms of list) own.push(ms);
      this.calls += list.length;
    }
    for (const x of other.spans) this.spans.push(x);
  }

  private listOf(method: string): number[] {
    let list = this.byMethod.get(method);
    if (!list) this.byMethod.set(method, (list = []));
    return list;
  }

  toJSON(): LatenciesJSON {
    return { byMethod: Object.fromEntries(this.byMethod), spans: this.spans };
  }

  print(): void {
    console.log("  method                 calls      p50 ms    p99 ms    max ms");
    for (const [method, list] of [...this.byMethod].sort()) {
      list.sort((a, b) => a - b);
      const row = [percentile(list, 50), percentile(list, 99), list.at(-1)!].map((x) => x.toFixed(2).padStart(9)).join(" ");
      console.log(`  ${method.padEnd(20)} ${String(list.length).padStart(7)} ${row}`);
    }
  }

  /**
   * The calls slower than `ms`, grouped into episodes: calls whose spans
   * overlap (or come within `gapMs` of each other) are one episode. Returns
   * how many calls each episode held up. A tail made of per-call cost gives
   * episodes of one call; one made of stalls (a collection, a thread that has
   * no core) gives episodes of about as many calls as were in flight.
   */
  slowEpisodes(ms: number, gapMs = 1): number[] {
    const slow: [number, number][] = [];
    for (let i = 0; i < this.spans.length; i += 2) {
      const start = this.spans[i]!;
      const latency = this.spans[i + 1]!;
      if (latency > ms && !Number.isNaN(start)) slow.push([start, start + latency]);
    }
    slow.sort((a, b) => a[0] - b[0]);
    const episodes: number[] = [];
    let end = Number.NEGATIVE_INFINITY;
    for (const [start, stop] of slow) {
      if (start <= end + gapMs) episodes[episodes.length - 1]!++;
      else episodes.push(1);
      end = Math.max(end, stop);
    }
    return episodes;
  }

  p99(method: string): number {
    const list = [...(this.byMethod.get(method) ?? [])].sort((a, b) => a - b);
    return percentile(list, 99);
  }
}

/** One connection pool per server, shared by the simulated workers as fetch's is. */
const pools = new Map<string, SocketPool>();

function poolFor(base: string): SocketPool {
  let pool = pools.get(base);
  if (!pool) {
    const url = new URL(base);
    pools.set(base, (pool = new SocketPool(url.hostname, Number(url.port))));
  }
  return pool;
}

export class Client {
  constructor(
    private readonly base: string,
    private readonly latencies: Latencies,
    private readonly kind: ClientKind,
  ) {}

  async call<T = unknown>(method: string, data: Record<string, unknown>): Promise<T> {
    const started = performance.now();
    const body = `data=${encodeURIComponent(JSON.stringify(data))}`;
    let status: number;
    let text: string;
    if (this.kind === "fetch") {
      const reply = await fetch(`${this.base}/api/${method}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
      });
      status = reply.status;
      text = await reply.text();
    } else ({ status, text } = await poolFor(this.base).post(`/api/${method}`, body));
    this.latencies.record(method, performance.now() - started, started);
    if (status !== 200) throw new Error(`${method} answered ${status}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { response: T }).response;
  }
}

export interface WorkReply {
  task_id: string | null;
  n_pending_tasks: number;
  running_tasks: unknown[];
}

/**
 * `workers` workers at once, each asking for work and reporting it DONE at
 * once, `perWorker` times (each round first adding `newTask`, when given);
 * returns the seconds it took. The latencies land in `latencies`.
 */
export async function workRounds(
  base: string,
  kind: ClientKind,
  latencies: Latencies,
  perWorker: number,
  workers: number,
  newTask?: (worker: number, round: number) => BenchTask,
): Promise<number> {
  const client = new Client(base, latencies, kind);
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async (_, i) => {
    const worker = workerId(i);
    for (let k = 0; k < perWorker; k++) {
      // A pipeline being scheduled meanwhile: each round first adds a task the server has not seen.
      if (newTask) await client.call("add_task", scheduleArgs(worker, newTask(i, k)));
      const reply = await client.call<WorkReply>("get_work", { worker, host: "bench", assistant: false, current_tasks: [] });
      if (reply.task_id) await client.call("add_task", doneArgs(worker, reply.task_id));
    }
  }));
  return (performance.now() - started) / 1000;
}
