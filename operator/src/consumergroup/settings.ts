// KafkaConsumerGroup spec (api.md) -> ScalingSettings, with the defaults the schema should carry.
// Structural on purpose: it takes any object of this shape, so it does not depend on the
// generated CRD types.

import type { OffsetResetPolicy } from './lag.ts';
import type { ScalingSettings } from './policy.ts';

export interface ConsumerGroupScalingSpec {
  minReplicas?: number;
  maxReplicas: number;
  lagThreshold: number;
  activationLagThreshold?: number;
  drainTargetSeconds?: number | null;
  allowIdleConsumers?: boolean;
  pollIntervalSeconds?: number;
  offsetResetPolicy?: OffsetResetPolicy;
  scaleDown?: { stabilizationSeconds?: number; maxStepPercent?: number };
  scaleUp?: { dwellSeconds?: number; rebalanceSeconds?: number };
}

export const scalingDefaults = {
  minReplicas: 0,
  activationLagThreshold: 0,
  allowIdleConsumers: false,
  pollIntervalSeconds: 5,
  offsetResetPolicy: 'latest' as OffsetResetPolicy,
  scaleDownStabilizationSeconds: 300,
  scaleDownMaxStepPercent: 50,
  // Long enough for an eager rebalance and a pod start; the pause itself is rebalanceSeconds.
  dwellSeconds: 30,
  rebalanceSeconds: 15,
};

export function scalingSettingsFromSpec(spec: ConsumerGroupScalingSpec): ScalingSettings {
  const d = scalingDefaults;
  return {
    minReplicas: spec.minReplicas ?? d.minReplicas,
    maxReplicas: spec.maxReplicas,
    lagThreshold: spec.lagThreshold,
    activationLagThreshold: spec.activationLagThreshold ?? d.activationLagThreshold,
    drainTargetSeconds: spec.drainTargetSeconds ?? null,
    allowIdleConsumers: spec.allowIdleConsumers ?? d.allowIdleConsumers,
    scaleDownStabilizationSeconds:
      spec.scaleDown?.stabilizationSeconds ?? d.scaleDownStabilizationSeconds,
    scaleDownMaxStepPercent: spec.scaleDown?.maxStepPercent ?? d.scaleDownMaxStepPercent,
    dwellSeconds: spec.scaleUp?.dwellSeconds ?? d.dwellSeconds,
    rebalanceSeconds: spec.scaleUp?.rebalanceSeconds ?? d.rebalanceSeconds,
  };
}
