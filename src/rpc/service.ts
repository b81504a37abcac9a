/**
 * The one path by which anything changes the scheduler: an RPC (or a UI
 * action, or the prune timer) runs synchronously against the engine, the
 * events and changes it produced go to every listener in order, and the caller
 * gets its answer only after the durable listeners have committed.
 *
 * Keeping the engine call synchronous is what makes each RPC atomic, as in
 * Luigi's single-threaded Tornado server (rpc.md §1.9): no await may sit between
 * reading and mutating scheduler state.
 * @module
 */
import type { Clock } from "../lib/clock.ts";
import type { Engine } from "../engine/engine.ts";
import type { ChangeSet, EngineEvent } from "../engine/events.ts";
import type { Seconds } from "../engine/types.ts";
import { dispatch } from "./table.ts";

export interface EngineListener {
  readonly name: string;
  /**
   * Called synchronously after every engine operation, in order, with what it
   * produced (both may be empty). Must not throw and must not block: queue I/O.
   */
  onChange(events: readonly EngineEvent[], changes: ChangeSet, engine: Engine): void;
  /** Resolves once everything handed to onChange so far is durable. Awaited before a reply leaves. */
  flush?(): Promise<void>;
  /** Shutdown: write out what is queued and release resources. */
  close?(): Promise<void> | void;
}

/** Called with the wall time an RPC took, for latency metrics. */
export type CallObserver = (method: string, seconds: number, ok: boolean) => void;

export class SchedulerService {
  private readonly listeners: EngineListener[] = [];
  private readonly observers: CallObserver[] = [];

  constructor(
    readonly engine: Engine,
    readonly clock: Clock,
  ) {}

  addListener(listener: EngineListener): void {
    this.listeners.push(listener);
  }

  observeCalls(observer: CallObserver): void {
    this.observers.push(observer);
  }

  /**
   * Runs one RPC by its wire name. Rejects with LuigidError for unknown methods
   * and bad arguments.
   *
   * Not an async function, and not through run()'s closure: this is every
   * RPC's path. As an async function (a generator body underneath) its
   * optimized code kept failing a type check where it resumed, was thrown away
   * and compiled again, over and over under load: 32-56 ms of the compiler
   * thread in the benchmark's measured 8-worker rounds, the largest compilation
   * left there. As a plain function it was not recompiled there at all.
   */
  call(method: string, args: Record<string, unknown>): Promise<unknown> {
    const started = performance.now();
    let result: unknown;
    try {
      result = dispatch(this.engine, method, args, this.clock.now());
    } catch (error) {
      this.publish();
      this.observe(method, started, false);
      return Promise.reject(error);
    }
    this.publish();
    return this.durable(0).then(
      () => {
        this.observe(method, started, true);
        return result;
      },
      (error: unknown) => {
        this.observe(method, started, false);
        throw error;
      },
    );
  }

  private observe(method: string, started: number, ok: boolean): void {
    const seconds = (performance.now() - started) / 1000;
    for (const observe of this.observers) observe(method, seconds, ok);
  }

  /** The durable listeners' flushes from the `from`-th listener on, one after another. */
  private durable(from: number): Promise<void> {
    for (let i = from; i < this.listeners.length; i++) {
      const listener = this.listeners[i]!;
      if (listener.flush) return listener.flush().then(() => this.durable(i + 1));
    }
    return Promise.resolve();
  }

  /**
   * Runs any synchronous engine operation and publishes what it changed.
   * Listeners are notified even when the operation throws halfway, so nothing
   * the engine did goes unrecorded.
   */
  run<T>(operation: (engine: Engine, now: Seconds) => T): T {
    try {
      return operation(this.engine, this.clock.now());
    } finally {
      this.publish();
    }
  }

  /** The periodic prune (Luigi: every 60 s). */
  async prune(): Promise<void> {
    this.run((engine, now) => engine.prune(now));
    await this.flush();
  }

  /** Resolves when every durable listener has committed what it was given. */
  flush(): Promise<void> {
    return this.durable(0);
  }

  async close(): Promise<void> {
    this.publish();
    for (const listener of this.listeners) {
      try {
        await listener.close?.();
      } catch (error) {
        console.error(`error closing ${listener.name}:`, error);
      }
    }
  }

  private publish(): void {
    const events = this.engine.drainEvents();
    const changes = this.engine.drainChanges();
    for (const listener of this.listeners) {
      try {
        listener.onChange(events, changes, this.engine);
      } catch (error) {
        console.error(`listener ${listener.name} failed:`, error);
      }
    }
  }
}
