import { describe, expect, it } from 'vitest';
import { invalidSettingsReason, scalingDefaults, scalingSettingsFromSpec } from './settings.ts';

describe('scalingSettingsFromSpec', () => {
  it('maps the api.md example field by field', () => {
    expect(
      scalingSettingsFromSpec({
        minReplicas: 0,
        maxReplicas: 12,
        lagThreshold: 1000,
        activationLagThreshold: 10,
        drainTargetSeconds: 60,
        pollIntervalSeconds: 5,
        scaleDown: { stabilizationSeconds: 120, maxStepPercent: 50 },
        offsetResetPolicy: 'latest',
      }),
    ).toEqual({
      minReplicas: 0,
      maxReplicas: 12,
      lagThreshold: 1000,
      activationLagThreshold: 10,
      drainTargetSeconds: 60,
      allowIdleConsumers: false,
      scaleDownStabilizationSeconds: 120,
      scaleDownMaxStepPercent: 50,
      dwellSeconds: scalingDefaults.dwellSeconds,
      rebalanceSeconds: scalingDefaults.rebalanceSeconds,
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
