/**
 * A stand-in for the `Scheduler` object Luigi's own scheduler tests drive
 * (test/scheduler_api_test.py, test/scheduler_test.py): snake_case methods
 * taking the same keyword arguments, answered through our wire table and a
 * JSON round trip (as a client would see them), with a settable clock in
 * place of Luigi's patched `time.time`.
 * @module
 */
import { Engine } from "../../src/engine/engine.ts";
import type { EngineEvent } from "../../src/engine/events.ts";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../../src/engine/types.ts";
import { dispatch } from "../../src/rpc/table.ts";

export const WORKER = "myworker";

/** SchedulerApiTest.get_scheduler_config(). */
export const API_TEST_CONFIG: Partial<EngineConfig> = {
  retryDelay: 100,
  removeDelay: 1000,
  workerDisconnectDelay: 10,
  disablePersist: 10,
  disableWindow: 10,
  retryCount: 3,
  disableHardTimeout: 60 * 60,
  stableDoneCooldownSecs: 0,
};

/**
 * Luigi's tests run on the real clock until they call setTime, which freezes
 * it. So until then our clock starts far from 0 and moves 1 ms per call: tasks
 * added one after the other have increasing creation times, as in Luigi.
 */
const REAL_NOW = 1_800_000_000;
const REAL_TICK = 0.001;

type Kwargs = Record<string, unknown>;
/** A decoded reply, as loosely typed as the Python tests that read it: each test checks the fields it uses. */
export type Json = any;

export interface GetWorkReply {
  task_id: string | null;
  n_pending_tasks: number;
  n_unique_pending: number;
  n_pending_last_scheduled?: number;
  worker_state: string;
  running_tasks: Array<Record<string, unknown>>;
  task_family?: string;
  task_module?: string | null;
  task_params?: Record<string, unknown>;
  batch_id?: string;
  batch_task_ids?: string[];
}

export class Scheduler {
  readonly engine: Engine;
  private now = REAL_NOW;
  private frozen = false;
  private readonly events: EngineEvent[] = [];

  /** `Scheduler(**kwargs)`: Luigi's defaults plus the given settings. */
  constructor(config: Partial<EngineConfig> = {}) {
    this.engine = new Engine({ ...DEFAULT_ENGINE_CONFIG, ...config });
  }

  setTime(t: number): void {
    this.now = t;
    this.frozen = true;
  }

  /** One RPC by its wire name, the reply as a client decodes it. */
  call(method: string, kwargs: Kwargs = {}): Json {
    if (!this.frozen) this.now += REAL_TICK;
    const reply = dispatch(this.engine, method, kwargs, this.now);
    this.events.push(...this.engine.drainEvents());
    return reply === undefined ? null : JSON.parse(JSON.stringify(reply));
  }

  /** Every event the engine reported since the last call of this method. */
  takeEvents(): EngineEvent[] {
    return this.events.splice(0);
  }

  add_task(kwargs: Kwargs): null {
    return this.call("add_task", kwargs);
  }
  get_work(kwargs: Kwargs): GetWorkReply {
    return this.call("get_work", kwargs);
  }
  ping(kwargs: { worker: string }): Json {
    return this.call("ping", kwargs);
  }
  prune(): void {
    this.call("prune");
  }
  add_worker(worker: string, info: Kwargs | Array<[string, unknown]>): void {
    this.call("add_worker", { worker, info });
  }
  disable_worker(worker: string): void {
    this.call("disable_worker", { worker });
  }
  count_pending(worker: string): Json {
    return this.call("count_pending", { worker });
  }
  add_task_batcher(kwargs: Kwargs): void {
    this.call("add_task_batcher", kwargs);
  }
  /** `task_list(status, upstream_status, limit=True, search=None, max_shown_tasks=None)`. */
  task_list(status: string | null = "", upstream_status = "", extra: Kwargs = {}): Record<string, Json> {
    return this.call("task_list", { status, upstream_status, ...extra });
  }
  /** The ids `task_list(status, upstream)` returns, as a Set (what Luigi's tests compare). */
  ids(status: string | null = "", upstream_status = "", extra: Kwargs = {}): Set<string> {
    return new Set(Object.keys(this.task_list(status, upstream_status, extra)));
  }
  fetch_error(task_id: string): Json {
    return this.call("fetch_error", { task_id });
  }
  re_enable_task(task_id: string): Json {
    return this.call("re_enable_task", { task_id });
  }
  forgive_failures(task_id: string): Json {
    return this.call("forgive_failures", { task_id });
  }
  mark_as_done(task_id: string): Json {
    return this.call("mark_as_done", { task_id });
  }
  update_resources(resources: Record<string, number>): void {
    this.call("update_resources", resources);
  }
  update_resource(resource: string, amount: unknown): boolean {
    return this.call("update_resource", { resource, amount });
  }
  resource_list(): Json[] {
    return this.call("resource_list");
  }
  worker_list(): Json[] {
    return this.call("worker_list");
  }
  pause(): void {
    this.call("pause");
  }
  unpause(): void {
    this.call("unpause");
  }
  is_paused(): { paused: boolean } {
    return this.call("is_paused");
  }
}

/** SchedulerApiTest: a fresh scheduler with the test config. */
export function apiScheduler(): Scheduler {
  return new Scheduler(API_TEST_CONFIG);
}

/** check_task_order: the worker gets exactly these tasks, in order, finishing each, then nothing. */
export function taskOrder(sch: Scheduler, worker = WORKER): Array<string | null> {
  const order: Array<string | null> = [];
  for (let i = 0; i < 1000; i += 1) {
    const taskId = sch.get_work({ worker }).task_id;
    order.push(taskId);
    if (taskId === null) return order;
    sch.add_task({ worker, task_id: taskId, status: "DONE" });
  }
  throw new Error("taskOrder: more than 1000 tasks handed out");
}
