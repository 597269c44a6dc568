// KafkaConsumerGroup spec -> ScalingSettings. The API server has applied the schema's defaults
// before the operator reads a spec; callers that build a spec themselves (tests, benches) may
// leave those fields out and get the same defaults, from the one constant the schema declares.
// Structural on purpose: it takes any object of this shape.
import { CONSUMER_GROUP_DEFAULTS } from '../api/kafka-consumer-group.ts';
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

const schema = CONSUMER_GROUP_DEFAULTS;

/** The schema's defaults, flattened as ScalingSettings names them. */
export const scalingDefaults = {
  minReplicas: schema.minReplicas,
  activationLagThreshold: schema.activationLagThreshold,
  allowIdleConsumers: schema.allowIdleConsumers,
  pollIntervalSeconds: schema.pollIntervalSeconds,
  offsetResetPolicy: schema.offsetResetPolicy as OffsetResetPolicy,
  scaleDownStabilizationSeconds: schema.scaleDown.stabilizationSeconds,
  scaleDownMaxStepPercent: schema.scaleDown.maxStepPercent,
  dwellSeconds: schema.scaleUp.dwellSeconds,
  rebalanceSeconds: schema.scaleUp.rebalanceSeconds,
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

/**
 * Why these settings cannot drive the policy, or null. The CRD schema should refuse all of
 * these at apply time; this is the operator's own guard (Ready=False with this message).
 */
export function invalidSettingsReason(s: ScalingSettings): string | null {
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  if (!whole(s.minReplicas)) return `minReplicas ${s.minReplicas} must be a whole number >= 0`;
  if (!whole(s.maxReplicas) || s.maxReplicas < 1) {
    return `maxReplicas ${s.maxReplicas} must be a whole number >= 1`;
  }
  if (s.minReplicas > s.maxReplicas) {
    return `minReplicas ${s.minReplicas} is above maxReplicas ${s.maxReplicas}`;
  }
  if (!(s.lagThreshold >= 1)) return `lagThreshold ${s.lagThreshold} must be at least 1`;
  if (!(s.activationLagThreshold >= 0)) {
    return `activationLagThreshold ${s.activationLagThreshold} must be >= 0`;
  }
  if (s.drainTargetSeconds !== null && !(s.drainTargetSeconds > 0)) {
    return `drainTargetSeconds ${s.drainTargetSeconds} must be above 0`;
  }
  if (!(s.scaleDownMaxStepPercent > 0 && s.scaleDownMaxStepPercent <= 100)) {
    return `scaleDown.maxStepPercent ${s.scaleDownMaxStepPercent} must be in (0, 100]`;
  }
  for (const [name, v] of [
    ['scaleDown.stabilizationSeconds', s.scaleDownStabilizationSeconds],
    ['scaleUp.dwellSeconds', s.dwellSeconds],
    ['scaleUp.rebalanceSeconds', s.rebalanceSeconds],
  ] as const) {
    if (!(v >= 0)) return `${name} ${v} must be >= 0`;
  }
  return null;
}
