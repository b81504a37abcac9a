/**
 * A small Prometheus registry rendering the text exposition format 0.0.4.
 * Written here rather than pulled in because we need four shapes (counter,
 * gauge, histogram, gauge computed at scrape time) and bounded labels, which
 * the npm clients either lack or wrap in far more machinery.
 * @module
 */

export type MetricType = "counter" | "gauge" | "histogram";

/** Label value used once a label has seen its cap of distinct values. */
export const OVERFLOW_LABEL = "__other__";

/** Distinct values one label may take before new ones fold into `__other__`. */
export const DEFAULT_LABEL_CAP = 500;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return NAME.test(name);
}

export function isValidLabelName(name: string): boolean {
  return LABEL.test(name) && !name.startsWith("__");
}

/** Python's repr() of a float: `1.0`, `0.25`, `1e-05`, `1.5e+16`. */
function pythonFloatRepr(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  if (Number.isInteger(value)) return value.toFixed(1);
  return String(value);
}

/**
 * Numbers as Luigi's collector (the Python prometheus_client) writes them, so
 * the exposition reads the same: `+Inf`/`-Inf`/`NaN`, Python float repr, and
 * Go's switch to an exponent for large positive values (`1.795e+09`).
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  const repr = pythonFloatRepr(value);
  const dot = repr.indexOf(".");
  if (value > 0 && dot > 6) return `${`${repr[0]}.${repr.slice(1, dot)}${repr.slice(dot + 1)}`.replace(/[0.]+$/, "")}e+0${dot - 1}`;
  return repr;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Label pairs sorted by name, as prometheus_client prints them. */
function renderLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs: Array<[string, string]> = names.map((name, i) => [name, values[i] ?? ""]);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

/** Keeps each label's set of distinct values under a cap. */
class LabelBounds {
  private readonly seen: Set<string>[];

  constructor(
    count: number,
    private readonly cap: number,
  ) {
    this.seen = Array.from({ length: count }, () => new Set<string>());
  }

  bound(values: readonly string[]): string[] {
    return values.map((value, i) => {
      const seen = this.seen[i];
      if (!seen || seen.has(value)) return value;
      if (seen.size >= this.cap) return OVERFLOW_LABEL;
      seen.add(value);
      return value;
    });
  }
}

interface FamilyOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** Distinct values per label before folding into `__other__`. */
  labelCap?: number;
}

abstract class Family {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  private readonly labelBounds: LabelBounds;

  constructor(options: FamilyOptions) {
    if (!isValidMetricName(options.name)) throw new Error(`invalid metric name: ${options.name}`);
    for (const label of options.labelNames ?? []) {
      if (!isValidLabelName(label)) throw new Error(`invalid label name for ${options.name}: ${label}`);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    this.labelBounds = new LabelBounds(this.labelNames.length, options.labelCap ?? DEFAULT_LABEL_CAP);
  }

  protected key(values: readonly string[]): { key: string; values: string[] } {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name} takes ${this.labelNames.length} label values, got ${values.length}`);
    }
    const bounded = this.labelBounds.bound(values);
    return { key: JSON.stringify(bounded), values: bounded };
  }

  header(): string[] {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
  }

  abstract render(out: string[]): void;
}

/**
 * The series of a one-label family by the label's raw value: what each RPC
 * reads (incOne, observeOne) instead of bounding the labels and building a key.
 * Besides the allocations, that keeps the per-call code small and apart from
 * the scrape's: when both went through `key()`, a /metrics scrape under load
 * made JSC throw away the compiled per-call code and compile it again, twice
 * (in the benchmark's measured rounds at 100k tasks, ~57 ms of the compiler
 * thread on 2 cores). Only values admitted under the label's cap are kept
 * here, so a flood of distinct values cannot grow it: those take the slow
 * path to `__other__` every time.
 */
class OneLabel<S extends { labels: string[] }> {
  private readonly map = new Map<string, S>();

  /** `find` is the family's own path from label values to a series (bounds, key), taken on a miss. */
  constructor(private readonly find: (values: readonly string[]) => S) {}

  of(value: string): S {
    return this.map.get(value) ?? this.admit(value, this.find([value]));
  }

  private admit(value: string, series: S): S {
    if (series.labels.length === 1 && series.labels[0] === value) this.map.set(value, series);
    return series;
  }
}

interface Series {
  labels: string[];
  value: number;
  created: number;
}

/** Counter or gauge with explicit label values; series print in creation order. */
abstract class ScalarFamily extends Family {
  protected readonly series = new Map<string, Series>();
  /** The per-call path of a one-label family (see OneLabel). */
  protected readonly byValue = new OneLabel<Series>((values) => this.get(values));

  constructor(
    options: FamilyOptions,
    private readonly now: () => number,
  ) {
    super(options);
  }

  protected get(values: readonly string[]): Series {
    const { key, values: bounded } = this.key(values);
    let series = this.series.get(key);
    if (!series) {
      series = { labels: bounded, value: 0, created: this.now() };
      this.series.set(key, series);
    }
    return series;
  }

  value(...values: string[]): number | undefined {
    return this.series.get(this.key(values).key)?.value;
  }

  render(out: string[]): void {
    out.push(...this.header());
    for (const s of this.series.values()) out.push(`${this.name}${renderLabels(this.labelNames, s.labels)} ${formatValue(s.value)}`);
  }

  /** The `<name>_created` companion gauge the Python client emits for counters. */
  renderCreated(out: string[], name: string): void {
    // prometheus_client prints these only once the counter has series.
    if (this.series.size === 0) return;
    out.push(`# HELP ${name} ${escapeHelp(this.help)}`, `# TYPE ${name} gauge`);
    for (const s of this.series.values()) out.push(`${name}${renderLabels(this.labelNames, s.labels)} ${formatValue(s.created)}`);
  }
}

export class Counter extends ScalarFamily {
  readonly type = "counter";

  inc(values: readonly string[] = [], by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot decrease`);
    this.get(values).value += by;
  }

  /** inc([value]) for a one-label counter, without the label array and key: the per-RPC path. */
  incOne(value: string): void {
    this.byValue.of(value).value += 1;
  }
}

export class Gauge extends ScalarFamily {
  readonly type = "gauge";

  set(values: readonly string[], value: number): void {
    this.get(values).value = value;
  }

  /** Creates the series at 0 when it does not exist yet. */
  touch(values: readonly string[]): void {
    this.get(values);
  }
}

/** A gauge read at scrape time: the callback returns every series. */
export class CallbackGauge extends Family {
  readonly type = "gauge";

  constructor(
    options: FamilyOptions,
    private readonly collect: () => number | Iterable<[labels: readonly string[], value: number]>,
    private readonly onError: (name: string, error: unknown) => void,
  ) {
    super(options);
  }

  render(out: string[]): void {
    out.push(...this.header());
    let collected: number | Iterable<[readonly string[], number]>;
    try {
      collected = this.collect();
    } catch (error) {
      // A feeder that throws must not take /metrics down with it.
      this.onError(this.name, error);
      return;
    }
    if (typeof collected === "number") {
      out.push(`${this.name} ${formatValue(collected)}`);
      return;
    }
    // Sum series that fold into the same bounded labels.
    const merged = new Map<string, { labels: string[]; value: number }>();
    for (const [labels, value] of collected) {
      const { key, values } = this.key(labels);
      const entry = merged.get(key);
      if (entry) entry.value += value;
      else merged.set(key, { labels: values, value });
    }
    for (const s of merged.values()) out.push(`${this.name}${renderLabels(this.labelNames, s.labels)} ${formatValue(s.value)}`);
  }
}

interface HistogramSeries {
  labels: string[];
  /** Observations per bucket, each counted in the first bucket whose bound holds it (not cumulative). */
  buckets: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family {
  readonly type = "histogram";
  private readonly series = new Map<string, HistogramSeries>();
  private readonly byValue = new OneLabel<HistogramSeries>((values) => this.seriesOf(values));
  readonly bounds: readonly number[];

  constructor(options: FamilyOptions & { buckets: readonly number[] }) {
    super(options);
    if (options.labelNames?.includes("le")) throw new Error(`${options.name}: "le" is reserved`);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  observe(values: readonly string[], value: number): void {
    this.record(this.seriesOf(values), value);
  }

  /** observe([label], value) for a one-label histogram, without the label array and key: the per-RPC path. */
  observeOne(label: string, value: number): void {
    this.record(this.byValue.of(label), value);
  }

  private seriesOf(values: readonly string[]): HistogramSeries {
    const { key, values: bounded } = this.key(values);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: bounded, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  /** Counts the value in its own bucket only; render() sums them into Prometheus's cumulative ones. */
  private record(s: HistogramSeries, value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && !(value <= bounds[i]!)) i++;
    if (i < bounds.length) s.buckets[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  count(...values: string[]): number {
    return this.series.get(this.key(values).key)?.count ?? 0;
  }

  render(out: string[]): void {
    out.push(...this.header());
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += s.buckets[i] ?? 0;
        out.push(`${this.name}_bucket${renderLabels(this.labelNames, s.labels, ["le", formatValue(bound)])} ${formatValue(cumulative)}`);
      });
      out.push(`${this.name}_bucket${renderLabels(this.labelNames, s.labels, ["le", "+Inf"])} ${formatValue(s.count)}`);
      out.push(`${this.name}_sum${renderLabels(this.labelNames, s.labels)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${renderLabels(this.labelNames, s.labels)} ${formatValue(s.count)}`);
    }
  }
}

/** Renders families in registration order. */
export class Registry {
  private readonly renderers: Array<(out: string[]) => void> = [];
  private readonly names = new Set<string>();

  constructor(
    private readonly now: () => number = () => Date.now() / 1000,
    /** Told when a scrape-time gauge throws; the family is then left without series. */
    private readonly onCollectError: (name: string, error: unknown) => void = (name, error) => console.error(`metric ${name}: collect failed`, error),
  ) {}

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`metric ${name} is already registered`);
    this.names.add(name);
  }

  /** A counter; `created` also emits the `<name without _total>_created` gauge. */
  counter(options: FamilyOptions & { created?: boolean }): Counter {
    this.claim(options.name);
    const counter = new Counter(options, this.now);
    this.renderers.push((out) => counter.render(out));
    if (options.created) {
      const createdName = `${options.name.replace(/_total$/, "")}_created`;
      this.claim(createdName);
      this.renderers.push((out) => counter.renderCreated(out, createdName));
    }
    return counter;
  }

  gauge(options: FamilyOptions): Gauge {
    this.claim(options.name);
    const gauge = new Gauge(options, this.now);
    this.renderers.push((out) => gauge.render(out));
    return gauge;
  }

  callbackGauge(options: FamilyOptions, collect: () => number | Iterable<[readonly string[], number]>): CallbackGauge {
    this.claim(options.name);
    const gauge = new CallbackGauge(options, collect, this.onCollectError);
    this.renderers.push((out) => gauge.render(out));
    return gauge;
  }

  histogram(options: FamilyOptions & { buckets: readonly number[] }): Histogram {
    this.claim(options.name);
    const histogram = new Histogram(options);
    this.renderers.push((out) => histogram.render(out));
    return histogram;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  render(): string {
    const out: string[] = [];
    for (const render of this.renderers) render(out);
    return out.length ? `${out.join("\n")}\n` : "";
  }
}
