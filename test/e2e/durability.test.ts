/**
 * Durability of the compiled binary: nothing it acknowledged is lost when it
 * is killed (SIGKILL at random moments, with requests in flight) or stopped
 * (SIGTERM), and a file it must not use stops it from starting.
 *
 * The workload runs chains of add_task calls, one request at a time per chain
 * and several chains at once, so at any moment each task has at most one
 * request in flight. After a kill, a task must be in the state of its last
 * acknowledged request or of the one in flight, never older, never missing.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type RunningBinary, rpc, rpcRaw, runBinary, startBinary, tempDir } from "../support/index.ts";
import { seededRandom } from "../support/seeded.ts";

const CFG = "[resources]\nslots = 1\n";
const home = tempDir("luigid-durability-");
afterAll(() => home.remove());

function start(statePath: string, cwd: string): Promise<RunningBinary> {
  return startBinary({ args: ["--state-path", statePath], cwd, cfg: CFG });
}

type Tasks = Record<string, { status: string; worker_running: string | null; [key: string]: unknown }>;

/** Everything a user can see of the scheduler's state, through the API. */
async function snapshot(server: RunningBinary) {
  const tasks = await rpc<Tasks>(server.url, "task_list", { status: "", upstream_status: "", limit: false });
  const workers = await rpc<Array<{ name: string }>>(server.url, "worker_list", {});
  const resources = await rpc<Array<{ name: string; num_total: number }>>(server.url, "resource_list", {});
  const paused = (await rpc<{ paused: boolean }>(server.url, "is_paused", {})).paused;
  return { tasks, taskOrder: Object.keys(tasks), workers, resources, paused };
}

/** One sequence of requests whose effects are observable; `acked` and `inFlight` are the states they lead to. */
interface Chain<S> {
  acked: S | undefined;
  inFlight: S | undefined;
}

class Workload {
  stopped = false;
  readonly tasks = new Map<string, Chain<string>>();
  readonly workers = new Set<string>();
  readonly paused: Chain<boolean> = { acked: undefined, inFlight: undefined };
  readonly slots: Chain<number> = { acked: undefined, inFlight: undefined };
  private counter = 0;

  constructor(
    private readonly round: number,
    private readonly next: () => number,
  ) {}

  /** Sends one request; its effect counts as acknowledged only once a 200 came back. */
  private async send<S>(server: RunningBinary, chain: Chain<S>, effect: S, method: string, data: Record<string, unknown>): Promise<boolean> {
    if (this.stopped) return false;
    chain.inFlight = effect;
    try {
      const reply = await rpcRaw(server.url, method, data);
      if (reply.status !== 200) throw new Error(`${method} answered ${reply.status}: ${reply.text}`);
    } catch (error) {
      if (this.stopped) return false; // killed under it: stays in flight
      throw error;
    }
    chain.acked = effect;
    chain.inFlight = undefined;
    return true;
  }

  private async taskChain(server: RunningBinary, index: number): Promise<void> {
    while (!this.stopped) {
      const id = `R${this.round}_T${this.counter++}`;
      const worker = `worker-${index % 3}`;
      const chain: Chain<string> = { acked: undefined, inFlight: undefined };
      this.tasks.set(id, chain);
      const flaky = this.next() < 0.3;
      const steps = flaky ? ["PENDING", "RUNNING", "FAILED", "PENDING", "RUNNING", "DONE"] : ["PENDING", "RUNNING", "DONE"];
      for (const status of steps) {
        const data = { task_id: id, status, worker, family: "Step", params: { n: String(this.counter) }, deps: [], priority: index };
        if (!(await this.send(server, chain, status, "add_task", data))) return;
        this.workers.add(worker);
      }
    }
  }

  private async pauseChain(server: RunningBinary): Promise<void> {
    while (!this.stopped) {
      const pause = this.next() < 0.5;
      if (!(await this.send(server, this.paused, pause, pause ? "pause" : "unpause", {}))) return;
    }
  }

  private async resourceChain(server: RunningBinary): Promise<void> {
    while (!this.stopped) {
      const amount = 1 + Math.floor(this.next() * 50);
      if (!(await this.send(server, this.slots, amount, "update_resource", { resource: "slots", amount }))) return;
    }
  }

  /** Runs until stop() is called; resolves when every chain has settled. */
  run(server: RunningBinary, chains: number): Promise<void[]> {
    const all = [this.pauseChain(server), this.resourceChain(server)];
    for (let i = 0; i < chains; i++) all.push(this.taskChain(server, i));
    return Promise.all(all);
  }
}

/** What must hold after a kill: every acknowledged effect, or the effect of the one request in flight. */
function allowed<S>(chain: Chain<S>): S[] {
  return [chain.acked, chain.inFlight].filter((s): s is S => s !== undefined);
}

describe("SIGKILL at random moments", () => {
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 100_000);

  test(`every acknowledged change survives (seed ${seed})`, async () => {
    const next = seededRandom(seed);
    const cwd = home.join("kill");
    Bun.spawnSync(["mkdir", "-p", cwd]);
    const statePath = home.join("kill", "state.db");
    const workloads: Workload[] = [];
    let server = await start(statePath, cwd);
    let acknowledged = 0;

    for (let round = 0; round < 5; round++) {
      const workload = new Workload(round, next);
      workloads.push(workload);
      const running = workload.run(server, 6);
      await Bun.sleep(80 + Math.floor(next() * 400));
      workload.stopped = true;
      server.proc.kill("SIGKILL");
      await running;
      await server.exited;
      expect(server.proc.signalCode).toBe("SIGKILL");

      const started = performance.now();
      server = await start(statePath, cwd);
      const restartMs = performance.now() - started;
      const after = await snapshot(server);

      const lost: string[] = [];
      for (const w of workloads) {
        for (const [id, chain] of w.tasks) {
          if (chain.acked !== undefined) acknowledged++;
          const status = after.tasks[id]?.status;
          if (chain.acked === undefined && status === undefined) continue; // only ever in flight
          if (!allowed(chain).includes(status!)) lost.push(`${id}: ${status}, expected one of ${allowed(chain).join("/")}`);
        }
      }
      expect(lost).toEqual([]);
      const names = new Set(after.workers.map((w) => w.name));
      for (const w of workloads) for (const worker of w.workers) expect(names.has(worker)).toBe(true);
      // The pause flag and the capacity follow the newest workload (older ones were settled by earlier rounds).
      if (workload.paused.acked !== undefined) expect(allowed(workload.paused)).toContain(after.paused);
      const slots = after.resources.find((r) => r.name === "slots")?.num_total;
      if (workload.slots.acked !== undefined) expect(allowed(workload.slots)).toContain(slots!);
      // Settle the open questions so the next round starts from known states.
      for (const [id, chain] of workload.tasks) chain.acked = after.tasks[id]?.status ?? chain.acked;
      workload.paused.acked = after.paused;
      workload.slots.acked = slots;
      for (const w of workloads) for (const chain of w.tasks.values()) chain.inFlight = undefined;
      console.error(`round ${round}: ${workload.tasks.size} tasks touched, restart answered after ${restartMs.toFixed(0)} ms`);
    }
    expect(acknowledged).toBeGreaterThan(50);
    await server.stop("SIGKILL");
  }, 120_000);
});

describe("quiet moments: the state after a restart equals the state before", () => {
  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    test(`${signal}`, async () => {
      const cwd = home.join(signal);
      Bun.spawnSync(["mkdir", "-p", cwd]);
      const statePath = home.join(signal, "state.db");
      let server = await start(statePath, cwd);
      const workload = new Workload(0, seededRandom(7));
      const running = workload.run(server, 4);
      await Bun.sleep(300);
      workload.stopped = true;
      await running;
      await rpc(server.url, "update_resource", { resource: "slots", amount: 17 });
      await rpc(server.url, "pause", {});
      await rpc(server.url, "add_task_batcher", { worker: "worker-0", task_family: "Step", batched_args: ["n"], max_batch_size: 5 });
      // Lone surrogates, as Python's surrogateescape puts in undecodable file names.
      await rpc(server.url, "add_task", { worker: "worker-\udce9", task_id: "Load_\udce9t\u00e9.csv", family: "Load", deps: ["Raw_\udce9"] });
      const before = await snapshot(server);
      expect(before.tasks["Load_\udce9t\u00e9.csv"]).toBeDefined();
      expect(Object.keys(before.tasks).length).toBeGreaterThan(5);

      const code = await server.stop(signal);
      if (signal === "SIGTERM") {
        expect(code).toBe(0);
        // A clean stop checkpoints: the whole state is in the one file.
        expect(existsSync(`${statePath}-wal`)).toBe(false);
      }
      server = await start(statePath, cwd);
      const after = await snapshot(server);
      expect(after).toEqual(before);
      expect(after.taskOrder).toEqual(before.taskOrder);
      expect(after.paused).toBe(true);
      expect(after.resources.find((r) => r.name === "slots")?.num_total).toBe(17);
      await server.stop("SIGKILL");
    }, 60_000);
  }
});

test("a worker that keeps polling across a restart keeps its running task", async () => {
  const cwd = home.join("polling");
  Bun.spawnSync(["mkdir", "-p", cwd]);
  const statePath = home.join("polling", "state.db");
  let server = await start(statePath, cwd);
  const worker = "Worker(salt=123456789, workers=1, host=h, username=u, pid=1)";
  await rpc(server.url, "add_worker", { worker, info: { host: "h", workers: 1 } });
  await rpc(server.url, "add_task", { task_id: "Long__99914b932b", status: "PENDING", worker, family: "Long", runnable: true });
  const work = await rpc<{ task_id: string | null }>(server.url, "get_work", { worker, host: "h", current_tasks: [] });
  expect(work.task_id).toBe("Long__99914b932b");

  server.proc.kill("SIGKILL");
  await server.exited;
  server = await start(statePath, cwd);

  await rpc(server.url, "ping", { worker, current_tasks: ["Long__99914b932b"] });
  const again = await rpc<{ task_id: string | null; running_tasks: unknown[] }>(server.url, "get_work", {
    worker,
    host: "h",
    current_tasks: ["Long__99914b932b"],
  });
  expect(again.task_id).toBeNull();
  const running = await rpc<Tasks>(server.url, "task_list", { status: "RUNNING", upstream_status: "" });
  expect(running["Long__99914b932b"]?.worker_running).toBe(worker);
  // A second worker gets nothing: the task still has its owner.
  const other = await rpc<{ task_id: string | null }>(server.url, "get_work", { worker: "intruder", host: "x", current_tasks: [] });
  expect(other.task_id).toBeNull();
  await rpc(server.url, "add_task", { task_id: "Long__99914b932b", status: "DONE", worker, family: "Long" });
  const done = await rpc<Tasks>(server.url, "task_list", { status: "DONE", upstream_status: "" });
  expect(Object.keys(done)).toEqual(["Long__99914b932b"]);
  await server.stop("SIGKILL");
}, 30_000);

describe("files luigid must not use", () => {
  async function expectRefusal(statePath: string, message: RegExp) {
    const before = readFileSync(statePath);
    const result = await runBinary(["--state-path", statePath, "--port", "0"], { cfg: CFG });
    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n").filter((l) => l.trim() !== "");
    // The log has a few INFO lines; the reason is the one line the CLI prints, naming the file.
    const reasons = lines.filter((l) => l.startsWith("luigid:"));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain(statePath);
    expect(reasons[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m); // a reason, not a stack trace
    expect(readFileSync(statePath).equals(before)).toBe(true);
    expect(existsSync(`${statePath}-wal`)).toBe(false);
    expect(existsSync(`${statePath}-shm`)).toBe(false);
  }

  test("a Luigi pickle is refused and left as it was", async () => {
    const path = home.join("state.pickle");
    writeFileSync(path, Buffer.from([0x80, 0x04, 0x95, 0x20, 0, 0, 0, 0, 0, 0, 0, 0x8c, 0x03, 0x66, 0x6f, 0x6f, 0x94, 0x2e]));
    await expectRefusal(path, /Luigi pickle/);
  });

  /** A state file that a luigid in its own directory wrote with `tasks` and then shut down cleanly. */
  async function writtenStateFile(name: string, tasks: Array<Record<string, unknown>>): Promise<string> {
    const cwd = home.join(name);
    Bun.spawnSync(["mkdir", "-p", cwd]);
    const path = home.join(name, "state.db");
    const server = await start(path, cwd);
    for (const task of tasks) await rpc(server.url, "add_task", { worker: "w", ...task });
    expect(await server.stop("SIGTERM")).toBe(0);
    return path;
  }

  test("a corrupt state file is refused and left as it was", async () => {
    const path = await writtenStateFile("corrupt", Array.from({ length: 200 }, (_, i) => ({ task_id: `T${i}`, params: { pad: "x".repeat(200) } })));
    const bytes = readFileSync(path);
    for (let i = 4096; i < bytes.length; i += 4096) bytes.fill(0x5a, i + 100, i + 2000);
    writeFileSync(path, bytes);
    await expectRefusal(path, /is corrupt/);
  }, 30_000);

  test("a state file that holds a task twice is refused as corrupt and left as it was", async () => {
    const path = await writtenStateFile("twice", [{ task_id: "A" }]);
    // Nothing in the schema keeps a task id unique (rows are keyed by the engine's insertion number).
    const db = new Database(path);
    db.exec("INSERT INTO tasks (seq, id, doc) SELECT seq + 10, id, doc FROM tasks");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
    await expectRefusal(path, /is corrupt \(the restored state holds task "A" twice\)/);
  }, 30_000);

  test("a second luigid on the same state file is refused while the first runs on", async () => {
    const cwd = home.join("second");
    Bun.spawnSync(["mkdir", "-p", cwd]);
    const path = home.join("second", "state.db");
    const first = await start(path, cwd);
    await rpc(first.url, "add_task", { task_id: "kept", worker: "w" });
    const second = await runBinary(["--state-path", path, "--port", "0"], { cfg: CFG });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`state file ${path} is in use by another process`);
    const tasks = await rpc<Tasks>(first.url, "task_list", { status: "", upstream_status: "" });
    expect(Object.keys(tasks)).toEqual(["kept"]);
    await first.stop("SIGKILL");
  }, 30_000);
});
