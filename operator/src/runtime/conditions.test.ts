import { describe, expect, it } from 'vitest';
import {
  findCondition,
  isConditionTrue,
  removeCondition,
  setCondition,
  setKstatusConditions,
  type Condition,
} from './conditions.ts';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00.000Z');

describe('setCondition', () => {
  it('adds a condition with a second-precision transition time', () => {
    const out = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending' }, t0);
    expect(out).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Pending',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  it('moves lastTransitionTime only when the status flips', () => {
    const a = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'A', observedGeneration: 1 },
      t0,
    );
    const b = setCondition(
      a,
      { type: 'Ready', status: 'False', reason: 'B', message: 'm', observedGeneration: 2 },
      t1,
    );
    expect(b[0]).toMatchObject({
      reason: 'B',
      message: 'm',
      observedGeneration: 2,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    const c = setCondition(
      b,
      { type: 'Ready', status: 'True', reason: 'Ok', observedGeneration: 2 },
      t1,
    );
    expect(c[0]!.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
  });

  it('returns the same array when nothing changes and never mutates its input', () => {
    const a = setCondition(
      [],
      { type: 'Ready', status: 'True', reason: 'Ok', observedGeneration: 3 },
      t0,
    );
    const frozen = Object.freeze([...a]);
    const same = setCondition(
      frozen,
      { type: 'Ready', status: 'True', reason: 'Ok', observedGeneration: 3 },
      t1,
    );
    expect(same).toBe(frozen);
    const other = setCondition(frozen, { type: 'Degraded', status: 'False', reason: 'Fine' }, t1);
    expect(other.map((c) => c.type)).toEqual(['Ready', 'Degraded']);
    expect(frozen.length).toBe(1);
  });

  it('finds, tests and removes', () => {
    const a = setCondition([], { type: 'Ready', status: 'True', reason: 'Ok' }, t0);
    expect(isConditionTrue(a, 'Ready')).toBe(true);
    expect(isConditionTrue(a, 'Other')).toBe(false);
    expect(findCondition(a, 'Ready')?.reason).toBe('Ok');
    expect(removeCondition(a, 'Ready')).toEqual([]);
  });
});

describe('setKstatusConditions', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const find = (c: Condition[], t: string) => c.find((x) => x.type === t)!;
  it('Ready: neither reconciling nor stalled', () => {
    const c = setKstatusConditions(
      [],
      { status: 'True', reason: 'Ok', message: '' },
      false,
      3,
      now,
    );
    expect(find(c, 'Reconciling').status).toBe('False');
    expect(find(c, 'Stalled').status).toBe('False');
  });
  it('waiting on something that resolves by itself: Reconciling with Ready’s reason', () => {
    const c = setKstatusConditions(
      [],
      { status: 'False', reason: 'ClusterNotReady', message: 'wait' },
      false,
      3,
      now,
    );
    expect(find(c, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'ClusterNotReady',
      observedGeneration: 3,
    });
    expect(find(c, 'Stalled').status).toBe('False');
  });
  it('needs a person: Stalled', () => {
    const c = setKstatusConditions(
      [],
      { status: 'False', reason: 'Conflict', message: 'older wins' },
      true,
      3,
      now,
    );
    expect(find(c, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'Conflict',
      message: 'older wins',
    });
    expect(find(c, 'Reconciling').status).toBe('False');
  });
});
