import { describe, expect, test } from "bun:test";
import type { EngineEvent, TaskFacts } from "../../src/engine/events.ts";
import type { WorkerRecord } from "../../src/engine/types.ts";
import { type EngineView, createMetrics } from "../../src/ops/metrics/metrics.ts";
import { OVERFLOW_LABEL, Registry, formatValue } from "../../src/ops/metrics/registry.ts";
import { testConfig } from "../support/app.ts";
import { scrape } from "./prometheus-text.ts";

function facts(over: Partial<TaskFacts> = {}): TaskFacts {
  return {
    id: "A_1",
    family: "A",
    params: {},
    paramVisibilities: {},
    status: "PENDING",
    time: 100,
    updated: 100,
    timeRunning: null,
    workerRunning: null,
    priority: 0,
    resources: {},
    ...over,
  };
}

const changes = { tasks: new Set<string>(), deletedTaskSeqs: [], workers: new Set<string>(), meta: false };

function fakeEngine(counts: Record<string, number>, schedulable: number, workers: number): EngineView {
  return {
    statusCounts: () => counts,
    schedulableCount: () => schedulable,
    workers: () => Array.from({ length: workers }, (_, i) => ({ id: `w${i}` }) as WorkerRecord),
    resourceCapacities: () => ({ db: 3 }),
    resourcesInUse: () => ({ db: 2 }),
    isPaused: () => true,
  };
}

describe("Luigi's prometheus collector", () => {
  test("counts started/failed/disabled/done with family labels and execution time", () => {
    const metrics = createMetrics(testConfig({ metricsCollector: "prometheus" }), () => 1000);
    const events: EngineEvent[] = [
      { type: "task_started", at: 1, task: facts({ family: "B" }) },
      { type: "task_started", at: 1, task: facts({ family: "A" }) },
      { type: "status_changed", at: 5, task: facts({ family: "A", updated: 150, timeRunning: 110 }), from: "RUNNING", to: "DONE" },
      { type: "status_changed", at: 5, task: facts({ family: "B", updated: 170, timeRunning: 160 }), from: "RUNNING", to: "FAILED" },
      { type: "status_changed", at: 5, task: facts({ family: "B", updated: 180, timeRunning: null }), from: "FAILED", to: "DISABLED" },
      { type: "status_changed", at: 5, task: facts({ family: "C" }), from: "PENDING", to: "DONE" },
      { type: "status_changed", at: 5, task: facts({ family: "C" }), from: "DONE", to: "DONE" },
    ];
    metrics.listener.onChange(events, changes, fakeEngine({}, 0, 0) as never);
    const text = metrics.render();
    const values = scrape(text);
    expect(values.get('luigi_task_started_total{family="B"}')).toBe(1);
    expect(values.get('luigi_task_started_total{family="A"}')).toBe(1);
    expect(values.get('luigi_task_started_created{family="A"}')).toBe(1000);
    expect(values.get('luigi_task_done_total{family="A"}')).toBe(1);
    expect(values.get('luigi_task_done_total{family="C"}')).toBe(1); // DONE -> DONE fires nothing
    expect(values.get('luigi_task_failed_total{family="B"}')).toBe(1);
    expect(values.get('luigi_task_disabled_total{family="B"}')).toBe(1);
    expect(values.get('luigi_task_execution_time_seconds{family="A"}')).toBe(40);
    // Disabled with time_running unknown keeps the earlier value instead of crashing.
    expect(values.get('luigi_task_execution_time_seconds{family="B"}')).toBe(10);
    // Families in Luigi's order, with HELP/TYPE even when empty; started series in creation order.
    const order = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(order.slice(0, 9)).toEqual([
      "luigi_task_started_total", "luigi_task_started_created", "luigi_task_failed_total", "luigi_task_failed_created",
      "luigi_task_disabled_total", "luigi_task_disabled_created", "luigi_task_done_total", "luigi_task_done_created",
      "luigi_task_execution_time_seconds",
    ]);
    expect(text).toContain("# HELP luigi_task_started_total number of started luigi tasks\n");
    // As prometheus_client prints them: float values, Go-style exponents, no _created header without series.
    expect(text).toContain('luigi_task_started_total{family="B"} 1.0\n');
    expect(text).toContain('luigi_task_started_created{family="B"} 1000.0\n');
    expect(text).not.toContain("# TYPE luigi_task_done_created gauge\n# HELP luigi_task_execution");
    expect(text.indexOf('luigi_task_started_total{family="B"}')).toBeLessThan(text.indexOf('luigi_task_started_total{family="A"}'));
  });

  test("parameter labels come first, missing parameters are the string None, values are escaped", () => {
    const metrics = createMetrics(testConfig({ metricsCollector: "prometheus", prometheus: { taskParametersToUseInLabels: ["date", "x"] } }));
    metrics.listener.onChange([{ type: "task_started", at: 1, task: facts({ params: { date: 'a"b\\c\nd' } }) }], changes, {} as never);
    expect(metrics.render()).toContain('luigi_task_started_total{date="a\\"b\\\\c\\nd",family="A",x="None"} 1.0\n');
  });

  test("no label at all, bad label names and unsupported collectors fail at startup", () => {
    expect(() => createMetrics(testConfig({ metricsCollector: "prometheus", prometheus: { useTaskFamilyInLabels: false } }))).toThrow(
      "Prometheus labels cannot be empty",
    );
    expect(() => createMetrics(testConfig({ metricsCollector: "prometheus", prometheus: { taskParametersToUseInLabels: ["a-b"] } }))).toThrow(
      "not a valid Prometheus label name",
    );
    expect(() => createMetrics(testConfig({ metricsCollector: "datadog" }))).toThrow("metrics_collector = datadog is not supported");
    expect(() => createMetrics(testConfig({ metricsCollector: "custom" }))).toThrow("metrics_collector = custom is not supported");
  });

  test("without the prometheus collector there are no luigi_ series", () => {
    const metrics = createMetrics(testConfig());
    metrics.listener.onChange([{ type: "task_started", at: 1, task: facts() }], changes, {} as never);
    expect(metrics.render()).not.toContain("luigi_task");
  });
});

describe("scheduler health", () => {
  test("tasks by status, pending and runnable depth, workers, resources, pause", () => {
    const metrics = createMetrics(testConfig());
    metrics.bindEngine(fakeEngine({ PENDING: 4, DONE: 1, RUNNING: 1 }, 1, 2));
    const values = scrape(metrics.render());
    expect(values.get('luigid_tasks{status="PENDING"}')).toBe(4);
    expect(values.get('luigid_tasks{status="DONE"}')).toBe(1);
    expect(values.get('luigid_tasks{status="RUNNING"}')).toBe(1);
    expect(values.get("luigid_pending_tasks")).toBe(4);
    expect(values.get("luigid_runnable_tasks")).toBe(1);
    expect(values.get("luigid_workers")).toBe(2);
    expect(values.get("luigid_paused")).toBe(1);
    expect(values.get('luigid_resource_capacity{resource="db"}')).toBe(3);
    expect(values.get('luigid_resource_in_use{resource="db"}')).toBe(2);
  });

  test("RPC latency histograms per method, errors counted, method labels bounded", () => {
    const metrics = createMetrics(testConfig());
    metrics.observeCall("get_work", 0.003, true);
    metrics.observeCall("get_work", 0.2, true);
    metrics.observeCall("ping", 0.00005, false);
    for (let i = 0; i < 200; i++) metrics.observeCall(`junk${i}`, 0.001, false);
    const values = scrape(metrics.render());
    expect(values.get('luigid_rpc_duration_seconds_bucket{le="0.005",method="get_work"}')).toBe(1);
    expect(values.get('luigid_rpc_duration_seconds_bucket{le="0.25",method="get_work"}')).toBe(2);
    expect(values.get('luigid_rpc_duration_seconds_bucket{le="+Inf",method="get_work"}')).toBe(2);
    expect(values.get('luigid_rpc_duration_seconds_count{method="get_work"}')).toBe(2);
    expect(values.get('luigid_rpc_duration_seconds_sum{method="get_work"}')).toBeCloseTo(0.203);
    expect(values.get('luigid_rpc_errors_total{method="ping"}')).toBe(1);
    expect(values.get(`luigid_rpc_errors_total{method="${OVERFLOW_LABEL}"}`)).toBeGreaterThan(100);
    const methods = new Set([...values.keys()].filter((k) => k.startsWith("luigid_rpc_duration_seconds_count")));
    expect(methods.size).toBe(65); // the cap, plus __other__
  });

  test("gauges registered by other parts are read at every scrape", () => {
    const metrics = createMetrics(testConfig());
    let lag = 0.5;
    metrics.registerGauge("luigid_state_flush_lag_seconds", "seconds since the last durable commit", () => lag);
    expect(scrape(metrics.render()).get("luigid_state_flush_lag_seconds")).toBe(0.5);
    lag = 2;
    expect(scrape(metrics.render()).get("luigid_state_flush_lag_seconds")).toBe(2);
    expect(() => metrics.registerGauge("state_lag", "x", () => 1)).toThrow();
    expect(() => metrics.registerGauge("luigid_state_flush_lag_seconds", "again", () => 1)).toThrow("already registered");
    metrics.registerGauge("luigid_broken", "throws", () => {
      throw new Error("boom");
    });
    expect(metrics.render()).toContain("# TYPE luigid_broken gauge");
  });
});

describe("registry", () => {
  test("label values beyond the cap fold into __other__", () => {
    const registry = new Registry(() => 0);
    const counter = registry.counter({ name: "c_total", help: "h", labelNames: ["k"], labelCap: 2 });
    counter.inc(["a"]);
    counter.inc(["b"]);
    counter.inc(["c"]);
    counter.inc(["d"]);
    counter.inc(["a"]);
    expect(registry.render()).toBe('# HELP c_total h\n# TYPE c_total counter\nc_total{k="a"} 2.0\nc_total{k="b"} 1.0\nc_total{k="__other__"} 2.0\n');
  });

  test("incOne counts as inc([value]) does, the cap included, however often a folded value comes back", () => {
    const registry = new Registry(() => 0);
    const counter = registry.counter({ name: "c_total", help: "h", labelNames: ["k"], labelCap: 2 });
    for (const value of ["a", "b", "c", "d", "a", "c", "c"]) counter.incOne(value);
    counter.inc(["b"]);
    expect(registry.render()).toBe('# HELP c_total h\n# TYPE c_total counter\nc_total{k="a"} 2.0\nc_total{k="b"} 2.0\nc_total{k="__other__"} 4.0\n');
  });

  test("histogram buckets are cumulative, a value on a bound counts in that bucket, one over every bound only in +Inf", () => {
    const registry = new Registry(() => 0);
    const histogram = registry.histogram({ name: "h_seconds", help: "h", labelNames: ["m"], labelCap: 1, buckets: [0.5, 0.125, 1] });
    for (const value of [0.125, 0.0625, 0.25, 1, 7]) histogram.observeOne("x", value);
    histogram.observe(["x"], 0.375);
    histogram.observeOne("y", 0.015625); // over the cap: __other__
    histogram.observe(["z"], 2);
    expect(histogram.count("x")).toBe(6);
    const lines = registry.render().split("\n").filter((line) => line.startsWith("h_seconds"));
    expect(lines).toEqual([
      'h_seconds_bucket{le="0.125",m="x"} 2.0',
      'h_seconds_bucket{le="0.5",m="x"} 4.0',
      'h_seconds_bucket{le="1.0",m="x"} 5.0',
      'h_seconds_bucket{le="+Inf",m="x"} 6.0',
      'h_seconds_sum{m="x"} 8.8125',
      'h_seconds_count{m="x"} 6.0',
      'h_seconds_bucket{le="0.125",m="__other__"} 1.0',
      'h_seconds_bucket{le="0.5",m="__other__"} 1.0',
      'h_seconds_bucket{le="1.0",m="__other__"} 1.0',
      'h_seconds_bucket{le="+Inf",m="__other__"} 2.0',
      'h_seconds_sum{m="__other__"} 2.015625',
      'h_seconds_count{m="__other__"} 2.0',
    ]);
  });

  test("numbers print as prometheus_client's floatToGoString does (checked against it)", () => {
    const cases: Array<[number, string]> = [
      [1, "1.0"], [0, "0.0"], [2.5, "2.5"], [1795269201.956492, "1.795269201956492e+09"], [4.797893524169922, "4.797893524169922"],
      [1e-5, "1e-05"], [1.5e-7, "1.5e-07"], [1e16, "1e+16"], [123456.5, "123456.5"], [1234567, "1.234567e+06"], [-3, "-3.0"],
      [0.0001, "0.0001"], [1e21, "1e+21"],
    ];
    for (const [value, text] of cases) expect(formatValue(value)).toBe(text);
  });

  test("non-finite values use the text format's spelling", () => {
    const registry = new Registry();
    const gauge = registry.gauge({ name: "g", help: "h" });
    gauge.set([], Infinity);
    expect(registry.render()).toContain("g +Inf\n");
    gauge.set([], Number.NaN);
    expect(registry.render()).toContain("g NaN\n");
  });
});
