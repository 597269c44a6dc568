// The metric names alert rules and dashboards may use: what the JMX exporter on every Kafka
// node produces (agreed with the exporter's configuration, docs/alerts.md) and what the
// operator exports. A test fails when a rule or panel uses any other name, so a typo or a
// renamed metric cannot leave a panel silently empty or an alert that never fires.
import { BROKER_METRICS, CONTROLLER_METRICS } from '../../test/fixtures/metrics/contract.ts';

/** The Kafka nodes' metrics: what the exporter's rules promise for brokers and controllers
 * (test/fixtures/metrics/contract.ts, proven against real Kafka by kafka-metrics.test.ts). */
export const kafkaMetrics: readonly string[] = [
  ...new Set<string>([...BROKER_METRICS, ...CONTROLLER_METRICS]),
];

/** The operator's metrics (operator/src/runtime/operator-metrics.ts, the consumer-group
 * reconciler, the cluster's log dirs and certificates). */
export const operatorMetrics = [
  'kraftwerk_consumergroup_lag',
  'kraftwerk_consumergroup_time_lag_seconds',
  'kraftwerk_consumergroup_desired_replicas',
  'kraftwerk_consumergroup_health',
  'kraftwerk_reconcile_total',
  'kraftwerk_reconcile_errors_total',
  'kraftwerk_reconcile_duration_seconds_bucket',
  'kraftwerk_workqueue_depth',
  'kraftwerk_kafka_log_dir_total_bytes',
  'kraftwerk_kafka_log_dir_usable_bytes',
  'kraftwerk_certificate_expiry_timestamp_seconds',
] as const;

/** Prometheus's own per-target series. */
export const scrapeMetrics = ['up'] as const;

export const knownMetrics: ReadonlySet<string> = new Set([
  ...kafkaMetrics,
  ...operatorMetrics,
  ...scrapeMetrics,
]);

// PromQL words that look like metric names: functions, aggregations, keywords.
const promqlWords = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'rate',
  'increase',
  'deriv',
  'delta',
  'predict_linear',
  'histogram_quantile',
  'time',
  'bool',
  'offset',
  'le',
]);

/**
 * The metric names a PromQL expression selects. Label names inside {...} and by (...) /
 * on (...) lists, strings and durations are not names; what is left are identifiers that
 * are not PromQL's own words.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '{}') // label matchers
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/\[[^\]]*\]/g, '[]') // ranges
    .replace(/\b\d[\d.]*(?:e[+-]?\d+|ms|[smhdwy])?\b/gi, '0'); // numbers, durations (1e9, 5m)
  const names = stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((n) => !promqlWords.has(n) && !/^\d/.test(n)))];
}
