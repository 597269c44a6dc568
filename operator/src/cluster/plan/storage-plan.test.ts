import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../model/quantity.ts';
import { claimName, planStorage } from './storage-plan.ts';

const claims = [0, 1, 2].map((i) => ({
  name: claimName('demo-broker', i),
  requested: '10Gi',
  storageClassName: 'standard',
  bound: true,
}));

describe('planStorage', () => {
  it('does nothing when the size is unchanged or storage is ephemeral', () => {
    expect(planStorage({ type: 'persistent-claim', size: '10Gi' }, claims, true)).toEqual({
      expand: [],
      problems: [],
    });
    expect(planStorage({ type: 'ephemeral' }, claims, true)).toEqual({ expand: [], problems: [] });
  });

  it('expands every claim when the size grows and the class allows it', () => {
    expect(planStorage({ type: 'persistent-claim', size: '20Gi' }, claims, true).expand).toEqual([
      { name: 'data-demo-broker-0', size: '20Gi' },
      { name: 'data-demo-broker-1', size: '20Gi' },
      { name: 'data-demo-broker-2', size: '20Gi' },
    ]);
  });

  it('treats equal quantities written differently as equal', () => {
    expect(planStorage({ type: 'persistent-claim', size: '10240Mi' }, claims, true).expand).toEqual(
      [],
    );
  });

  it('leaves a claim that is not bound yet for later (the API server would refuse it)', () => {
    const waiting = [...claims.slice(0, 2), { ...claims[2]!, bound: false }];
    const plan = planStorage({ type: 'persistent-claim', size: '20Gi' }, waiting, true);
    expect(plan.expand.map((e) => e.name)).toEqual(['data-demo-broker-0', 'data-demo-broker-1']);
    expect(plan.problems).toEqual([]);
  });

  it('refuses to shrink', () => {
    const plan = planStorage({ type: 'persistent-claim', size: '5Gi' }, claims, true);
    expect(plan.expand).toEqual([]);
    expect(plan.problems[0]).toContain('cannot shrink');
  });

  it('refuses when the StorageClass does not allow expansion', () => {
    const plan = planStorage({ type: 'persistent-claim', size: '20Gi' }, claims, false);
    expect(plan).toEqual({
      expand: [],
      problems: [expect.stringContaining('StorageClass standard does not allow volume expansion')],
    });
  });
});

describe('parseQuantity', () => {
  it('reads binary and decimal suffixes, exponents and millis', () => {
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity(42)).toBe(42);
    expect(parseQuantity('lots')).toBeUndefined();
  });
});
