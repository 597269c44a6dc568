import { describe, expect, it } from 'vitest';
import { nextPollDelayMs } from './poll-clock.ts';

const tick = 1_764_763_200_000; // a multiple of 5 s since the epoch

describe('nextPollDelayMs', () => {
  it('a poll that started on a tick polls again on the next tick, however long it took', () => {
    expect(nextPollDelayMs(tick, tick + 30, 5000)).toBe(4970);
    expect(nextPollDelayMs(tick + 7, tick + 900, 5000)).toBe(4100);
  });

  it('a timer that fired a millisecond early still lands on the next tick, not on this one', () => {
    expect(nextPollDelayMs(tick - 1, tick + 20, 5000)).toBe(4980);
  });

  it('groups that started anywhere in an interval meet on one tick', () => {
    const next = (start: number) => start + 10 + nextPollDelayMs(start, start + 10, 5000);
    const starts = [tick - 400, tick + 100, tick + 2499, tick + 4400];
    expect(new Set(starts.map(next))).toEqual(new Set([tick + 5000]));
  });

  it('a poll that started late still polls on the next tick, unless that is too close', () => {
    expect(nextPollDelayMs(tick + 4000, tick + 4100, 5000)).toBe(900);
    expect(nextPollDelayMs(tick + 4600, tick + 4700, 5000)).toBe(5300);
    for (let start = tick; start < tick + 10_000; start += 137) {
      const at = start + nextPollDelayMs(start, start, 5000);
      expect(at - start).toBeGreaterThanOrEqual(500);
      expect(at - start).toBeLessThanOrEqual(5500);
      expect(at % 5000).toBe(0);
    }
  });

  it('is never negative when the poll ran past its next tick', () => {
    expect(nextPollDelayMs(tick, tick + 6000, 5000)).toBe(0);
  });

  it('aligns each interval on its own multiples', () => {
    expect((tick + 100 + nextPollDelayMs(tick + 100, tick + 100, 60_000)) % 60_000).toBe(0);
  });
});
