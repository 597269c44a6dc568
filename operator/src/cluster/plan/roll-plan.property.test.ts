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
  // Drawn last, so the states above are those the serial properties were written against.
  const strategy = r() < 0.5 ? ('RackAtATime' as const) : ('OneAtATime' as const);
  const racks: Record<number, string> = {};
  for (const id of brokerIds) {
    const rack = pick(['a', 'b', 'c', 'a', 'b', 'c', undefined]);
    if (rack !== undefined) racks[id] = rack;
  }
  return {
    pods: present,
    expectedPods,
    quorum,
    partitions,
    registrations,
    strategy,
    ...(r() < 0.9 ? { racks } : {}),
  };
}

/** Every pod present, running and ready, brokers registered, voters caught up; some
 *  partitions keep a short ISR (a replica still catching up), so batches can fail. */
function healthy(s: RollInput, seed: number): RollInput {
  const r = rng(seed + 90001);
  const brokers = s.pods.filter((p) => p.role !== 'controller').map((p) => p.nodeId);
  const expected = s.expectedPods!;
  const byName = new Map(s.pods.map((p) => [p.name, p]));
  return {
    ...s,
    pods: expected
      .map((name) => ({
        ...(byName.get(name) ?? s.pods[0]!),
        name,
        phase: 'Running' as const,
        ready: true,
        crashLooping: false,
        terminating: false,
        unreadySeconds: undefined,
        readySeconds: 90,
      }))
      .filter((p) => byName.has(p.name)),
    expectedPods: expected.filter((name) => byName.has(name)),
    ...(s.quorum
      ? { quorum: { ...s.quorum, voters: s.quorum.voters.map((v) => ({ ...v, lag: 0 })) } }
      : {}),
    registrations: brokers.map((nodeId) => ({ nodeId, fenced: false })),
    ...(s.partitions
      ? {
          partitions: s.partitions.map((p) => ({
            ...p,
            isr: r() < 0.8 ? p.replicas : p.replicas.slice(0, Math.max(1, p.replicas.length - 1)),
          })),
        }
      : {}),
  };
}

/** The pods a decision restarts. */
function restarted(d: ReturnType<typeof planRoll>): string[] {
  if (d.action === 'restart') return [d.pod];
  if (d.action === 'restart-rack') return d.pods.map((m) => m.pod);
  return [];
}

describe('planRoll over random states', () => {
  // Plus states where every pod is back: only those let a roll step (and a rack batch) happen.
  const states = Array.from({ length: 3000 }, (_, seed) => randomState(seed + 1)).concat(
    Array.from({ length: 1500 }, (_, seed) => healthy(randomState(seed + 5001), seed)),
  );

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
      if (d.action === 'none' || d.action === 'wait') continue;
      if (d.action === 'restart' && d.reason === 'StuckOnStaleSpec') continue;
      if (d.action === 'restart' && d.reason === 'BrokerNotRegistering') continue;
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

  it('restarts pods together only with RackAtATime: outdated dedicated brokers of one rack', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action !== 'restart-rack') continue;
      expect(s.strategy).toBe('RackAtATime');
      expect(d.pods.length).toBeGreaterThan(1);
      for (const m of d.pods) {
        const pod = s.pods.find((p) => p.name === m.pod)!;
        expect(pod.role).toBe('broker');
        expect(needsRestart(pod)).toBe(true);
        expect(s.racks![pod.nodeId]).toBe(d.rack);
      }
      // Every outdated broker of that rack is in the batch, and no controller is outdated.
      const ofRack = s.pods.filter(
        (p) => p.role === 'broker' && needsRestart(p) && s.racks![p.nodeId] === d.rack,
      );
      expect(d.pods.map((m) => m.pod).sort()).toEqual(ofRack.map((p) => p.name).sort());
      expect(s.pods.filter((p) => p.role !== 'broker' && needsRestart(p))).toEqual([]);
    }
  });

  it('never takes a partition below min.insync.replicas with a whole batch (unless RF <= minISR)', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action !== 'restart-rack') continue;
      const batch = new Set(d.pods.map((m) => m.nodeId));
      for (const p of s.partitions!) {
        if (!p.isr.some((id) => batch.has(id)) || p.replicas.length <= p.minIsr) continue;
        expect(p.isr.filter((id) => !batch.has(id)).length).toBeGreaterThanOrEqual(p.minIsr);
      }
    }
  });

  it('rolls racks in name order: a broker of a later rack never goes before an earlier one', () => {
    for (const s of states) {
      if (s.strategy !== 'RackAtATime' || !s.racks) continue;
      const d = planRoll(s);
      const names = restarted(d);
      if (names.length === 0) continue;
      if (d.action === 'restart' && d.reason !== 'SpecChanged' && d.reason !== 'ManualRestart') {
        continue;
      }
      const pod = s.pods.find((p) => p.name === names[0])!;
      if (pod.role !== 'broker') continue;
      const rack = s.racks[pod.nodeId];
      const earlier = s.pods.filter((p) => {
        const r = p.role === 'broker' && needsRestart(p) ? s.racks![p.nodeId] : undefined;
        return r !== undefined && (rack === undefined || r < rack);
      });
      expect(earlier).toEqual([]);
    }
  });

  it('waits for catching-up replicas only when one is on a broker ready for less than 300 s', () => {
    for (const s of states) {
      const d = planRoll(s);
      if (d.action !== 'wait' || d.reason !== 'ReplicasCatchingUp') continue;
      expect(s.strategy).toBe('RackAtATime');
      const recent = s.partitions!.flatMap((p) =>
        p.replicas.filter((id) => {
          const pod = s.pods.find((x) => x.nodeId === id && x.role !== 'controller');
          return !p.isr.includes(id) && (pod?.readySeconds ?? Infinity) < 300;
        }),
      );
      expect(recent.length).toBeGreaterThan(0);
    }
  });

  it('covers every kind of answer (the states are not all alike)', () => {
    const kinds = new Map<string, number>();
    for (const s of states) {
      const d = planRoll(s);
      const key =
        d.action === 'none'
          ? 'none'
          : d.action === 'restart-rack'
            ? d.action
            : `${d.action}:${d.reason}`;
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
      'restart-rack',
      'wait:ReplicasCatchingUp',
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
