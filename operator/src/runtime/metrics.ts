// A small Prometheus text-format (0.0.4) registry: counters, gauges and histograms with labels.
// Enough for the operator's own metrics without taking a dependency.

export type Labels = Record<string, string>;

interface Metric {
  readonly name: string;
  render(): string[];
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return '{' + names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`).join(',') + '}';
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Series are keyed by their label values in declared order; unknown or missing labels throw. */
abstract class LabelledMetric<S> implements Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { values: string[]; state: S }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!metricName.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) {
      if (!labelName.test(l) || l.startsWith('__')) throw new Error(`invalid label name ${l}`);
    }
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract fresh(): S;
  protected abstract type(): string;
  protected abstract lines(labelValues: string[], state: S): string[];

  protected state(labels: Labels = {}): S {
    const keys = Object.keys(labels);
    if (keys.length !== this.labelNames.length || keys.some((k) => !this.labelNames.includes(k))) {
      throw new Error(
        `${this.name}: labels ${JSON.stringify(keys)} do not match ${JSON.stringify(this.labelNames)}`,
      );
    }
    const values = this.labelNames.map((n) => labels[n] ?? '');
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: this.fresh() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Drops every series whose labels include `match` (a deleted object's gauges must go). */
  removeMatching(match: Labels): void {
    for (const [key, { values }] of this.series) {
      if (Object.entries(match).every(([k, v]) => values[this.labelNames.indexOf(k)] === v)) {
        this.series.delete(key);
      }
    }
  }

  render(): string[] {
    const out = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type()}`,
    ];
    for (const { values, state } of this.series.values()) out.push(...this.lines(values, state));
    return out;
  }
}

export class Counter extends LabelledMetric<{ value: number }> {
  protected fresh() {
    return { value: 0 };
  }
  protected type() {
    return 'counter';
  }
  protected lines(values: string[], s: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(s.value)}`];
  }
  inc(labels?: Labels, by = 1): void {
    if (by < 0) throw new Error(`${this.name}: counters only go up`);
    this.state(labels).value += by;
  }
  get(labels?: Labels): number {
    return this.state(labels).value;
  }
}

export class Gauge extends LabelledMetric<{ value: number }> {
  protected fresh() {
    return { value: 0 };
  }
  protected type() {
    return 'gauge';
  }
  protected lines(values: string[], s: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(s.value)}`];
  }
  set(labels: Labels | undefined, value: number): void {
    this.state(labels).value = value;
  }
  inc(labels?: Labels, by = 1): void {
    this.state(labels).value += by;
  }
  dec(labels?: Labels, by = 1): void {
    this.state(labels).value -= by;
  }
  get(labels?: Labels): number {
    return this.state(labels).value;
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export const defaultDurationBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

export class Histogram extends LabelledMetric<HistogramState> {
  readonly buckets: readonly number[];

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[] = defaultDurationBuckets,
  ) {
    super(name, help, labelNames);
    if (labelNames.includes('le')) throw new Error(`${name}: "le" is reserved in histograms`);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  protected fresh(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  protected type() {
    return 'histogram';
  }
  protected lines(values: string[], s: HistogramState) {
    const names = [...this.labelNames, 'le'];
    const out = this.buckets.map(
      (b, i) =>
        `${this.name}_bucket${labelText(names, [...values, formatValue(b)])} ${s.counts[i]}`,
    );
    out.push(`${this.name}_bucket${labelText(names, [...values, '+Inf'])} ${s.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(s.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, values)} ${s.count}`);
    return out;
  }
  observe(labels: Labels | undefined, value: number): void {
    const s = this.state(labels);
    // Buckets are cumulative in the exposition format.
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]! += 1;
    });
    s.sum += value;
    s.count += 1;
  }
  snapshot(labels?: Labels): { count: number; sum: number } {
    const s = this.state(labels);
    return { count: s.count, sum: s.sum };
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets?: readonly number[],
  ): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }
  /** The text exposition format, ending with a newline as scrapers expect. */
  render(): string {
    const lines: string[] = [];
    for (const m of this.metrics.values()) lines.push(...m.render());
    return lines.join('\n') + '\n';
  }
}

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';
