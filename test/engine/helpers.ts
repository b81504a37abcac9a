/**
 * Builders for engine tests: arguments with the defaults the Python client
 * fills in (rpc.md §1.3), and an engine wrapper that carries a fake time.
 */
import type * as A from "../../src/engine/args.ts";
import { Engine } from "../../src/engine/engine.ts";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../../src/engine/types.ts";

export const T0 = 1_800_000_000;

export function addTaskArgs(taskId: string, worker: string, over: Partial<A.AddTaskArgs> = {}): A.AddTaskArgs {
  return {
    taskId,
    worker,
    status: "PENDING",
    runnable: true,
    deps: null,
    newDeps: null,
    expl: null,
    resources: null,
    priority: 0,
    family: "",
    module: null,
    params: null,
    paramVisibilities: null,
    acceptsMessages: false,
    assistant: false,
    trackingUrl: null,
    batchable: null,
    batchId: null,
    retryPolicyDict: null,
    owners: null,
    ...over,
  };
}

/** An engine plus a clock that moves only when told to. */
export class Sched {
  readonly engine: Engine;
  now = T0;
  private ids = 0;

  /**
   * Luigi's own tests run on the wall clock, so each call sees a slightly
   * later time and creation order decides ties; `tick` mimics that.
   */
  constructor(config: Partial<EngineConfig> = {}, readonly tick = 0.001) {
    this.engine = new Engine({ ...DEFAULT_ENGINE_CONFIG, ...config }, { newMessageId: () => `m${++this.ids}` });
  }

  advance(seconds: number): this {
    this.now += seconds;
    return this;
  }

  add(taskId: string, worker: string, over: Partial<A.AddTaskArgs> = {}): this {
    this.now += this.tick;
    this.engine.addTask(addTaskArgs(taskId, worker, over), this.now);
    return this;
  }

  /** The task id handed out (or null). */
  work(worker: string, over: Partial<A.GetWorkArgs> = {}): string | null {
    const reply = this.getWork(worker, over);
    return reply.handout?.kind === "task" ? reply.handout.taskId : null;
  }

  getWork(worker: string, over: Partial<A.GetWorkArgs> = {}): A.GetWorkResult {
    this.now += this.tick;
    return this.engine.getWork({ worker, host: "host", assistant: false, currentTasks: [], ...over }, this.now);
  }

  done(taskId: string, worker: string, over: Partial<A.AddTaskArgs> = {}): this {
    return this.add(taskId, worker, { status: "DONE", runnable: false, expl: "null", newDeps: [], ...over });
  }

  fail(taskId: string, worker: string, over: Partial<A.AddTaskArgs> = {}): this {
    return this.add(taskId, worker, { status: "FAILED", runnable: false, expl: '"boom"', newDeps: [], ...over });
  }

  status(taskId: string): string | undefined {
    return this.engine.getTask(taskId)?.status;
  }

  prune(): this {
    this.engine.prune(this.now);
    return this;
  }

  addWorker(worker: string, info: Record<string, unknown>): this {
    this.engine.addWorker({ worker, info }, this.now);
    return this;
  }

  resources(resources: Record<string, number>): this {
    this.engine.updateResources({ resources }, this.now);
    return this;
  }

  batcher(worker: string, family: string, batchedArgs: string[], maxBatchSize = Infinity): this {
    this.engine.addTaskBatcher({ worker, taskFamily: family, batchedArgs, maxBatchSize }, this.now);
    return this;
  }

  /** Luigi's check_task_order: each id in turn is handed out and reported DONE, then nothing. */
  order(worker: string): string[] {
    const out: string[] = [];
    for (let id = this.work(worker, { currentTasks: null }); id !== null; id = this.work(worker, { currentTasks: null })) {
      out.push(id);
      this.add(id, worker, { status: "DONE" });
      if (out.length > 1000) throw new Error("runaway order");
    }
    return out;
  }

  running(): string[] {
    return [...this.engine.tasksByStatus("RUNNING")].map((t) => t.id);
  }

  ping(worker: string): this {
    this.engine.ping({ worker }, this.now);
    return this;
  }
}
