/**
 * Luigi's Prometheus collector (`metrics_collector = prometheus`): the same
 * families, help texts and labels as luigi.contrib.prometheus_metric, so
 * existing dashboards keep working (server.md §6.3).
 * @module
 */
import type { PrometheusConfig } from "../../config/types.ts";
import type { EngineEvent, TaskFacts } from "../../engine/events.ts";
import { pythonStr } from "../../engine/queries/serialise.ts";
import { type Counter, type Gauge, isValidLabelName, type Registry } from "./registry.ts";

/** The label names, in Luigi's order; throws the startup errors Luigi raises. */
export function luigiLabelNames(config: PrometheusConfig): string[] {
  const labels = [...config.taskParametersToUseInLabels];
  if (config.useTaskFamilyInLabels) labels.push("family");
  if (labels.length === 0) throw new Error("Prometheus labels cannot be empty (see [prometheus] configuration)");
  const seen = new Set<string>();
  for (const label of labels) {
    if (!isValidLabelName(label)) throw new Error(`[prometheus] task_parameters_to_use_in_labels: "${label}" is not a valid Prometheus label name`);
    if (seen.has(label)) throw new Error(`[prometheus] label "${label}" is listed twice`);
    seen.add(label);
  }
  return labels;
}

export class LuigiCollector {
  private readonly labels: string[];
  private readonly started: Counter;
  private readonly failed: Counter;
  private readonly disabled: Counter;
  private readonly done: Counter;
  private readonly executionTime: Gauge;

  constructor(registry: Registry, config: PrometheusConfig) {
    this.labels = luigiLabelNames(config);
    const labelNames = this.labels;
    this.started = registry.counter({ name: "luigi_task_started_total", help: "number of started luigi tasks", labelNames, created: true });
    this.failed = registry.counter({ name: "luigi_task_failed_total", help: "number of failed luigi tasks", labelNames, created: true });
    this.disabled = registry.counter({ name: "luigi_task_disabled_total", help: "number of disabled luigi tasks", labelNames, created: true });
    this.done = registry.counter({ name: "luigi_task_done_total", help: "number of done luigi tasks", labelNames, created: true });
    this.executionTime = registry.gauge({ name: "luigi_task_execution_time_seconds", help: "luigi task execution time in seconds", labelNames });
  }

  private labelValues(task: TaskFacts): string[] {
    return this.labels.map((label) => (label === "family" ? task.family : pythonStr(task.params[label])));
  }

  /** Luigi sets the gauge to updated - time_running; we skip it when time_running is unknown (its crash, §6.3). */
  private recordExecutionTime(values: string[], task: TaskFacts): void {
    if (task.timeRunning !== null) this.executionTime.set(values, task.updated - task.timeRunning);
  }

  handle(event: EngineEvent): void {
    if (event.type === "task_started") {
      const values = this.labelValues(event.task);
      this.started.inc(values);
      this.executionTime.touch(values);
      return;
    }
    if (event.type !== "status_changed" || event.from === event.to) return;
    const counter = event.to === "FAILED" ? this.failed : event.to === "DISABLED" ? this.disabled : event.to === "DONE" ? this.done : null;
    if (!counter) return;
    const values = this.labelValues(event.task);
    counter.inc(values);
    this.recordExecutionTime(values, event.task);
  }
}
