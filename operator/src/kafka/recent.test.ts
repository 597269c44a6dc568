import { describe, expect, it } from 'vitest';
import { Recent } from './recent.ts';

describe('Recent', () => {
  it('shares one answer within the ttl and asks again after it', async () => {
    let now = 0;
    let calls = 0;
    const r = new Recent<string, number>(1000, () => now);
    const load = async () => ++calls;
    expect(await Promise.all([r.get('a', load), r.get('a', load)])).toEqual([1, 1]);
    now = 999;
    expect(await r.get('a', load)).toBe(1);
    now = 1000;
    expect(await r.get('a', load)).toBe(2);
    expect(await r.get('b', load)).toBe(3);
  });

  it('does not keep a failure', async () => {
    const r = new Recent<string, number>(1000, () => 0);
    await expect(r.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await r.get('a', async () => 7)).toBe(7);
  });
});
