// The KafkaCluster reconciler's own gauges: what Kafka's exporter cannot see. Set from this
// reconcile's observation; a deleted cluster's series are dropped in `forget`.
import type { Gauge, Registry } from '../../runtime/metrics.ts';
import { nodeIdOf } from '../model/node-layout.ts';
import type { ClusterObservation } from '../observe/observe-cluster.ts';
import { nextLogDirReadings, type LogDirReadings } from '../plan/log-dir-readings.ts';
import type { CertificatesOutcome } from './certificates.ts';
import type { StepContext } from './kube.ts';

export interface ClusterGauges {
  certificateExpiry: Gauge;
  logDirTotal: Gauge;
  logDirUsable: Gauge;
  /** What the log-dir gauges show, by namespace/name: to know which series to drop. */
  logDirReadings: Map<string, LogDirReadings>;
}

// One set per registry: a registry takes each name once (tests make several reconcilers).
const byRegistry = new WeakMap<Registry, ClusterGauges>();
const LOG_DIR_LABELS = ['namespace', 'cluster', 'node_id', 'log_dir'];

export function clusterGauges(registry: Registry): ClusterGauges {
  const known = byRegistry.get(registry);
  if (known) return known;
  const gauges: ClusterGauges = {
    certificateExpiry: registry.gauge(
      'kraftwerk_certificate_expiry_timestamp_seconds',
      "When a KafkaCluster's CA or node/operator certificate stops being valid (Unix seconds).",
      ['namespace', 'cluster', 'secret', 'key'],
    ),
    logDirTotal: registry.gauge(
      'kraftwerk_kafka_log_dir_total_bytes',
      'Size of the volume a broker log directory is on, as the broker reports it (DescribeLogDirs).',
      LOG_DIR_LABELS,
    ),
    logDirUsable: registry.gauge(
      'kraftwerk_kafka_log_dir_usable_bytes',
      'Bytes of that volume Kafka can still write, as the broker reports it (DescribeLogDirs).',
      LOG_DIR_LABELS,
    ),
    logDirReadings: new Map(),
  };
  byRegistry.set(registry, gauges);
  return gauges;
}

/** Replaces the cluster's expiry series: a Secret that went (scale-in, plaintext) goes too. */
export function reportCertificateExpiry(
  ctx: StepContext,
  gauges: ClusterGauges | undefined,
  certificates: CertificatesOutcome | undefined,
): void {
  if (!gauges) return;
  const cluster = { namespace: ctx.namespace, cluster: ctx.kc.metadata.name ?? '' };
  gauges.certificateExpiry.removeMatching(cluster);
  for (const e of certificates?.expiries ?? []) {
    gauges.certificateExpiry.set(
      { ...cluster, secret: e.secret, key: e.key },
      Math.floor(e.notAfter.getTime() / 1000),
    );
  }
}

/**
 * Each broker's log directories as this round's DescribeLogDirs told them (volume size and
 * what is left), so a disk alert works on any storage, hostPath included. Which readings stand
 * is plan/log-dir-readings.ts's call: what could not be read keeps its last value.
 */
export function reportLogDirs(
  ctx: StepContext,
  gauges: ClusterGauges | undefined,
  obs: ClusterObservation,
): void {
  if (!gauges) return;
  const { ref, layouts, desired } = obs.model;
  const key = `${ref.namespace}/${ref.name}`;
  const brokers = new Set<number>();
  for (const l of layouts.filter((x) => x.isBroker)) {
    const count = Math.max(desired[l.role] ?? 0, obs.current[l.role] ?? 0);
    for (let i = 0; i < count; i++) brokers.add(nodeIdOf(l, i));
  }
  for (const [id, b] of Object.entries(obs.kafka.logDirs ?? {})) {
    if ('error' in b) {
      ctx.log.info('log dirs not read; gauges keep the last values', { nodeId: id, err: b.error });
    }
  }
  const previous = gauges.logDirReadings.get(key) ?? {};
  const next = nextLogDirReadings(previous, obs.kafka.logDirs, (id) => brokers.has(id));
  const labels = (id: string, path: string) => ({
    namespace: ref.namespace,
    cluster: ref.name,
    node_id: id,
    log_dir: path,
  });
  for (const [id, dirs] of Object.entries(previous)) {
    for (const path of Object.keys(dirs)) {
      if (next[Number(id)]?.[path] === undefined) {
        gauges.logDirTotal.removeMatching(labels(id, path));
        gauges.logDirUsable.removeMatching(labels(id, path));
      }
    }
  }
  for (const [id, dirs] of Object.entries(next)) {
    for (const [path, r] of Object.entries(dirs)) {
      gauges.logDirTotal.set(labels(id, path), r.totalBytes);
      gauges.logDirUsable.set(labels(id, path), r.usableBytes);
    }
  }
  gauges.logDirReadings.set(key, next);
}

export function forgetClusterSeries(
  gauges: ClusterGauges | undefined,
  namespace: string,
  name: string,
): void {
  if (!gauges) return;
  gauges.certificateExpiry.removeMatching({ namespace, cluster: name });
  gauges.logDirTotal.removeMatching({ namespace, cluster: name });
  gauges.logDirUsable.removeMatching({ namespace, cluster: name });
  gauges.logDirReadings.delete(`${namespace}/${name}`);
}
