// A model of KEDA's Kafka scaler with its defaults, driving a HorizontalPodAutoscaler with the
// Kubernetes defaults — written from KEDA's documentation, pkg/scalers/kafka_scaler.go's
// behaviour and the HPA algorithm description, not from their code.
//
// Scaler (per metrics request):
//   - per partition: committed - end; no committed offset -> latest: 1 (so a consumer starts,
//     scaleToZeroOnInvalidOffset=false), earliest: the end offset itself (backlog "from zero",
//     ignoring the log start); no guard against negative lag; no notion of a stalled partition
//     (excludePersistentLag=false);
//   - total capped, unless allowIdleConsumers, when floor(total / lagThreshold) > partitions:
//     total = partitions * lagThreshold;
//   - active when total > activationLagThreshold.
// KEDA operator (every pollingInterval = 30 s): 0 -> 1 replica when active; to 0 after
//   cooldownPeriod = 300 s without activity (minReplicaCount 0).
// HPA (every 15 s, only while replicas > 0), external metric with an AverageValue target:
//   - ratio = total / (lagThreshold * current); within 10% of 1 -> keep current (the tolerance
//     that traps a group one short of the capped ceiling, kedacore/keda#2908);
//   - else recommendation = ceil(total / lagThreshold), clamped to [1, maxReplicas];
//   - scale up: no stabilization, at most max(2 * current, current + 4) per 15 s;
//   - scale down: the highest recommendation of the last 300 s, 100% per 15 s.

import type { OffsetResetPolicy, PartitionOffsets } from '../../operator/src/consumergroup/lag.ts';

export interface KedaSettings {
  lagThreshold: number;
  activationLagThreshold: number;
  offsetResetPolicy: OffsetResetPolicy;
  allowIdleConsumers: boolean;
  minReplicaCount: number;
  maxReplicaCount: number;
  pollingIntervalSeconds: number;
  cooldownPeriodSeconds: number;
  hpaSyncSeconds: number;
  hpaTolerance: number;
  scaleDownStabilizationSeconds: number;
}

export const kedaDefaults: Omit<
  KedaSettings,
  'lagThreshold' | 'activationLagThreshold' | 'offsetResetPolicy' | 'maxReplicaCount'
> = {
  allowIdleConsumers: false,
  minReplicaCount: 0,
  pollingIntervalSeconds: 30,
  cooldownPeriodSeconds: 300,
  hpaSyncSeconds: 15,
  hpaTolerance: 0.1,
  scaleDownStabilizationSeconds: 300,
};

export function kedaTotalLag(
  partitions: readonly PartitionOffsets[],
  s: KedaSettings,
): { metric: number; active: boolean } {
  let total = 0;
  for (const p of partitions) {
    if (p.committed === null) total += s.offsetResetPolicy === 'latest' ? 1 : p.end;
    else total += p.end - p.committed;
  }
  const active = total > s.activationLagThreshold;
  let metric = total;
  if (!s.allowIdleConsumers && Math.floor(total / s.lagThreshold) > partitions.length) {
    metric = partitions.length * s.lagThreshold;
  }
  return { metric, active };
}

export interface KedaState {
  lastActive: number;
  recommendations: { time: number; replicas: number }[];
}

export function initialKedaState(): KedaState {
  return { lastActive: 0, recommendations: [] };
}

/** KEDA's activation loop; returns the new replica count. */
export function kedaPoll(
  s: KedaSettings,
  state: KedaState,
  partitions: readonly PartitionOffsets[],
  current: number,
  now: number,
): number {
  const { active } = kedaTotalLag(partitions, s);
  if (active) {
    state.lastActive = now;
    if (current === 0) return Math.max(1, s.minReplicaCount);
    return current;
  }
  if (current > s.minReplicaCount && now - state.lastActive >= s.cooldownPeriodSeconds) {
    return s.minReplicaCount;
  }
  return current;
}

/** One HPA sync; returns the new replica count. */
export function hpaSync(
  s: KedaSettings,
  state: KedaState,
  partitions: readonly PartitionOffsets[],
  current: number,
  now: number,
): number {
  if (current === 0) return 0; // KEDA owns 0 <-> 1; the HPA is idle at zero
  const { metric } = kedaTotalLag(partitions, s);
  const minReplicas = Math.max(1, s.minReplicaCount);
  const ratio = metric / (s.lagThreshold * current);
  let rec = Math.abs(ratio - 1) <= s.hpaTolerance ? current : Math.ceil(metric / s.lagThreshold);
  rec = Math.min(s.maxReplicaCount, Math.max(minReplicas, rec));
  state.recommendations = state.recommendations.filter(
    (r) => r.time > now - s.scaleDownStabilizationSeconds,
  );
  state.recommendations.push({ time: now, replicas: rec });
  if (rec > current) return Math.min(rec, Math.max(2 * current, current + 4));
  const stabilized = Math.max(...state.recommendations.map((r) => r.replicas));
  return stabilized < current ? stabilized : current;
}
