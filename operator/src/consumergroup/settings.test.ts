import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  invalidSettingsReason,
  scalingSettingsFromSpec,
  type ConsumerGroupScalingSpec,
} from './settings.ts';

describe('scalingSettingsFromSpec', () => {
  it('maps the example in examples/kafka-consumer-group-demo-consumer.yaml field by field', () => {
    const example = load(
      readFileSync(
        join(import.meta.dirname, '../../../examples/kafka-consumer-group-demo-consumer.yaml'),
        'utf8',
      ),
    ) as { spec: ConsumerGroupScalingSpec };
    expect(scalingSettingsFromSpec(example.spec)).toEqual({
      minReplicas: 0,
      maxReplicas: 12,
      lagThreshold: 1000,
      activationLagThreshold: 10,
      drainTargetSeconds: 60,
      allowIdleConsumers: false,
      scaleDownStabilizationSeconds: 120,
      scaleDownMaxStepPercent: 50,
      dwellSeconds: 40,
      rebalanceSeconds: 15,
    });
  });

  it("fills every optional field from the schema's defaults; no drainTarget means backlog sizing", () => {
    const s = scalingSettingsFromSpec({ maxReplicas: 5, lagThreshold: 100 });
    expect(s).toMatchObject({
      minReplicas: 0,
      drainTargetSeconds: null,
      scaleDownStabilizationSeconds: 120,
      scaleDownMaxStepPercent: 50,
    });
  });
});

describe('invalidSettingsReason', () => {
  const ok = scalingSettingsFromSpec({
    maxReplicas: 12,
    lagThreshold: 1000,
    drainTargetSeconds: 60,
  });

  it('accepts sane settings, minReplicas 0 included', () => {
    expect(invalidSettingsReason(ok)).toBeNull();
  });

  it.each([
    [{ lagThreshold: 0 }, /lagThreshold/],
    [{ minReplicas: 5, maxReplicas: 3 }, /above maxReplicas/],
    [{ maxReplicas: 0 }, /maxReplicas/],
    [{ minReplicas: 1.5 }, /minReplicas/],
    [{ drainTargetSeconds: 0 }, /drainTargetSeconds/],
    [{ scaleDownMaxStepPercent: 0 }, /maxStepPercent/],
    [{ scaleDownMaxStepPercent: 150 }, /maxStepPercent/],
    [{ dwellSeconds: -1 }, /dwellSeconds/],
    [{ lagThreshold: Number.NaN }, /lagThreshold/],
  ])('refuses %o with a message naming the field', (change, message) => {
    expect(invalidSettingsReason({ ...ok, ...change })).toMatch(message);
  });
});
