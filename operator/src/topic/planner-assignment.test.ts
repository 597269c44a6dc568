import { describe, expect, it } from 'vitest';
import { assignReplicas, reassignmentFor, type PartitionReplicas } from './planner-assignment.ts';

const parts = (replicas: number[][]): PartitionReplicas[] =>
  replicas.map((r, partition) => ({ partition, replicas: r }));

function counts(assignment: PartitionReplicas[], index?: number): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of assignment) {
    const bs = index === undefined ? p.replicas : [p.replicas[index]!];
    for (const b of bs) m.set(b, (m.get(b) ?? 0) + 1);
  }
  return m;
}

function spread(m: Map<number, number>, brokers: number[]): number {
  const v = brokers.map((b) => m.get(b) ?? 0);
  return Math.max(...v) - Math.min(...v);
}

describe('assignReplicas', () => {
  it('raises the factor keeping every existing replica and leader, balanced', () => {
    const out = assignReplicas(parts([[1], [2], [3], [1], [2], [3]]), [1, 2, 3], 2);
    out.forEach((p, i) => expect(p.replicas[0]).toBe([1, 2, 3][i % 3]));
    expect(out.every((p) => new Set(p.replicas).size === 2)).toBe(true);
    expect(spread(counts(out), [1, 2, 3])).toBe(0);
  });

  it('lowers the factor keeping leaders and balancing what remains', () => {
    const out = assignReplicas(
      parts([
        [1, 2, 3],
        [2, 3, 1],
        [3, 1, 2],
      ]),
      [1, 2, 3],
      2,
    );
    expect(out.map((p) => p.replicas[0])).toEqual([1, 2, 3]);
    expect(spread(counts(out), [1, 2, 3])).toBe(0);
  });

  it('keeps replicas on live brokers and replaces ones on brokers that are gone', () => {
    const out = assignReplicas(
      parts([
        [9, 1],
        [2, 9],
      ]),
      [1, 2, 3],
      2,
    );
    expect(out[0]!.replicas[0]).toBe(1); // the surviving replica becomes leader; no extra copy
    expect(out[0]!.replicas).not.toContain(9);
    expect(out[1]!.replicas[0]).toBe(2);
    expect(out.every((p) => p.replicas.length === 2)).toBe(true);
  });

  it('spreads leaders for partitions that lost all replicas', () => {
    const out = assignReplicas(parts([[9], [9], [9]]), [1, 2, 3], 1);
    expect(out.map((p) => p.replicas[0]).sort()).toEqual([1, 2, 3]);
  });

  it('is balanced for many partitions and many brokers', () => {
    const brokers = [100, 101, 102, 103, 104];
    const out = assignReplicas(
      parts(Array.from({ length: 50 }, (_, i) => [brokers[i % 5]!])),
      brokers,
      3,
    );
    expect(spread(counts(out), brokers)).toBeLessThanOrEqual(1);
    expect(spread(counts(out, 0), brokers)).toBe(0);
    for (const p of out) expect(new Set(p.replicas).size).toBe(3);
  });

  it('is deterministic regardless of input order', () => {
    const a = parts([[1], [2], [3], [1]]);
    const b = [...a].reverse();
    expect(assignReplicas(a, [3, 1, 2], 2)).toEqual(assignReplicas(b, [1, 2, 3], 2));
  });

  it('refuses a factor above the broker count', () => {
    expect(() => assignReplicas(parts([[1]]), [1, 2], 3)).toThrow(RangeError);
  });
});

describe('reassignmentFor', () => {
  it('lists only partitions whose replicas change', () => {
    expect(reassignmentFor(parts([[1, 2], [2]]), [1, 2, 3], 2)).toEqual([
      { partition: 1, replicas: [2, 3] },
    ]);
  });

  it('is empty when the factor already holds', () => {
    expect(
      reassignmentFor(
        parts([
          [1, 2],
          [2, 3],
        ]),
        [1, 2, 3],
        2,
      ),
    ).toEqual([]);
  });
});
