/**
 * The real engine, driven through the RPC service with random call sequences
 * (fast-check): after every call, what the state file holds equals what the
 * engine holds. This checks both halves of the contract at once: the engine
 * reports every id it changed (ChangeSet), and the store writes, deletes and
 * restores them faithfully, in order.
 */
import { afterEach, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../../../src/engine/engine.ts";
import type { EngineState } from "../../../src/engine/types.ts";
import { DEFAULT_ENGINE_CONFIG } from "../../../src/engine/types.ts";
import { FakeClock } from "../../../src/lib/clock.ts";
import type { EngineListener } from "../../../src/rpc/service.ts";
import { SchedulerService } from "../../../src/rpc/service.ts";
import { openStateStore, type StateStore } from "../../../src/store/state/store.ts";
import { memoryLog, plainState } from "./fake-source.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const TASKS = ["A", "B", "C", "D", "E"];
const WORKERS = ["w0", "w1", "w2"];
const CONFIG_RESOURCES = { db: 2 };

const task = fc.constantFrom(...TASKS);
const worker = fc.constantFrom(...WORKERS);

/** One RPC (wire name and arguments), or a jump of the clock. */
type Step = { method: string; args: Record<string, unknown> } | { advance: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      method: fc.constant("add_task"),
      args: fc.record({
        task_id: task,
        worker,
        status: fc.constantFrom("PENDING", "PENDING", "RUNNING", "DONE", "FAILED", "DISABLED", "UNKNOWN"),
        deps: fc.option(fc.subarray(TASKS, { maxLength: 2 }), { nil: null }),
        priority: fc.constantFrom(0, 5, Infinity),
        resources: fc.option(fc.constant({ db: 1 }), { nil: null }),
        family: fc.constant("F"),
        params: fc.constantFrom({ p: "1" }, { p: "2", $n: "tag-like" }),
        batchable: fc.boolean(),
        retry_policy_dict: fc.option(fc.constant({ retry_count: 2 }), { nil: null }),
        tracking_url: fc.option(fc.constant("http://t/1"), { nil: null }),
        expl: fc.option(fc.constant('"boom"'), { nil: null }),
        owners: fc.constant(["o@example.com"]),
        assistant: fc.boolean(),
      }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ method: fc.constant("get_work"), args: fc.record({ worker, host: fc.constant("h"), current_tasks: fc.constant([]) }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("ping"), args: fc.record({ worker }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("add_worker"), args: fc.record({ worker, info: fc.constant({ host: "h", workers: 2, $odd: Infinity }) }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("disable_worker"), args: fc.record({ worker }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("set_worker_processes"), args: fc.record({ worker, n: fc.integer({ min: 1, max: 4 }) }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constant("add_task_batcher"),
      args: fc.record({ worker, task_family: fc.constant("F"), batched_args: fc.constant(["p"]), max_batch_size: fc.constantFrom(3, Infinity) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("set_task_status_message"), args: fc.record({ task_id: task, status_message: fc.string({ maxLength: 5 }) }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("set_task_progress_percentage"), args: fc.record({ task_id: task, progress_percentage: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.string(), fc.constant(null), fc.dictionary(fc.string(), fc.double())) }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("decrease_running_task_resources"), args: fc.record({ task_id: task, decrease_resources: fc.constant({ db: 1 }) }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("send_scheduler_message"), args: fc.record({ worker, task, content: fc.constant("hello") }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ method: fc.constant("add_scheduler_message_response"), args: fc.record({ task_id: task, message_id: fc.constant("m1"), response: fc.constant({ ok: NaN }) }) }),
  },
  { weight: 1, arbitrary: fc.record({ method: fc.constantFrom("re_enable_task", "forgive_failures", "mark_as_done"), args: fc.record({ task_id: task }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constantFrom("pause", "unpause", "prune"), args: fc.constant({}) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("update_resource"), args: fc.record({ resource: fc.constantFrom("db", "gpu"), amount: fc.integer({ min: 0, max: 5 }) }) }) },
  { weight: 1, arbitrary: fc.record({ method: fc.constant("update_resources"), args: fc.record({ slots: fc.integer({ min: 1, max: 3 }) }) }) },
  { weight: 2, arbitrary: fc.record({ advance: fc.constantFrom(1, 30, 400, 1000) }) },
);

/** Reopens the file after each step; the service keeps one listener that follows the current store. */
class Reopening {
  store: StateStore;
  readonly listener: EngineListener = {
    name: "state",
    onChange: (events, changes, engine) => this.store.listener.onChange(events, changes, engine),
    flush: () => this.store.listener.flush(),
  };

  constructor(private readonly path: string) {
    this.store = openStateStore(path, { log: memoryLog(), configResources: CONFIG_RESOURCES });
  }

  /** Closes the file and reads it back as a restarted luigid would. */
  restart(): EngineState {
    this.store.close();
    this.store = openStateStore(this.path, { log: memoryLog(), configResources: CONFIG_RESOURCES });
    return this.store.restored!;
  }
}

test("after every RPC, the state file holds exactly what the engine holds", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const dir = mkdtempSync(join(tmpdir(), "luigid-roundtrip-"));
      dirs.push(dir);
      const clock = new FakeClock();
      const engine = new Engine({ ...DEFAULT_ENGINE_CONFIG, resources: { ...CONFIG_RESOURCES } });
      const service = new SchedulerService(engine, clock);
      const files = new Reopening(join(dir, "state.db"));
      service.addListener(files.listener);
      try {
        for (const s of steps) {
          if ("advance" in s) {
            clock.advance(s.advance);
            continue;
          }
          await service.call(s.method, s.args).catch(() => undefined); // refused calls must not leave half-written state either
          const stored = files.restart();
          const live = engine.exportState();
          expect(stored.tasks.map((t) => t.id)).toEqual(live.tasks.map((t) => t.id));
          expect(stored.workers.map((w) => w.id)).toEqual(live.workers.map((w) => w.id));
          expect(plainState(stored)).toEqual(live);
        }
      } finally {
        files.store.close();
      }
    }),
    { numRuns: 60 },
  );
}, 60_000);

test("a restored engine carries on exactly like the one that wrote the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "luigid-roundtrip-"));
  dirs.push(dir);
  const path = join(dir, "state.db");
  const clock = new FakeClock();
  const config = { ...DEFAULT_ENGINE_CONFIG, resources: { ...CONFIG_RESOURCES } };
  const first = new Engine(config);
  const service = new SchedulerService(first, clock);
  const store = openStateStore(path, { log: memoryLog(), configResources: CONFIG_RESOURCES });
  service.addListener(store.listener);
  for (const id of ["A", "B", "C"]) await service.call("add_task", { task_id: id, worker: "w0", status: "PENDING", deps: id === "C" ? ["A", "B"] : [], priority: id === "B" ? 9 : 0 });
  const work = (await service.call("get_work", { worker: "w0", host: "h", current_tasks: [] })) as { task_id: string };
  expect(work.task_id).toBe("B");
  await service.call("add_task", { task_id: "B", worker: "w0", status: "FAILED", expl: '"boom"' });
  store.close();

  const second = new Engine(config);
  const again = openStateStore(path, { log: memoryLog(), configResources: CONFIG_RESOURCES });
  second.loadState(again.restored!);
  const resumed = new SchedulerService(second, clock);
  resumed.addListener(again.listener);
  // The failed B waits for its retry; A is next, and C still waits for both.
  expect(((await resumed.call("get_work", { worker: "w0", host: "h", current_tasks: [] })) as { task_id: string }).task_id).toBe("A");
  clock.advance(DEFAULT_ENGINE_CONFIG.retryDelay + 1);
  await resumed.call("prune", {});
  expect(second.getTask("B")?.status).toBe("PENDING");
  expect(second.getTask("B")?.failures).toHaveLength(1);
  again.close();
});
