import { describe, expect, it } from 'vitest';
import type { PartitionSample } from './rates.ts';
import { seededRandom } from './seeded-random.ts';
import { estimateTimeLag, groupTimeLag } from './time-lag.ts';

const s = (time: number, end: number): PartitionSample => ({ time, end, committed: 0, lag: 0 });

describe('estimateTimeLag', () => {
  it('is zero when the group is at the head', () => {
    expect(estimateTimeLag([s(0, 100)], 100, 50_000)).toEqual({ seconds: 0, method: 'caught-up' });
    expect(estimateTimeLag([], 0, 0)).toEqual({ seconds: null, method: 'unknown' });
  });

  it('interpolates when the end offset passed the position', () => {
    // End went 0 -> 100 over 10 s, so offset 50 appeared at 5 s; at 20 s that is 15 s behind.
    expect(estimateTimeLag([s(0, 0), s(10_000, 100), s(20_000, 200)], 50, 20_000)).toEqual({
      seconds: 15,
      method: 'interpolated',
    });
  });

  it('uses the last sample still at or below the position across a flat stretch', () => {
    // Nothing produced 0-10 s; offset 100 appeared after 10 s.
    const samples = [s(0, 100), s(10_000, 100), s(20_000, 300)];
    expect(estimateTimeLag(samples, 100, 30_000)).toEqual({ seconds: 20, method: 'interpolated' });
  });

  it('extrapolates along the window rate when the position is older than the window', () => {
    // 10 msg/s; position 100 below the first sample's 200 -> appeared 10 s before it.
    expect(estimateTimeLag([s(60_000, 200), s(70_000, 300)], 100, 70_000)).toEqual({
      seconds: 20,
      method: 'extrapolated',
    });
  });

  it('reports a lower bound when nothing was produced in the window', () => {
    expect(estimateTimeLag([s(60_000, 200), s(70_000, 200)], 100, 90_000)).toEqual({
      seconds: 30,
      method: 'lower-bound',
    });
  });

  it('is unknown from a single sample behind the head', () => {
    expect(estimateTimeLag([s(0, 200)], 100, 10_000)).toEqual({ seconds: null, method: 'unknown' });
  });

  it('recovers the true age at a constant produce rate (generated)', () => {
    const rnd = seededRandom(3);
    for (let run = 0; run < 500; run++) {
      const rate = rnd.int(1, 5000); // messages per second
      const start = rnd.int(0, 1_000_000);
      const samples: PartitionSample[] = [];
      for (let t = 0; t <= 120_000; t += rnd.int(1000, 15_000)) {
        samples.push(s(t, start + Math.round((rate * t) / 1000)));
      }
      const now = samples.at(-1)!.time;
      const behindMs = rnd.int(0, 300_000);
      const position = start + Math.round((rate * (now - behindMs)) / 1000);
      const est = estimateTimeLag(samples, position, now);
      if (position >= samples.at(-1)!.end) {
        expect(est.seconds).toBe(0);
      } else {
        // Offsets are integers, so allow a message's worth of slack plus rounding.
        expect(est.seconds!).toBeCloseTo(behindMs / 1000, 0);
      }
    }
  });
});

describe('groupTimeLag', () => {
  it('is the worst known partition', () => {
    expect(
      groupTimeLag([
        { seconds: 3, method: 'interpolated' },
        { seconds: null, method: 'unknown' },
        { seconds: 9, method: 'extrapolated' },
      ]),
    ).toBe(9);
    expect(groupTimeLag([{ seconds: null, method: 'unknown' }])).toBeNull();
  });
});
