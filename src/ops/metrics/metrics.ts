/**
 * Everything /metrics shows: Luigi's collector when configured, and always the
 * scheduler's own health (task and worker counts read from the engine at
 * scrape time, RPC latencies, gauges that persistence and history feed).
 * @module
 */
import type { Config } from "../../config/types.ts";
import type { ChangeSet, EngineEvent } from "../../engine/events.ts";
import type { WorkerRecord } from "../../engine/types.ts";
import type { Logger } from "../../lib/log.ts";
import type { CallObserver, EngineListener } from "../../rpc/service.ts";
import { LuigiCollector } from "./luigi-collector.ts";
import { type Counter, type Histogram, Registry, isValidMetricName } from "./registry.ts";

/** Content type of the classic text exposition, as Luigi's collector sends it. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The read-only slice of the Engine that metrics need (the Engine satisfies it); every member is O(1) or O(statuses). */
export interface EngineView {
  statusCounts(): Record<string, number>;
  /** PENDING tasks whose dependencies are all DONE: the ready-queue depth. */
  schedulableCount(): number;
  workers(): Iterable<Readonly<WorkerRecord>>;
  resourceCapacities(): Readonly<Record<string, number>>;
  resourcesInUse(): Record<string, number>;
  isPaused(): boolean;
}

/**
 * Latency buckets in seconds: most RPCs take well under a millisecond, the
 * client gives up at 10 s; 2 ms and 5 ms are the add_task and get_work p99
 * targets at 100k pending tasks (README), so the histogram can say whether they hold.
 */
const RPC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Per-method labels: 39 RPC names plus room; garbage method names fold into `__other__`. */
const METHOD_LABEL_CAP = 64;

export class MetricsError extends Error {}

/** Validates `metrics_collector`: only the collectors we implement start. */
function checkCollector(config: Config): void {
  const which = config.metricsCollector;
  if (which === "datadog" || which === "custom") {
    throw new MetricsError(
      `[scheduler] metrics_collector = ${which} is not supported by luigid; use "prometheus" (scrape /metrics) or "none"`,
    );
  }
}

function count<T>(items: Iterable<T>): number {
  let n = 0;
  for (const _ of items) n++;
  return n;
}

export class Metrics {
  readonly registry: Registry;
  private readonly luigi: LuigiCollector | null;
  private readonly rpcDuration: Histogram;
  private readonly rpcErrors: Counter;
  private readonly events: Counter;
  private engine: EngineView | null = null;

  constructor(config: Config, now: () => number = () => Date.now() / 1000, log?: Logger) {
    checkCollector(config);
    this.registry = new Registry(now, log ? (name, error) => log.error(`metric ${name}: collect failed`, error) : undefined);
    this.luigi = config.metricsCollector === "prometheus" ? new LuigiCollector(this.registry, config.prometheus) : null;
    const r = this.registry;

    r.callbackGauge({ name: "luigid_tasks", help: "tasks known to the scheduler, by status", labelNames: ["status"], labelCap: 32 }, () =>
      Object.entries(this.engine?.statusCounts() ?? {}).map(([status, n]) => [[status], n] as [string[], number]),
    );
    r.callbackGauge({ name: "luigid_pending_tasks", help: "tasks in status PENDING" }, () => this.engine?.statusCounts().PENDING ?? 0);
    r.callbackGauge(
      { name: "luigid_runnable_tasks", help: "PENDING tasks whose dependencies are all DONE (the ready queue)" },
      () => this.engine?.schedulableCount() ?? 0,
    );
    r.callbackGauge({ name: "luigid_workers", help: "workers the scheduler considers alive" }, () =>
      this.engine ? count(this.engine.workers()) : 0,
    );
    r.callbackGauge({ name: "luigid_paused", help: "1 when the scheduler is paused" }, () => (this.engine?.isPaused() ? 1 : 0));
    r.callbackGauge({ name: "luigid_resource_capacity", help: "capacity of each resource", labelNames: ["resource"] }, () =>
      Object.entries(this.engine?.resourceCapacities() ?? {}).map(([name, n]) => [[name], n] as [string[], number]),
    );
    r.callbackGauge({ name: "luigid_resource_in_use", help: "units of each resource held by running tasks", labelNames: ["resource"] }, () =>
      Object.entries(this.engine?.resourcesInUse() ?? {}).map(([name, n]) => [[name], n] as [string[], number]),
    );
    this.rpcDuration = r.histogram({
      name: "luigid_rpc_duration_seconds",
      help: "time to answer an RPC, including the wait for durable listeners",
      labelNames: ["method"],
      labelCap: METHOD_LABEL_CAP,
      buckets: RPC_BUCKETS,
    });
    this.rpcErrors = r.counter({ name: "luigid_rpc_errors_total", help: "RPCs that ended in an error", labelNames: ["method"], labelCap: METHOD_LABEL_CAP });
    this.events = r.counter({ name: "luigid_engine_events_total", help: "events the engine reported, by type", labelNames: ["type"], labelCap: 32 });
    const started = now();
    r.callbackGauge({ name: "luigid_process_start_time_seconds", help: "start time of the process since the epoch" }, () => started);
    r.callbackGauge({ name: "luigid_process_resident_memory_bytes", help: "resident memory of the process" }, () => process.memoryUsage.rss());
  }

  /** Binds the engine read at scrape time. */
  bindEngine(engine: EngineView): void {
    this.engine = engine;
  }

  /**
   * For other parts of luigid (persistence flush lag, history queue depth):
   * a gauge read at every scrape. Names must start with `luigid_`.
   */
  registerGauge(name: string, help: string, read: () => number): void {
    if (!name.startsWith("luigid_") || !isValidMetricName(name)) throw new Error(`gauge name must be a valid metric name starting with luigid_: ${name}`);
    this.registry.callbackGauge({ name, help }, read);
  }

  readonly observeCall: CallObserver = (method, seconds, ok) => {
    this.rpcDuration.observeOne(method, seconds);
    if (!ok) this.rpcErrors.incOne(method);
  };

  readonly listener: EngineListener = {
    name: "metrics",
    onChange: (events: readonly EngineEvent[], _changes: ChangeSet) => {
      for (const event of events) {
        this.events.incOne(event.type);
        this.luigi?.handle(event);
      }
    },
  };

  render(): string {
    return this.registry.render();
  }
}

/** Called by startServer: throws a clear startup error for collectors we do not support. */
export function createMetrics(config: Config, now?: () => number, log?: Logger): Metrics {
  return new Metrics(config, now, log);
}
