import { describe, expect, it } from 'vitest';
import type { HealthSettings } from './health.ts';
import { evaluateGroup, evaluatePartition, worstHealth } from './health.ts';
import type { PartitionSample } from './rates.ts';
import { seededRandom } from './seeded-random.ts';

const settings: HealthSettings = { windowMs: 120_000, minSamples: 3, minSpanMs: 60_000 };

/** Samples every 10 s over 100 s from (end, committed) pairs. */
function series(points: [number, number | null][]): PartitionSample[] {
  return points.map(([end, committed], i) => ({
    time: i * 10_000,
    end,
    committed,
    lag: committed === null ? end : Math.max(0, end - committed),
  }));
}
const now = 100_000;
const grow = (f: (i: number) => [number, number | null]) =>
  series(Array.from({ length: 11 }, (_, i) => f(i)));

describe('evaluatePartition', () => {
  it('is Ok while warming up, however bad it looks', () => {
    const short = grow((i) => [1000 + i * 100, 0]).slice(-3); // spans 20 s
    expect(evaluatePartition(short, 0, now, settings)).toEqual({
      health: 'Ok',
      reason: 'warming-up',
    });
  });

  it('is Ok when lag touched zero in the window', () => {
    const s = grow((i) => [1000 + i * 100, i === 4 ? 1400 : 500 + i * 50]);
    expect(evaluatePartition(s, 3, now, settings)).toEqual({
      health: 'Ok',
      reason: 'reached-head',
    });
  });

  it('is Ok when catching up', () => {
    const s = grow((i) => [1000 + i * 10, 100 + i * 50]);
    expect(evaluatePartition(s, 3, now, settings)).toEqual({ health: 'Ok', reason: 'catching-up' });
  });

  it('is Lagging when moving but not catching up, even with a commit saw-tooth', () => {
    const s = grow((i) => [1000 + i * 100, 500 + i * 60 + (i % 2 ? 30 : 0)]);
    expect(evaluatePartition(s, 3, now, settings)).toEqual({
      health: 'Lagging',
      reason: 'not-catching-up',
    });
  });

  it('is Stalled when members commit the same offset while lag holds or grows', () => {
    const s = grow((i) => [1000 + i * 100, 500]);
    expect(evaluatePartition(s, 3, now, settings)).toEqual({
      health: 'Stalled',
      reason: 'same-offset',
    });
    const flat = grow(() => [1000, 500]);
    expect(evaluatePartition(flat, 3, now, settings).health).toBe('Stalled');
  });

  it('is Stopped when nobody is in the group', () => {
    const s = grow((i) => [1000 + i * 100, 500]);
    expect(evaluatePartition(s, 0, now, settings)).toEqual({
      health: 'Stopped',
      reason: 'no-members',
    });
  });

  it('is Stopped when there has never been a commit', () => {
    const s = grow((i) => [1000 + i * 100, null]);
    expect(evaluatePartition(s, 2, now, settings)).toEqual({
      health: 'Stopped',
      reason: 'no-commits',
    });
  });

  it('treats a rewind as Ok (a reset, not a failure)', () => {
    const s = grow((i) => [1000 + i * 100, i < 5 ? 800 : 100]);
    expect(evaluatePartition(s, 1, now, settings)).toEqual({ health: 'Ok', reason: 'rewound' });
  });

  it('judges only the window', () => {
    // Stalled long ago, moving and catching up within the last 120 s.
    const old = grow(() => [1000, 100]).map((x) => ({ ...x, time: x.time - 500_000 }));
    const recent = grow((i) => [1000 + i, 200 + i * 50]);
    expect(evaluatePartition([...old, ...recent], 1, now, settings).health).toBe('Ok');
  });

  it('only ever reports Stalled or Stopped when the committed offset did not advance (generated)', () => {
    const rnd = seededRandom(11);
    for (let run = 0; run < 2000; run++) {
      let end = rnd.int(0, 1000);
      let committed: number | null = rnd.bool(0.1) ? null : rnd.int(0, end);
      const samples: PartitionSample[] = [];
      for (let i = 0; i < rnd.int(1, 15); i++) {
        end += rnd.int(0, 100);
        if (committed !== null && rnd.bool(0.5))
          committed = Math.min(end, committed + rnd.int(0, 120));
        samples.push({ time: i * 10_000, end, committed, lag: end - (committed ?? 0) });
      }
      const t = samples.at(-1)!.time;
      const h = evaluatePartition(samples, rnd.int(0, 3), t, settings);
      const c = samples.map((x) => x.committed);
      if (h.health === 'Stalled' || h.health === 'Stopped') {
        expect(new Set(c).size).toBe(1);
        expect(samples.every((x) => x.lag > 0)).toBe(true);
      }
      if (h.health === 'Lagging')
        expect(samples.at(-1)!.lag).toBeGreaterThanOrEqual(samples[0]!.lag);
    }
  });
});

describe('evaluateGroup', () => {
  it('is the worst partition', () => {
    const ok = grow((i) => [1000 + i * 10, 100 + i * 50]);
    const stalled = grow((i) => [1000 + i * 100, 500]);
    const g = evaluateGroup(
      {
        't/0': { topic: 't', partition: 0, samples: ok },
        't/1': { topic: 't', partition: 1, samples: stalled },
      },
      2,
      now,
      settings,
    );
    expect(g.health).toBe('Stalled');
    expect(g.partitions.map((p) => p.health)).toEqual(['Ok', 'Stalled']);
  });

  it('orders severities Ok < Lagging < Stalled < Stopped', () => {
    expect(worstHealth('Ok', 'Lagging')).toBe('Lagging');
    expect(worstHealth('Stopped', 'Stalled')).toBe('Stopped');
    expect(worstHealth('Stalled', 'Lagging')).toBe('Stalled');
    expect(evaluateGroup({}, 0, 0).health).toBe('Ok');
  });
});
