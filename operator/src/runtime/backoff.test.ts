import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap', () => {
    const p = { baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 5, 1000].map((n) => backoffDelay(p, n))).toEqual([
      0, 100, 200, 400, 800, 1000, 1000,
    ]);
  });
  it('spreads delays with jitter', () => {
    const p = { baseMs: 1000, maxMs: 1000, jitter: 0.5 };
    expect(backoffDelay(p, 1, () => 0)).toBe(1000);
    expect(backoffDelay(p, 1, () => 1)).toBe(500);
  });
});
