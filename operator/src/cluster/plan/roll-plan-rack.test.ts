// The RackAtATime strategy: which brokers restart together, and when a rack falls back to one
// at a time. Six brokers in three racks (a: 100, 103; b: 101, 104; c: 102, 105), three
// controllers, RF 3 spread over the racks, min.insync.replicas 2 unless a test says otherwise.
import { describe, expect, it } from 'vitest';
import type { Role } from '../model/node-layout.ts';
import type { ObservedPod, PartitionState } from '../model/observed-state.ts';
import { planRoll, rackVerdict, type RollInput } from './roll-plan.ts';

const OLD = 'rev-old';
const NEW = 'rev-new';

function pod(role: Role, ordinal: number, revision = NEW): ObservedPod {
  const base = role === 'broker' ? 100 : 0;
  return {
    name: `demo-${role}-${ordinal}`,
    role,
    ordinal,
    nodeId: base + ordinal,
    revision,
    desiredRevision: NEW,
    phase: 'Running',
    ready: true,
    crashLooping: false,
    terminating: false,
  };
}

const RACKS: Record<number, string> = {
  100: 'a',
  101: 'b',
  102: 'c',
  103: 'a',
  104: 'b',
  105: 'c',
};
const BROKERS = [100, 101, 102, 103, 104, 105];

function part(n: number, replicas: number[], isr = replicas, minIsr = 2): PartitionState {
  return { topic: 't', partition: n, replicas, isr, minIsr };
}

/** Rack-aware placement: each partition has one replica per rack. */
const spread = [
  part(0, [100, 101, 102]),
  part(1, [103, 104, 105]),
  part(2, [101, 105, 100]),
  part(3, [104, 102, 103]),
];

function cluster(
  staleBrokers: number[],
  extra: Partial<RollInput> = {},
  staleControllers: number[] = [],
): RollInput {
  const pods = [0, 1, 2]
    .map((i) => pod('controller', i, staleControllers.includes(i) ? OLD : NEW))
    .concat(BROKERS.map((id) => pod('broker', id - 100, staleBrokers.includes(id) ? OLD : NEW)));
  return {
    pods,
    expectedPods: pods.map((p) => p.name),
    quorum: {
      leaderId: 1,
      voters: [0, 1, 2].map((nodeId) => ({ nodeId, lag: 0 })),
      observers: [],
    },
    partitions: spread,
    registrations: BROKERS.map((nodeId) => ({ nodeId, fenced: false })),
    racks: RACKS,
    strategy: 'RackAtATime',
    ...extra,
  };
}

describe('planRoll with RackAtATime', () => {
  it('restarts the outdated brokers of the first rack together', () => {
    const d = planRoll(cluster(BROKERS));
    expect(d).toMatchObject({
      action: 'restart-rack',
      rack: 'a',
      pods: [
        { pod: 'demo-broker-0', nodeId: 100, reason: 'SpecChanged' },
        { pod: 'demo-broker-3', nodeId: 103, reason: 'SpecChanged' },
      ],
    });
  });

  it('walks a whole roll in three steps, one rack each, never mixing racks', () => {
    let input = cluster(BROKERS);
    const steps: string[][] = [];
    for (let i = 0; i < 10; i++) {
      const d = planRoll(input);
      if (d.action === 'none') break;
      expect(d.action).toBe('restart-rack');
      if (d.action !== 'restart-rack') break;
      steps.push(d.pods.map((m) => m.pod));
      const done = new Set(d.pods.map((m) => m.pod));
      input = {
        ...input,
        pods: input.pods.map((p) => (done.has(p.name) ? { ...p, revision: NEW } : p)),
      };
    }
    expect(steps).toEqual([
      ['demo-broker-0', 'demo-broker-3'],
      ['demo-broker-1', 'demo-broker-4'],
      ['demo-broker-2', 'demo-broker-5'],
    ]);
  });

  it('keeps controllers first and one at a time', () => {
    const d = planRoll(cluster(BROKERS, {}, [0, 2]));
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-controller-0' });
  });

  it('waits for every pod of the previous batch to be back (ready, registered)', () => {
    const input = cluster([101, 104, 102, 105]);
    const notReady = {
      ...input,
      pods: input.pods.map((p) => (p.nodeId === 103 ? { ...p, ready: false } : p)),
    };
    expect(planRoll(notReady)).toMatchObject({ action: 'wait', reason: 'PodNotReady' });
    const missing = { ...input, pods: input.pods.filter((p) => p.nodeId !== 100) };
    expect(planRoll(missing)).toMatchObject({ action: 'wait', reason: 'PodMissing' });
    const fenced = {
      ...input,
      registrations: BROKERS.map((nodeId) => ({ nodeId, fenced: nodeId === 103 })),
    };
    expect(planRoll(fenced)).toMatchObject({ action: 'wait', reason: 'BrokerNotRegistered' });
  });

  it('goes one at a time for a rack that holds too many replicas of a partition, and says so', () => {
    // t-9 has two replicas in rack a: with min ISR 2 only one would be left outside.
    const d = planRoll(cluster(BROKERS, { partitions: [...spread, part(9, [100, 103, 101])] }));
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-broker-0', reason: 'SpecChanged' });
    expect(d.action === 'restart' && d.message).toContain(
      'rack a goes one broker at a time: t-9 has 2 of its 3 replicas in it',
    );
  });

  it('goes one at a time for now while in-sync replicas outside the rack are missing', () => {
    // RF 4, two replicas in rack a; 102 (rack c) is out of sync: a's batch would leave only
    // 101 in sync, 100 alone leaves 103 and 101.
    const partitions = [part(0, [100, 103, 101, 102], [100, 103, 101]), part(1, [103, 104, 105])];
    const d = planRoll(cluster(BROKERS, { partitions }));
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-broker-0' });
    expect(d.action === 'restart' && d.message).toContain(
      'rack a goes one broker at a time for now: t-0 has 1 in-sync replicas outside it',
    );
  });

  it('waits for the previous rack to rejoin the ISR before the next rack goes together', () => {
    // Rack a has just restarted (ready 20 s): 100 and 103 are not back in sync yet.
    const partitions = spread.map((p) => ({
      ...p,
      isr: p.isr.filter((id) => id !== 100 && id !== 103),
    }));
    const input = cluster([101, 104, 102, 105], { partitions });
    const recent = {
      ...input,
      pods: input.pods.map((p) => (RACKS[p.nodeId] === 'a' ? { ...p, readySeconds: 20 } : p)),
    };
    const d = planRoll(recent);
    expect(d).toMatchObject({ action: 'wait', reason: 'ReplicasCatchingUp' });
    expect(d.action === 'wait' && d.message).toContain(
      'waiting for broker(s) 100,103, restarted recently, to rejoin the in-sync replicas before rack b restarts together',
    );
    // Once they are back, rack b goes together.
    expect(planRoll({ ...recent, partitions: spread })).toMatchObject({
      action: 'restart-rack',
      rack: 'b',
    });
  });

  it('does not wait for a replica out of sync for long: that rack goes one at a time', () => {
    const partitions = [part(0, [101, 104, 100, 102], [101, 104, 102])];
    const input = cluster([101, 104], { partitions });
    const longReady = {
      ...input,
      pods: input.pods.map((p) => ({ ...p, readySeconds: 3600 })),
    };
    const d = planRoll(longReady);
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-broker-1' });
    expect(d.action === 'restart' && d.message).toContain(
      'rack b goes one broker at a time for now',
    );
  });

  it('waits, as the serial roller does, when even one broker of the rack would break min ISR', () => {
    const input = cluster([100, 103], { partitions: [part(0, [100, 101, 102], [100, 101])] });
    const serial = planRoll({ ...input, strategy: 'OneAtATime' });
    expect(serial).toMatchObject({ action: 'wait', reason: 'UnderMinIsr', pod: 'demo-broker-0' });
    expect(planRoll(input)).toEqual(serial);
  });

  it('restarts the last outdated broker of a rack alone, with the serial check', () => {
    const d = planRoll(cluster([103, 104]));
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-broker-3' });
    expect(d.action === 'restart' && d.message).toContain('the last outdated broker of rack a');
  });

  it('rolls brokers without a rack one at a time, after the racks', () => {
    const racks = { 100: 'a', 103: 'a' };
    const d = planRoll(cluster([100, 101, 103, 104], { racks }));
    expect(d).toMatchObject({ action: 'restart-rack', rack: 'a' });
    const d2 = planRoll(cluster([101, 104], { racks }));
    expect(d2).toMatchObject({ action: 'restart', pod: 'demo-broker-1' });
  });

  it('rolls one at a time when Kafka reported no racks', () => {
    const { racks: _none, ...input } = cluster(BROKERS);
    expect(planRoll(input)).toMatchObject({ action: 'restart', pod: 'demo-broker-0' });
  });

  it('waits without partitions (Kafka could not describe them)', () => {
    const { partitions: _none, ...input } = cluster(BROKERS);
    expect(planRoll(input)).toMatchObject({ action: 'wait', reason: 'PartitionsUnknown' });
  });

  it('keeps combined nodes one at a time', () => {
    const pods = [0, 1, 2].map((i) => ({ ...pod('combined', i, OLD), nodeId: i }));
    const d = planRoll({
      pods,
      expectedPods: pods.map((p) => p.name),
      quorum: {
        leaderId: 2,
        voters: [0, 1, 2].map((nodeId) => ({ nodeId, lag: 0 })),
        observers: [],
      },
      partitions: [part(0, [0, 1, 2])],
      registrations: [0, 1, 2].map((nodeId) => ({ nodeId, fenced: false })),
      racks: { 0: 'a', 1: 'a', 2: 'b' },
      strategy: 'RackAtATime',
    });
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-combined-0' });
  });

  it('still repairs a stuck pod first, alone', () => {
    const input = cluster(BROKERS);
    const stuck = {
      ...input,
      pods: input.pods.map((p) =>
        p.nodeId === 104 ? { ...p, crashLooping: true, ready: false } : p,
      ),
    };
    expect(planRoll(stuck)).toMatchObject({
      action: 'restart',
      pod: 'demo-broker-4',
      reason: 'StuckOnStaleSpec',
    });
  });
});

describe('rackVerdict', () => {
  it('skips partitions with RF <= min ISR and partitions the brokers are not in sync for', () => {
    expect(rackVerdict(new Set([100, 103]), [part(0, [100, 103], [100, 103], 2)])).toEqual({
      kind: 'ok',
    });
    expect(rackVerdict(new Set([100, 103]), [part(0, [100, 103, 101], [101, 102], 2)])).toEqual({
      kind: 'ok',
    });
  });

  it('reports a structural failure before a transient one', () => {
    const transient = part(0, [100, 101, 102], [100, 101]);
    const structural = part(1, [100, 103, 101]);
    expect(rackVerdict(new Set([100, 103]), [transient, structural])).toMatchObject({
      kind: 'too-many-in-rack',
      partition: structural,
      outside: 1,
    });
    expect(rackVerdict(new Set([100, 103]), [transient])).toMatchObject({ kind: 'under-min-isr' });
  });
});
