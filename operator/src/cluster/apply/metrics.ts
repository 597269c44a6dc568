// The KafkaCluster reconciler's own gauges: what Kafka's exporter cannot see. Set from this
// reconcile's observation; a deleted cluster's series are dropped in `forget`.
import type { Gauge, Registry } from '../../runtime/metrics.ts';
import type { CertificatesOutcome } from './certificates.ts';
import type { StepContext } from './kube.ts';

export interface ClusterGauges {
  certificateExpiry: Gauge;
}

export function clusterGauges(registry: Registry): ClusterGauges {
  return {
    certificateExpiry: registry.gauge(
      'kraftwerk_certificate_expiry_timestamp_seconds',
      "When a KafkaCluster's CA or node/operator certificate stops being valid (Unix seconds).",
      ['namespace', 'cluster', 'secret', 'key'],
    ),
  };
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

export function forgetClusterSeries(
  gauges: ClusterGauges | undefined,
  namespace: string,
  name: string,
): void {
  gauges?.certificateExpiry.removeMatching({ namespace, cluster: name });
}
