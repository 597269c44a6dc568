import { describe, expect, it } from 'vitest';
import type { PartitionOffsets } from './lag.ts';
import { computeLag, partitionLag } from './lag.ts';
import { seededRandom } from './seeded-random.ts';

const p = (
  partition: number,
  committed: number | null,
  end: number,
  logStart = 0,
  topic = 'orders',
): PartitionOffsets => ({ topic, partition, committed, end, logStart });

function lagOf(partitions: PartitionOffsets[], policy: 'latest' | 'earliest' = 'latest') {
  const r = computeLag(partitions, policy);
  if (!r.ok) throw new Error(r.error);
  return r.lag;
}

describe('partitionLag', () => {
  it('measures from the committed offset', () => {
    expect(partitionLag(p(0, 40, 100), 'latest')).toMatchObject({ lag: 60, basis: 'committed' });
  });

  it('latest: a partition without a committed offset is not backlog', () => {
    expect(partitionLag(p(0, null, 100, 10), 'latest')).toMatchObject({ lag: 0, basis: 'end' });
  });

  it('earliest: backlog counts from the log start, not from zero', () => {
    expect(partitionLag(p(0, null, 100, 70), 'earliest')).toMatchObject({
      lag: 30,
      basis: 'log-start',
    });
  });

  it('committed beyond the end (truncation) counts as no lag, never negative', () => {
    expect(partitionLag(p(0, 150, 100), 'earliest')).toMatchObject({ lag: 0, basis: 'ahead' });
  });

  it('committed below the log start resolves by the reset policy and is flagged', () => {
    expect(partitionLag(p(0, 5, 100, 60), 'earliest')).toMatchObject({
      lag: 40,
      basis: 'log-start',
      outOfRange: true,
    });
    expect(partitionLag(p(0, 5, 100, 60), 'latest')).toMatchObject({
      lag: 0,
      basis: 'end',
      outOfRange: true,
    });
  });

  it('committed exactly at the log start or the end is in range', () => {
    expect(partitionLag(p(0, 60, 100, 60), 'latest')).toMatchObject({ lag: 40, outOfRange: false });
    expect(partitionLag(p(0, 100, 100, 60), 'latest')).toMatchObject({
      lag: 0,
      basis: 'committed',
    });
  });
});

describe('computeLag', () => {
  it('sums totals, max partition, partitions with lag and per-topic figures', () => {
    const lag = lagOf([
      p(0, 10, 110),
      p(1, 200, 200),
      p(2, 0, 50),
      p(0, null, 500, 0, 'audit'),
      p(1, 100, 90, 0, 'audit'),
    ]);
    expect(lag).toMatchObject({
      total: 150,
      maxPartition: 100,
      partitionsWithLag: 2,
      partitionCount: 5,
      uncommitted: 1,
      ahead: 1,
    });
    expect(lag.topics).toEqual([
      { topic: 'audit', total: 0, maxPartition: 0, partitionsWithLag: 0, partitions: 2 },
      { topic: 'orders', total: 150, maxPartition: 100, partitionsWithLag: 2, partitions: 3 },
    ]);
  });

  it('an empty group has no lag', () => {
    expect(lagOf([])).toMatchObject({ total: 0, maxPartition: 0, partitionCount: 0 });
  });

  it.each([
    ['a non-integer end', p(0, 1, Number.NaN)],
    ['a negative end', p(0, null, -1)],
    ['a log start after the end', p(0, null, 10, 11)],
    ['a negative committed offset', p(0, -1, 10)],
  ])('refuses %s rather than read it as zero lag', (_name, bad) => {
    const r = computeLag([p(1, 0, 10), bad], 'latest');
    expect(r.ok).toBe(false);
  });

  it('refuses a partition reported twice', () => {
    expect(computeLag([p(0, 0, 10), p(0, 0, 10)], 'latest')).toMatchObject({ ok: false });
  });

  it('properties over generated polls', () => {
    const rnd = seededRandom(42);
    for (let run = 0; run < 500; run++) {
      const partitions: PartitionOffsets[] = [];
      const count = rnd.int(0, 20);
      for (let i = 0; i < count; i++) {
        const logStart = rnd.int(0, 1000);
        const end = logStart + rnd.int(0, 5000);
        const committed = rnd.bool(0.2) ? null : rnd.int(0, end + 500);
        partitions.push(p(i, committed, end, logStart, rnd.pick(['a', 'b', 'c'])));
      }
      const latest = lagOf(partitions, 'latest');
      const earliest = lagOf(partitions, 'earliest');
      for (const l of [latest, earliest]) {
        expect(l.total).toBe(l.partitions.reduce((a, x) => a + x.lag, 0));
        expect(l.topics.reduce((a, t) => a + t.total, 0)).toBe(l.total);
        expect(l.maxPartition).toBeLessThanOrEqual(l.total);
        expect(l.partitionsWithLag).toBeLessThanOrEqual(l.partitionCount);
        l.partitions.forEach((x, i) => {
          const src = partitions[i]!;
          expect(x.lag).toBeGreaterThanOrEqual(0);
          // Nothing can be behind by more than the log holds.
          expect(x.lag).toBeLessThanOrEqual(src.end - src.logStart);
        });
      }
      earliest.partitions.forEach((x, i) => {
        expect(x.lag).toBeGreaterThanOrEqual(latest.partitions[i]!.lag);
      });
    }
  });
});
