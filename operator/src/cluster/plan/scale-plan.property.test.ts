// The scale planner against its promises over many seeded random states.
import { describe, expect, it } from 'vitest';
import type { ObservedPod, PartitionState, QuorumState } from '../model/observed-state.ts';
import { planScale } from './scale-plan.ts';
import type { ScaleInput } from './scale-plan.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomState(seed: number): ScaleInput {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const currentBrokers = int(1, 6);
  const desiredBrokers = int(1, 6);
  const currentControllers = int(1, 5);
  const desiredControllers = int(1, 5);
  const pod = (role: 'broker' | 'controller', ordinal: number): ObservedPod => ({
    name: `${role}-${ordinal}`,
    role,
    ordinal,
    nodeId: (role === 'broker' ? 100 : 0) + ordinal,
    revision: 'r',
    desiredRevision: 'r',
    phase: 'Running',
    ready: r() < 0.9,
    crashLooping: false,
    terminating: false,
  });
  const pods = [
    ...Array.from({ length: currentControllers }, (_, i) => pod('controller', i)),
    ...Array.from({ length: currentBrokers }, (_, i) => pod('broker', i)),
  ];
  const brokerIds = Array.from({ length: currentBrokers }, (_, i) => 100 + i);
  const partitions: PartitionState[] = Array.from({ length: int(0, 12) }, (_, i) => {
    const rf = int(1, Math.min(3, currentBrokers));
    const start = int(0, currentBrokers - 1);
    const replicas = Array.from({ length: rf }, (_, k) => brokerIds[(start + k) % currentBrokers]!);
    return { topic: `t${i % 3}`, partition: i, replicas, isr: replicas, minIsr: 1 };
  });
  const controllerIds = Array.from({ length: currentControllers }, (_, i) => i);
  const voterIds = controllerIds.filter((id) => id === 0 || r() < 0.8);
  const quorum: QuorumState = {
    leaderId: voterIds[int(0, voterIds.length - 1)]!,
    voters: voterIds.map((nodeId) => ({
      nodeId,
      lag: r() < 0.15 ? 9999 : 0,
      directoryId: `d${nodeId}`,
    })),
    observers: controllerIds
      .filter((id) => !voterIds.includes(id))
      .map((nodeId) => ({ nodeId, lag: 0, directoryId: `n${nodeId}` })),
    kraftVersion: 1,
  };
  return {
    desired: { broker: desiredBrokers, controller: desiredControllers },
    current: { broker: currentBrokers, controller: currentControllers },
    pods,
    quorum,
    partitions,
    registrations: brokerIds.map((nodeId) => ({ nodeId, fenced: false })),
    reassigning: r() < 0.1 ? [{ topic: 't0', partition: 0 }] : [],
  };
}

describe('planScale over random states', () => {
  const states = Array.from({ length: 3000 }, (_, seed) => randomState(seed + 1));

  it('shrinks brokers only when the leaving ones hold no replica', () => {
    for (const s of states) {
      for (const step of planScale(s)) {
        if (
          step.action !== 'set-replicas' ||
          step.role !== 'broker' ||
          step.replicas >= s.current.broker!
        )
          continue;
        const leaving = (id: number) => id >= 100 + step.replicas;
        expect(s.partitions!.some((p) => p.replicas.some(leaving))).toBe(false);
      }
    }
  });

  it('refuses exactly when a topic needs more brokers than would remain', () => {
    for (const s of states) {
      const steps = planScale(s);
      const tooWide =
        s.desired.broker! < s.current.broker! &&
        s.partitions!.some((p) => p.replicas.length > s.desired.broker!);
      expect(
        steps.some((a) => a.action === 'refuse' && a.reason === 'ReplicationFactorTooHigh'),
      ).toBe(tooWide);
      if (tooWide)
        expect(steps.some((a) => a.action === 'set-replicas' && a.role === 'broker')).toBe(false);
    }
  });

  it('plans reassignments that keep RF, avoid leaving brokers and never repeat a broker', () => {
    for (const s of states) {
      for (const step of planScale(s)) {
        if (step.action !== 'reassign') continue;
        expect(step.moves.length).toBeGreaterThan(0);
        for (const m of step.moves) {
          const before = s.partitions!.find(
            (p) => p.topic === m.topic && p.partition === m.partition,
          )!;
          expect(m.replicas).toHaveLength(before.replicas.length);
          expect(new Set(m.replicas).size).toBe(m.replicas.length);
          for (const id of m.replicas) expect(id).toBeLessThan(100 + s.desired.broker!);
        }
      }
    }
  });

  it('changes at most one voter at a time and never leaves a minority caught up', () => {
    for (const s of states) {
      const quorumSteps = planScale(s).filter(
        (a) => a.action === 'add-controller' || a.action === 'remove-controller',
      );
      expect(quorumSteps.length).toBeLessThanOrEqual(1);
      const step = quorumSteps[0];
      if (step?.action !== 'remove-controller') continue;
      const q = s.quorum!;
      const rest = q.voters.filter(
        (v) => v.nodeId !== step.nodeId && (v.nodeId === q.leaderId || v.lag <= 100),
      );
      expect(rest.length).toBeGreaterThanOrEqual(Math.floor((q.voters.length - 1) / 2) + 1);
    }
  });

  it('removes controller pods only after they left the quorum', () => {
    for (const s of states) {
      for (const step of planScale(s)) {
        if (
          step.action !== 'set-replicas' ||
          step.role !== 'controller' ||
          step.replicas >= s.current.controller!
        )
          continue;
        expect(s.quorum!.voters.some((v) => v.nodeId >= step.replicas)).toBe(false);
      }
    }
  });

  it('covers every kind of step (the states are not all alike)', () => {
    const kinds = new Map<string, number>();
    for (const s of states)
      for (const a of planScale(s)) kinds.set(a.action, (kinds.get(a.action) ?? 0) + 1);
    for (const key of [
      'set-replicas',
      'reassign',
      'add-controller',
      'remove-controller',
      'wait',
      'refuse',
    ]) {
      expect(kinds.get(key) ?? 0, key).toBeGreaterThan(10);
    }
  });

  it('does not drain while a reassignment is under way', () => {
    for (const s of states) {
      if ((s.reassigning ?? []).length === 0) continue;
      expect(planScale(s).some((a) => a.action === 'reassign')).toBe(false);
    }
  });
});
