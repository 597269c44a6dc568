import { describe, expect, it } from 'vitest';
import type { ObservedGroup, ScalingSettings, ScalingState } from './policy.ts';
import { decideScale, effectiveLag, initialScalingState } from './policy.ts';
import { seededRandom } from './seeded-random.ts';

const settings: ScalingSettings = {
  minReplicas: 0,
  maxReplicas: 12,
  lagThreshold: 1000,
  activationLagThreshold: 10,
  drainTargetSeconds: null,
  allowIdleConsumers: false,
  scaleDownStabilizationSeconds: 120,
  scaleDownMaxStepPercent: 50,
  dwellSeconds: 30,
  rebalanceSeconds: 0,
};

/** An observation with `lags` spread one per partition (rest at 0) over `partitions`. */
function obs(
  currentReplicas: number,
  lags: number[],
  extra: Partial<ObservedGroup> = {},
  partitions = 12,
): ObservedGroup {
  return {
    kind: 'observed',
    currentReplicas,
    partitionCount: partitions,
    partitions: Array.from({ length: partitions }, (_, i) => ({
      lag: lags[i] ?? 0,
      stalled: false,
    })),
    producedPerSecond: 100,
    replicaCapacity: null,
    uncommittedTraffic: 0,
    ...extra,
  };
}
const fresh: ScalingState = {
  lastScaleTime: null,
  atLastScale: null,
  recommendations: [],
  perReplicaRate: null,
  blindSince: null,
};
/** The same state once one replica has been measured consuming 100 msg/s at capacity. */
const measured = (state: ScalingState): ScalingState => ({
  ...state,
  perReplicaRate: { value: 100, time: 0 },
});
const T0 = 1_000_000;

describe('backlog sizing', () => {
  it('asks for ceil(lag / lagThreshold) and scales up in one step', () => {
    const d = decideScale(settings, obs(1, [3000, 2500, 1]), fresh, T0);
    expect(d).toMatchObject({ desiredReplicas: 6, action: 'scale-up', sizing: 'backlog' });
    expect(d.nextState.lastScaleTime).toBe(T0);
  });

  it('keeps one consumer while traffic flows even without lag', () => {
    const d = decideScale(settings, obs(1, []), fresh, T0);
    expect(d).toMatchObject({ neededReplicas: 1, action: 'hold' });
  });

  it('treats an unknown produce rate as traffic, not as idle', () => {
    const d = decideScale(settings, obs(2, [], { producedPerSecond: null }), measured(fresh), T0);
    expect(d.neededReplicas).toBe(1);
  });
});

describe('rate-aware sizing', () => {
  const rs = { ...settings, drainTargetSeconds: 60 };

  it('sizes by (produced + backlog / drainTarget) / measured per-replica rate', () => {
    // One replica does 100/s at capacity; (600 + 24000/60) / 100 = 10.
    const o = obs(4, [12000, 12000], {
      producedPerSecond: 600,
      replicaCapacity: 100,
    });
    const d = decideScale(rs, o, fresh, T0);
    expect(d).toMatchObject({ sizing: 'rate', desiredReplicas: 10 });
    expect(d.nextState.perReplicaRate).toEqual({ value: 100, time: T0 });
  });

  it("counts the backlog the change's own rebalance will add", () => {
    // 600/s paused for 15 s adds 9000: (600 + (24000 + 9000) / 60) / 100 = 11.5 -> 12.
    const o = obs(4, [12000, 12000], { producedPerSecond: 600 });
    const d = decideScale({ ...rs, rebalanceSeconds: 15 }, o, measured(fresh), T0);
    expect(d).toMatchObject({ sizing: 'rate', desiredReplicas: 12 });
  });

  it('does not climb step by step on the backlog its own rebalance left (generated)', () => {
    // After a scale-up to N sized with the rebalance cost, the pause's backlog never asks for more.
    const rnd = seededRandom(17);
    for (let run = 0; run < 500; run++) {
      const produced = rnd.int(50, 1100);
      const lag = rnd.int(0, 30_000);
      const r = {
        ...rs,
        rebalanceSeconds: rnd.int(5, 30),
        maxReplicas: 1000,
        allowIdleConsumers: true,
      };
      const first = decideScale(
        r,
        obs(1, [lag], { producedPerSecond: produced }, 1),
        measured(fresh),
        T0,
      );
      if (first.action !== 'scale-up') continue; // no change, no rebalance
      const n = first.desiredReplicas;
      const after = lag + produced * r.rebalanceSeconds; // nothing drained during the pause
      const again = decideScale(
        r,
        obs(n, [after], { producedPerSecond: produced }, 1),
        measured(fresh),
        T0,
      );
      expect(again.desiredReplicas).toBeLessThanOrEqual(n);
    }
  });

  it('falls back to backlog sizing while per-replica capacity is not measurable', () => {
    const notAtCapacity = obs(4, [12000, 12000], { producedPerSecond: 600 });
    expect(decideScale(rs, notAtCapacity, fresh, T0)).toMatchObject({
      sizing: 'backlog',
      desiredReplicas: 12,
    });
  });

  it('does not measure capacity inside the dwell after a change (rebalance pause)', () => {
    const state = { ...fresh, lastScaleTime: T0 - 10_000 };
    const o = obs(4, [5000], { replicaCapacity: 10 });
    expect(decideScale(rs, o, state, T0).nextState.perReplicaRate).toBeNull();
  });

  it('remembers the last measured capacity once the backlog is gone', () => {
    const state = { ...fresh, perReplicaRate: { value: 100, time: T0 - 60_000 } };
    const o = obs(6, [50], { producedPerSecond: 320 });
    expect(decideScale(rs, o, state, T0)).toMatchObject({ sizing: 'rate', neededReplicas: 4 });
  });
});

describe('ceilings', () => {
  it('caps at the partition count and says so', () => {
    const d = decideScale(settings, obs(2, [90_000], {}, 8), fresh, T0);
    expect(d).toMatchObject({ desiredReplicas: 8, limitedBy: ['PartitionCeiling'] });
  });

  it('caps at maxReplicas when partitions are not the limit', () => {
    const d = decideScale({ ...settings, maxReplicas: 5 }, obs(2, [90_000]), fresh, T0);
    expect(d).toMatchObject({ desiredReplicas: 5, limitedBy: ['MaxReplicas'] });
  });

  it('goes past the partition count with allowIdleConsumers, up to maxReplicas', () => {
    const d = decideScale(
      { ...settings, allowIdleConsumers: true, maxReplicas: 20 },
      obs(2, [90_000], {}, 8),
      fresh,
      T0,
    );
    expect(d).toMatchObject({ desiredReplicas: 20, limitedBy: ['MaxReplicas'] });
  });

  it('has no tolerance trap one short of the ceiling (KEDA #2908)', () => {
    for (const partitions of [2, 11, 12, 64]) {
      const lags = Array.from({ length: partitions }, () => 5000);
      const d = decideScale(
        { ...settings, maxReplicas: 100 },
        obs(partitions - 1, lags, {}, partitions),
        fresh,
        T0,
      );
      expect(d.desiredReplicas).toBe(partitions);
    }
  });

  it('comes straight back inside the bounds after a hand scale, ignoring dwell and step', () => {
    const state = { ...initialScalingState(T0, 20), lastScaleTime: T0 - 1000 };
    const d = decideScale(settings, obs(20, [90_000]), state, T0);
    expect(d).toMatchObject({ desiredReplicas: 12, action: 'scale-down' });
  });

  it('lets minReplicas win over a smaller partition count', () => {
    const d = decideScale({ ...settings, minReplicas: 6 }, obs(6, [100], {}, 4), fresh, T0);
    expect(d).toMatchObject({ desiredReplicas: 6, action: 'hold' });
  });
});

describe('scale-down', () => {
  it('waits for the stabilization window, then steps by at most maxStepPercent', () => {
    let state = measured(initialScalingState(T0, 10));
    const quiet = obs(10, [100]);
    let d = decideScale(settings, quiet, state, T0 + 60_000);
    expect(d).toMatchObject({ action: 'hold', limitedBy: ['StabilizationWindow'] });
    state = d.nextState;
    d = decideScale(settings, quiet, state, T0 + 121_000);
    expect(d).toMatchObject({ action: 'scale-down', desiredReplicas: 5, limitedBy: ['StepLimit'] });
    state = d.nextState;
    d = decideScale(settings, obs(5, [100]), state, T0 + 131_000);
    expect(d).toMatchObject({ action: 'hold', limitedBy: ['Dwell'] });
    d = decideScale(settings, obs(5, [100]), d.nextState, T0 + 152_000);
    expect(d).toMatchObject({ action: 'scale-down', desiredReplicas: 3 });
  });

  it('uses the highest recommendation inside the window (no flapping on a dip)', () => {
    let state = measured(initialScalingState(T0, 6));
    state = decideScale(settings, obs(6, [5500]), state, T0 + 100_000).nextState;
    const d = decideScale(settings, obs(6, [500]), state, T0 + 150_000);
    expect(d.action).toBe('hold');
    const later = decideScale(settings, obs(6, [500]), d.nextState, T0 + 221_000);
    expect(later).toMatchObject({ action: 'scale-down', desiredReplicas: 3 });
  });

  it('holds while traffic flows and capacity is unmeasured, then probes one replica down', () => {
    const o = obs(6, [10], { producedPerSecond: 500 });
    let d = decideScale(settings, o, initialScalingState(T0, 6), T0 + 200_000);
    expect(d).toMatchObject({ action: 'hold', neededReplicas: 6 });
    expect(d.nextState.blindSince).toBe(T0 + 200_000);
    for (let t = T0 + 210_000; t < T0 + 800_000; t += 10_000) {
      d = decideScale(settings, o, d.nextState, t);
      expect(d.action).toBe('hold');
    }
    // Ten minutes blind: the probe is recommended, then waits out the stabilization window.
    d = decideScale(settings, o, d.nextState, T0 + 800_000);
    expect(d).toMatchObject({
      action: 'hold',
      neededReplicas: 5,
      limitedBy: ['StabilizationWindow'],
    });
    for (let t = T0 + 810_000; t <= T0 + 900_000; t += 10_000) {
      d = decideScale(settings, o, d.nextState, t);
      expect(d.action).toBe('hold');
    }
    // The last recommendation of 6 (at 790 s) has left the 120 s window.
    d = decideScale(settings, o, d.nextState, T0 + 910_000);
    expect(d).toMatchObject({ action: 'scale-down', desiredReplicas: 5 });
    // A probe keeps the blind clock: the next probe only waits out the usual window.
    expect(d.nextState.blindSince).toBe(T0 + 200_000);
  });

  it('never sizes below what keeps up with production once capacity is known', () => {
    const state = measured(initialScalingState(T0, 12));
    const d = decideScale(settings, obs(12, [10], { producedPerSecond: 500 }), state, T0 + 500_000);
    // 500/s at 100/s each is 5; down only to a size with 5% spare: 500 / 95 -> 6.
    expect(d).toMatchObject({ action: 'scale-down', desiredReplicas: 6, neededReplicas: 6 });
  });

  it('scales up without headroom but down only with it (no flapping at the edge)', () => {
    const rs = { ...settings, drainTargetSeconds: 60 };
    const at = (current: number) =>
      decideScale(rs, obs(current, [0], { producedPerSecond: 198 }), measured(fresh), T0);
    expect(at(1).desiredReplicas).toBe(2); // up: 198 / 100 -> 2
    expect(at(2).action).toBe('hold'); // 2 is enough
    expect(at(3).neededReplicas).toBe(3); // down to 2 would leave 1% spare, under 5%
  });

  it('returns to minReplicas 0 when idle', () => {
    let state = initialScalingState(T0, 1);
    const idle = obs(1, [], { producedPerSecond: 0 });
    let d = decideScale(settings, idle, state, T0 + 10_000);
    expect(d).toMatchObject({ sizing: 'idle', action: 'hold' });
    state = d.nextState;
    d = decideScale(settings, idle, state, T0 + 121_000);
    expect(d).toMatchObject({ action: 'scale-down', desiredReplicas: 0 });
  });

  it('reports MinReplicas when the floor holds it up', () => {
    const d = decideScale(
      { ...settings, minReplicas: 2 },
      obs(2, [], { producedPerSecond: 0 }),
      fresh,
      T0,
    );
    expect(d.limitedBy).toContain('MinReplicas');
  });
});

describe('dwell', () => {
  it('holds a scale-up shortly after a change so a rebalance is not read as demand', () => {
    const state = { ...fresh, lastScaleTime: T0 - 5_000 };
    const d = decideScale(settings, obs(3, [9000]), state, T0);
    expect(d).toMatchObject({ action: 'hold', desiredReplicas: 3, limitedBy: ['Dwell'] });
    expect(decideScale(settings, obs(3, [9000]), state, T0 + 25_000).desiredReplicas).toBe(9);
  });

  it('lets a scale-up through when lag grew beyond what a full pause explains', () => {
    // Changed 10 s ago at 2000 lag and 100/s: a full pause explains 3000, plus 1000 margin.
    const state: ScalingState = {
      ...fresh,
      lastScaleTime: T0 - 10_000,
      atLastScale: { lag: 2000, producedPerSecond: 100 },
    };
    expect(decideScale(settings, obs(3, [4000]), state, T0)).toMatchObject({ action: 'hold' });
    expect(decideScale(settings, obs(3, [9000]), state, T0)).toMatchObject({
      action: 'scale-up',
      desiredReplicas: 9,
    });
  });

  it('does not hold activation from zero', () => {
    const state = { ...fresh, lastScaleTime: T0 - 5_000 };
    expect(decideScale(settings, obs(0, [2500]), state, T0).desiredReplicas).toBe(3);
  });
});

describe('activation', () => {
  it('stays at zero up to the activation threshold, then wakes to the full size', () => {
    expect(decideScale(settings, obs(0, [10]), fresh, T0)).toMatchObject({
      desiredReplicas: 0,
      sizing: 'inactive',
    });
    expect(decideScale(settings, obs(0, [11]), fresh, T0)).toMatchObject({
      desiredReplicas: 1,
      sizing: 'activation',
    });
    expect(decideScale(settings, obs(0, [4000, 3000]), fresh, T0).desiredReplicas).toBe(7);
  });

  it('wakes on traffic to partitions without commits (latest), which is not backlog', () => {
    const d = decideScale(settings, obs(0, [], { uncommittedTraffic: 500 }), fresh, T0);
    expect(d).toMatchObject({ desiredReplicas: 1, sizing: 'activation' });
  });
});

describe('stalled partitions', () => {
  it('count as at most one replica of lag', () => {
    expect(
      effectiveLag(
        [
          { lag: 50_000, stalled: true },
          { lag: 300, stalled: true },
          { lag: 2500, stalled: false },
        ],
        1000,
      ),
    ).toBe(3800);
    const o = obs(2, [], {
      partitions: [
        { lag: 500_000, stalled: true },
        ...Array.from({ length: 11 }, () => ({ lag: 200, stalled: false })),
      ],
    });
    expect(decideScale(settings, o, fresh, T0).desiredReplicas).toBe(4);
  });

  it('do not scale up when every partition behind is stalled', () => {
    const o = obs(3, [], {
      partitions: Array.from({ length: 12 }, () => ({ lag: 90_000, stalled: true })),
    });
    expect(decideScale(settings, o, fresh, T0)).toMatchObject({
      action: 'hold',
      limitedBy: ['AllStalled'],
    });
  });

  it('still scale down by the healthy demand when the only lag is stalled', () => {
    const o = obs(9, [], {
      producedPerSecond: 350,
      partitions: [
        { lag: 50_000, stalled: true },
        ...Array.from({ length: 11 }, () => ({ lag: 0, stalled: false })),
      ],
    });
    const d = decideScale(settings, o, measured(initialScalingState(T0, 9)), T0 + 200_000);
    // 350/s at 100/s each with 5% to spare -> 4; the step limit allows 9 -> 5.
    expect(d).toMatchObject({ action: 'scale-down', desiredReplicas: 5 });
  });
});

describe('read errors', () => {
  it('hold the current replicas, say why, and leave the state alone', () => {
    const state = initialScalingState(T0, 4);
    const d = decideScale(
      settings,
      { kind: 'error', currentReplicas: 4, error: 'broker down' },
      state,
      T0 + 500_000,
    );
    expect(d).toMatchObject({ desiredReplicas: 4, action: 'hold', limitedBy: ['ReadError'] });
    expect(d.reasons[0]).toContain('broker down');
    expect(d.nextState).toBe(state);
  });
});

describe('properties over generated histories', () => {
  it('respects bounds, windows, steps and dwell on every step', () => {
    const rnd = seededRandom(2024);
    for (let run = 0; run < 300; run++) {
      const s: ScalingSettings = {
        minReplicas: rnd.int(0, 3),
        maxReplicas: rnd.int(3, 30),
        lagThreshold: rnd.pick([1, 10, 100, 1000]),
        activationLagThreshold: rnd.int(0, 50),
        drainTargetSeconds: rnd.bool() ? null : rnd.int(10, 300),
        allowIdleConsumers: rnd.bool(0.3),
        scaleDownStabilizationSeconds: rnd.int(0, 300),
        scaleDownMaxStepPercent: rnd.int(1, 100),
        dwellSeconds: rnd.int(0, 60),
        rebalanceSeconds: rnd.int(0, 30),
      };
      const partitions = rnd.int(1, 24);
      let current = rnd.int(0, s.maxReplicas);
      let now = T0;
      let state = initialScalingState(now, current);
      const history: { time: number; replicas: number }[] = [];
      let lastChange: number | null = null;
      for (let step = 0; step < 60; step++) {
        now += rnd.int(1, 30) * 1000;
        if (rnd.bool(0.05)) {
          const d = decideScale(
            s,
            { kind: 'error', currentReplicas: current, error: 'x' },
            state,
            now,
          );
          expect(d.desiredReplicas).toBe(current);
          state = d.nextState;
          continue;
        }
        const o: ObservedGroup = {
          kind: 'observed',
          currentReplicas: current,
          partitionCount: partitions,
          partitions: Array.from({ length: partitions }, () => ({
            lag: rnd.bool(0.3) ? 0 : rnd.int(0, 20 * s.lagThreshold),
            stalled: rnd.bool(0.1),
          })),
          producedPerSecond: rnd.bool(0.1) ? null : rnd.pick([0, rnd.int(1, 5000)]),
          replicaCapacity: rnd.bool(0.5) ? null : rnd.int(1, 500),
          uncommittedTraffic: rnd.bool(0.9) ? 0 : rnd.int(0, 100),
        };
        const d = decideScale(s, o, state, now);
        history.push({ time: now, replicas: d.nextState.recommendations.at(-1)!.replicas });
        const ceiling = s.allowIdleConsumers ? s.maxReplicas : Math.min(s.maxReplicas, partitions);
        const upper = Math.max(ceiling, s.minReplicas);
        if (current > upper) {
          // Out of bounds (a hand scale, a lowered max): straight back inside.
          expect(d.desiredReplicas).toBe(upper);
          lastChange = now;
          state = d.nextState;
          current = d.desiredReplicas;
          continue;
        }
        if (d.desiredReplicas !== current) {
          // Every change lands inside the bounds (minReplicas wins over the ceiling).
          expect(d.desiredReplicas).toBeGreaterThanOrEqual(s.minReplicas);
          expect(d.desiredReplicas).toBeLessThanOrEqual(Math.max(ceiling, s.minReplicas));
          // Dwell: no change too soon after the last one, except waking from zero and a
          // scale-up on lag that even a complete pause cannot explain.
          const soon = lastChange !== null && now - lastChange < s.dwellSeconds * 1000;
          if (soon && current > 0 && current >= s.minReplicas) {
            expect(d.action).toBe('scale-up');
            expect(d.reasons.join(' ')).toMatch(/beyond what the rebalance explains/);
          }
          lastChange = now;
        }
        if (d.desiredReplicas < current) {
          // Step limit, and the window: nothing in it asked for the current size or more.
          const maxStep = Math.max(1, Math.floor((current * s.scaleDownMaxStepPercent) / 100));
          expect(current - d.desiredReplicas).toBeLessThanOrEqual(maxStep);
          const inWindow = history.filter(
            (h) => h.time > now - s.scaleDownStabilizationSeconds * 1000,
          );
          for (const h of inWindow) expect(h.replicas).toBeLessThan(current);
        }
        if (d.desiredReplicas > current && current > 0) {
          // Up in one step: straight to the recommendation.
          expect(d.desiredReplicas).toBe(d.nextState.recommendations.at(-1)!.replicas);
        }
        state = d.nextState;
        current = d.desiredReplicas;
      }
    }
  });

  it('never asks for fewer replicas when there is more lag (monotone in lag)', () => {
    const rnd = seededRandom(99);
    for (let run = 0; run < 1000; run++) {
      const partitions = rnd.int(1, 24);
      const lags = Array.from({ length: partitions }, () => rnd.int(0, 20_000));
      const more = lags.map((l) => l + (rnd.bool() ? rnd.int(0, 5000) : 0));
      const s = { ...settings, drainTargetSeconds: rnd.bool() ? null : 60 };
      const state = {
        ...fresh,
        perReplicaRate: rnd.bool() ? null : { value: rnd.int(1, 500), time: 0 },
      };
      const current = rnd.int(1, 12);
      const base = { producedPerSecond: rnd.int(1, 2000) };
      const a = decideScale(s, obs(current, lags, base, partitions), state, T0);
      const b = decideScale(s, obs(current, more, base, partitions), state, T0);
      expect(b.neededReplicas).toBeGreaterThanOrEqual(a.neededReplicas);
    }
  });

  it('reaches the ceiling from anywhere below it in one decision when lag demands it', () => {
    const rnd = seededRandom(5);
    for (let run = 0; run < 500; run++) {
      const partitions = rnd.int(1, 100);
      const current = rnd.int(1, partitions);
      const lags = Array.from({ length: partitions }, () => rnd.int(2000, 10_000));
      const d = decideScale(
        { ...settings, maxReplicas: 200 },
        obs(current, lags, {}, partitions),
        fresh,
        T0,
      );
      expect(d.desiredReplicas).toBe(
        Math.min(partitions, Math.ceil(lags.reduce((x, y) => x + y) / 1000)),
      );
    }
  });
});
