// Many random observed states (seeded, so failures reproduce) against the roll planner's
// promises, rather than against particular answers.
import { describe, expect, it } from 'vitest';
import type { Role } from '../model/node-layout.ts';
import type { ObservedPod, PartitionState, QuorumState } from '../model/observed-state.ts';
import { isStuck, needsRestart, planRoll } from './roll-plan.ts';
import type { RollInput } from './roll-plan.ts';

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

function randomState(seed: number): RollInput {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const combined = r() < 0.3;
  const pods: ObservedPod[] = [];
  const mk = (role: Role, ordinal: number, base: number) => {
    const crash = r() < 0.08;
    const pending = !crash && r() < 0.05;
    const ready = !crash && !pending && r() < 0.85;
    pods.push({
      name: `${role}-${ordinal}`,
      role,
      ordinal,
      nodeId: base + ordinal,
      revision: r() < 0.5 ? 'old' : 'new',
      desiredRevision: 'new',
      phase: pending ? 'Pending' : 'Running',
      ready,
      crashLooping: crash,
      unreadySeconds: ready ? undefined : pick([5, 60, 150, 400]),
      readySeconds: ready ? pick([10, 90]) : undefined,
      terminating: r() < 0.05,
      restartRequested: r() < 0.05,
    });
  };
  const nControllers = pick([1, 3, 5]);
  const nBrokers = pick([1, 3, 4, 6]);
  if (combined) for (let i = 0; i < nBrokers; i++) mk('combined', i, 0);
  else {
    for (let i = 0; i < nControllers; i++) mk('controller', i, 0);
    for (let i = 0; i < nBrokers; i++) mk('broker', i, 100);
  }
  const controllerIds = pods.filter((p) => p.role !== 'broker').map((p) => p.nodeId);
  const brokerIds = pods.filter((p) => p.role !== 'controller').map((p) => p.nodeId);
  const quorum: QuorumState | undefined =
    r() < 0.1
      ? undefined
      : {
          leaderId: pick(controllerIds),
          voters: controllerIds.map((nodeId) => ({ nodeId, lag: r() < 0.15 ? 5000 : 0 })),
          observers: [],
        };
  const registrations =
    r() < 0.1
      ? undefined
      : brokerIds.filter(() => r() < 0.9).map((nodeId) => ({ nodeId, fenced: r() < 0.05 }));
  // As in Kafka: a broker that is not registered is in no ISR.
  const inSync = (id: number) => !registrations || registrations.some((x) => x.nodeId === id);
  const partitions: PartitionState[] | undefined =
    r() < 0.1
      ? undefined
      : Array.from({ length: 8 }, (_, i) => {
          const rf = Math.min(brokerIds.length, pick([1, 2, 3]));
          const start = Math.floor(r() * brokerIds.length);
          const replicas = Array.from(
            { length: rf },
            (_, k) => brokerIds[(start + k) % brokerIds.length]!,
          );
          const isr = replicas.filter((id) => r() < 0.85 && inSync(id));
          return {
            topic: 't',
            partition: i,
            replicas,
            isr: isr.length ? isr : [replicas[0]!],
            minIsr: pick([1, 2]),
          };
        });
  // Some pods are between deletion and their replacement: expected, but in no list.
  const expectedPods = pods.map((p) => p.name);
  const present = pods.filter(() => r() >= 0.03);
  return { pods: present, expectedPods, quorum, partitions, registrations };
}

describe('planRoll over random states', () => {
  const states = Array.from({ length: 3000 }, (_, seed) => randomState(seed + 1));

  it('restarts only pods that need it, or a broker stuck unregistered under a steady quorum', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action === 'none') expect(s.pods.filter(needsRestart)).toEqual([]);
      if (d.action !== 'restart') continue;
      const pod = s.pods.find((p) => p.name === d.pod)!;
      if (d.reason !== 'BrokerNotRegistering') {
        expect(needsRestart(pod)).toBe(true);
        continue;
      }
      expect(pod.role).toBe('broker');
      expect(pod.ready).toBe(false);
      expect(pod.crashLooping).toBe(false);
      expect(pod.unreadySeconds).toBeGreaterThanOrEqual(120);
      expect(s.registrations!.some((r) => r.nodeId === pod.nodeId)).toBe(false);
      const controllers = s.pods.filter((p) => p.role === 'controller');
      expect(controllers.length).toBeGreaterThan(0);
      for (const c of controllers) expect(c.ready && (c.readySeconds ?? 0) >= 60).toBe(true);
    }
  });

  it('restarts a healthy pod only when every expected pod exists, is ready, none terminating', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action !== 'restart' || d.reason === 'StuckOnStaleSpec') continue;
      if (d.reason === 'BrokerNotRegistering') continue;
      expect(s.pods.every((p) => p.ready && !p.terminating && p.phase === 'Running')).toBe(true);
      expect(s.pods.map((p) => p.name).sort()).toEqual([...s.expectedPods!].sort());
    }
  });

  it('prefers a stuck stale pod over everything else', () => {
    for (const s of states) {
      const stuck = s.pods.some((p) => needsRestart(p) && isStuck(p));
      const d = planRoll(s);
      if (stuck) expect(d).toMatchObject({ action: 'restart', reason: 'StuckOnStaleSpec' });
    }
  });

  it('never takes an in-sync partition below min.insync.replicas (unless RF <= minISR)', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action !== 'restart' || d.reason === 'StuckOnStaleSpec') continue;
      const pod = s.pods.find((p) => p.name === d.pod)!;
      if (pod.role === 'controller') continue;
      expect(s.partitions).toBeDefined();
      for (const p of s.partitions!) {
        if (!p.isr.includes(pod.nodeId) || p.replicas.length <= p.minIsr) continue;
        expect(p.isr.length - 1).toBeGreaterThanOrEqual(p.minIsr);
      }
    }
  });

  it('never restarts a voter when the caught-up rest is not a majority', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action !== 'restart' || d.reason === 'StuckOnStaleSpec') continue;
      const pod = s.pods.find((p) => p.name === d.pod)!;
      if (pod.role === 'broker') continue;
      expect(s.quorum).toBeDefined();
      const voters = s.quorum!.voters;
      if (voters.length <= 1) continue;
      const rest = voters.filter(
        (v) => v.nodeId !== pod.nodeId && (v.nodeId === s.quorum!.leaderId || v.lag <= 100),
      );
      expect(rest.length).toBeGreaterThanOrEqual(Math.floor(voters.length / 2) + 1);
    }
  });

  it('leaves the active controller and brokers for later while other controllers are stale', () => {
    for (const s of states) {
      const d = planRoll(s);
      // Repairs, not roll steps: a stuck pod, or a broker that never registered (it serves
      // nothing, and it blocks every roll step while it is unready).
      if (d.action !== 'restart' || d.reason === 'StuckOnStaleSpec') continue;
      if (d.reason === 'BrokerNotRegistering') continue;
      const pod = s.pods.find((p) => p.name === d.pod)!;
      const staleDedicatedControllers = s.pods.filter(
        (p) => p.role === 'controller' && needsRestart(p),
      );
      if (pod.role === 'broker') expect(staleDedicatedControllers).toEqual([]);
      if (pod.nodeId === s.quorum?.leaderId) {
        const others = s.pods.filter(
          (p) => p.role === pod.role && p.nodeId !== pod.nodeId && needsRestart(p),
        );
        expect(others).toEqual([]);
      }
    }
  });

  it('covers every kind of answer (the states are not all alike)', () => {
    const kinds = new Map<string, number>();
    for (const s of states) {
      const d = planRoll(s);
      const key = d.action === 'none' ? 'none' : `${d.action}:${d.reason}`;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    for (const key of [
      'restart:StuckOnStaleSpec',
      'restart:SpecChanged',
      'restart:BrokerNotRegistering',
      'wait:PodNotReady',
      'wait:PodMissing',
      'wait:UnderMinIsr',
      'wait:ControllerCatchingUp',
      'wait:BrokerNotRegistered',
    ]) {
      expect(kinds.get(key) ?? 0, key).toBeGreaterThan(0);
    }
  });

  it('explains every wait', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action === 'wait') expect(d.message.length).toBeGreaterThan(10);
    }
  });
});
