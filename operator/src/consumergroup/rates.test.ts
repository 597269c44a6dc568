import { describe, expect, it } from 'vitest';
import type { LagSummary, PartitionOffsets } from './lag.ts';
import { computeLag } from './lag.ts';
import type { OffsetWindows, PartitionSample } from './rates.ts';
import { backloggedThroughout, consumeRate, groupRates, produceRate, recordPoll } from './rates.ts';
import { seededRandom } from './seeded-random.ts';

function lag(parts: PartitionOffsets[]): LagSummary {
  const r = computeLag(parts, 'latest');
  if (!r.ok) throw new Error(r.error);
  return r.lag;
}
const po = (partition: number, committed: number | null, end: number): PartitionOffsets => ({
  topic: 't',
  partition,
  committed,
  end,
  logStart: 0,
});
const s = (time: number, end: number, committed: number | null): PartitionSample => ({
  time,
  end,
  committed,
  lag: committed === null ? 0 : end - committed,
});

describe('recordPoll', () => {
  it('appends, trims by age and by count, and forgets partitions no longer polled', () => {
    let w: OffsetWindows = {};
    const limits = { maxAgeMs: 30_000, maxSamples: 4 };
    for (let i = 0; i <= 10; i++) {
      const parts = [po(0, i * 10, i * 20)];
      if (i < 5) parts.push(po(1, 0, 0));
      w = recordPoll(w, i * 5_000, lag(parts), limits);
    }
    expect(Object.keys(w)).toEqual(['t/0']);
    expect(w['t/0']!.samples.map((x) => x.time)).toEqual([35_000, 40_000, 45_000, 50_000]);

    const aged = recordPoll(w, 200_000, lag([po(0, 100, 300)]), limits);
    expect(aged['t/0']!.samples).toHaveLength(1);
  });

  it('restarts a window whose end offset went backwards (topic recreated)', () => {
    let w = recordPoll({}, 0, lag([po(0, 0, 100)]));
    w = recordPoll(w, 5_000, lag([po(0, 50, 200)]));
    w = recordPoll(w, 10_000, lag([po(0, 0, 10)]));
    expect(w['t/0']!.samples).toEqual([s(10_000, 10, 0)]);
  });

  it('restarts on a poll not later than the last one', () => {
    let w = recordPoll({}, 5_000, lag([po(0, 0, 100)]));
    w = recordPoll(w, 5_000, lag([po(0, 0, 120)]));
    expect(w['t/0']!.samples).toHaveLength(1);
  });

  it('keeps windows bounded and ordered whatever the polls (generated)', () => {
    const rnd = seededRandom(7);
    const limits = { maxAgeMs: rnd.int(10_000, 60_000), maxSamples: rnd.int(2, 12) };
    let w: OffsetWindows = {};
    let t = 0;
    const ends = [0, 0, 0];
    for (let i = 0; i < 500; i++) {
      t += rnd.int(1, 20_000);
      const parts = ends.map((e, k) => {
        ends[k] = rnd.bool(0.02) ? 0 : e + rnd.int(0, 1000);
        return po(k, rnd.bool(0.1) ? null : rnd.int(0, ends[k]!), ends[k]!);
      });
      w = recordPoll(w, t, lag(parts), limits);
      for (const win of Object.values(w)) {
        expect(win.samples.length).toBeLessThanOrEqual(limits.maxSamples);
        for (let j = 1; j < win.samples.length; j++) {
          expect(win.samples[j]!.time).toBeGreaterThan(win.samples[j - 1]!.time);
          expect(win.samples[j]!.end).toBeGreaterThanOrEqual(win.samples[j - 1]!.end);
        }
        expect(win.samples[0]!.time).toBeGreaterThanOrEqual(t - limits.maxAgeMs);
      }
    }
  });
});

describe('rates', () => {
  it('produce rate is end offsets over time', () => {
    expect(produceRate([s(0, 0, 0), s(10_000, 500, 0)])).toBe(50);
    expect(produceRate([s(0, 0, 0)])).toBeNull();
    expect(produceRate([])).toBeNull();
  });

  it('consume rate uses committed offsets, skipping samples without a commit', () => {
    expect(consumeRate([s(0, 100, null), s(5_000, 100, 10), s(15_000, 200, 110)])).toBe(10);
    expect(consumeRate([s(0, 100, null), s(5_000, 100, null)])).toBeNull();
  });

  it('consume rate starts over after a rewind rather than going negative', () => {
    expect(consumeRate([s(0, 900, 800), s(10_000, 900, 100), s(20_000, 900, 300)])).toBe(20);
  });

  it('group rates sum partitions; a partition that never commits consumes nothing', () => {
    let w = recordPoll({}, 0, lag([po(0, 0, 0), po(1, null, 0)]));
    w = recordPoll(w, 10_000, lag([po(0, 300, 1000), po(1, null, 500)]));
    expect(groupRates(w)).toEqual({
      producedPerSecond: 150,
      consumedPerSecond: 30,
      windowSeconds: 10,
    });
    expect(groupRates(w, 5_000)).toEqual({
      producedPerSecond: null,
      consumedPerSecond: null,
      windowSeconds: 0,
    });
  });

  it('backlogged throughout needs lag at every sample over the minimum span', () => {
    let w = recordPoll({}, 0, lag([po(0, 0, 100)]));
    w = recordPoll(w, 10_000, lag([po(0, 50, 200)]));
    w = recordPoll(w, 20_000, lag([po(0, 150, 300)]));
    expect(backloggedThroughout(w, ['t/0'], 0, 20_000, 0)).toBe(true);
    expect(backloggedThroughout(w, ['t/0'], 0, 30_000, 0)).toBe(false);
    expect(backloggedThroughout(w, [], 0, 0, 0)).toBe(false);
    expect(backloggedThroughout(w, ['t/9'], 0, 0, 0)).toBe(false);
    w = recordPoll(w, 30_000, lag([po(0, 300, 300)]));
    expect(backloggedThroughout(w, ['t/0'], 0, 0, 0)).toBe(false);
  });

  it('lag that commits not yet made explain is not a backlog', () => {
    // 20 msg/s, a consumer that keeps up and commits every 5 s, polled between its commits:
    // 60-80 messages behind at every poll.
    let w = recordPoll({}, 0, lag([po(0, 940, 1000)]));
    w = recordPoll(w, 5_000, lag([po(0, 1020, 1100)]));
    w = recordPoll(w, 10_000, lag([po(0, 1130, 1200)]));
    w = recordPoll(w, 20_000, lag([po(0, 1330, 1400)]));
    expect(backloggedThroughout(w, ['t/0'], 0, 20_000, 10_000)).toBe(false);
    // Slowed by latency (a starved CPU): 15 s of production behind, but consuming all of it.
    let slow = recordPoll({}, 0, lag([po(0, 700, 1000)]));
    slow = recordPoll(slow, 10_000, lag([po(0, 900, 1200)]));
    slow = recordPoll(slow, 20_000, lag([po(0, 1100, 1400)]));
    expect(backloggedThroughout(slow, ['t/0'], 0, 20_000, 10_000)).toBe(false);
    // A real backlog (1,000+ behind) is more than 10 s of its production, and grows.
    let b = recordPoll({}, 0, lag([po(0, 0, 1000)]));
    b = recordPoll(b, 10_000, lag([po(0, 150, 1200)]));
    b = recordPoll(b, 20_000, lag([po(0, 300, 1400)]));
    expect(backloggedThroughout(b, ['t/0'], 0, 20_000, 10_000)).toBe(true);
  });
});
