import { describe, expect, it } from 'vitest';
import { autoscaleStep, freshMemory } from './autoscale.ts';
import type { PartitionOffsets } from './lag.ts';
import { defaultObserveSettings } from './observe.ts';
import { scalingSettingsFromSpec } from './settings.ts';

const settings = scalingSettingsFromSpec({
  maxReplicas: 12,
  lagThreshold: 1000,
  activationLagThreshold: 10,
  drainTargetSeconds: 60,
  scaleDown: { stabilizationSeconds: 120, maxStepPercent: 50 },
});
const po = (partition: number, committed: number | null, end: number): PartitionOffsets => ({
  topic: 'orders',
  partition,
  committed,
  end,
  logStart: 0,
});

describe('autoscaleStep', () => {
  it('wakes a group at zero on a backlog and reports figures', () => {
    const memory = freshMemory(0, 0, null);
    const step = autoscaleStep(
      memory,
      { kind: 'offsets', time: 0, partitions: [po(0, 0, 2500), po(1, 0, 2500)], members: 0 },
      0,
      settings,
      defaultObserveSettings,
    );
    expect(step.decision).toMatchObject({ action: 'scale-up', desiredReplicas: 2 });
    expect(step.figures?.lag.total).toBe(5000);
    expect(step.memory.state.lastScaleTime).toBe(0);
  });

  it('holds on a failed poll and keeps its memory', () => {
    const memory = freshMemory(0, 3, null);
    const step = autoscaleStep(
      memory,
      { kind: 'error', time: 5000, error: 'coordinator not available' },
      3,
      settings,
      defaultObserveSettings,
    );
    expect(step.decision).toMatchObject({
      action: 'hold',
      desiredReplicas: 3,
      limitedBy: ['ReadError'],
    });
    expect(step.memory).toEqual(memory);
    expect(step.figures).toBeNull();
  });

  it('keeps the dwell across an operator restart through status.lastScaleTime', () => {
    const memory = freshMemory(100_000, 2, 90_000);
    const partitions = [0, 1, 2, 3].map((p) => po(p, 0, 1500));
    const poll = { kind: 'offsets' as const, time: 100_000, partitions, members: 2 };
    const step = autoscaleStep(memory, poll, 2, settings, defaultObserveSettings);
    expect(step.decision.action).toBe('hold');
    expect(step.decision.limitedBy).toContain('Dwell');
    const later = autoscaleStep(
      freshMemory(100_000, 2, 0),
      poll,
      2,
      settings,
      defaultObserveSettings,
    );
    expect(later.decision).toMatchObject({ action: 'scale-up', desiredReplicas: 4 });
  });
});
