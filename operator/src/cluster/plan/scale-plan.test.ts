import { describe, expect, it } from 'vitest';
import { planDrain } from './drain-plan.ts';
import type { Role } from '../model/node-layout.ts';
import type {
  ObservedPod,
  PartitionState,
  QuorumState,
  QuorumVoter,
} from '../model/observed-state.ts';
import { planClaimDeletion, planScale, replicasToRender } from './scale-plan.ts';
import type { ClaimDeletionInput, ScaleInput } from './scale-plan.ts';

function pod(role: Role, ordinal: number, patch: Partial<ObservedPod> = {}): ObservedPod {
  const base = role === 'broker' ? 100 : 0;
  const sts = role === 'combined' ? 'demo-kafka' : `demo-${role}`;
  return {
    name: `${sts}-${ordinal}`,
    role,
    ordinal,
    nodeId: base + ordinal,
    revision: 'r',
    desiredRevision: 'r',
    phase: 'Running',
    ready: true,
    crashLooping: false,
    terminating: false,
    ...patch,
  };
}

const voter = (nodeId: number, lag = 0, directoryId = `dir-${nodeId}`): QuorumVoter => ({
  nodeId,
  lag,
  directoryId,
});

function quorum(voters: number[], observers: number[] = [], leaderId = voters[0]!): QuorumState {
  return {
    leaderId,
    voters: voters.map((id) => voter(id)),
    observers: observers.map((id) => voter(id)),
    kraftVersion: 1,
  };
}

const p = (topic: string, partition: number, replicas: number[], minIsr = 1): PartitionState => ({
  topic,
  partition,
  replicas,
  isr: replicas,
  minIsr,
});

function dedicated(
  brokers: number,
  controllers: number,
  extra: Partial<ScaleInput> = {},
): ScaleInput {
  return {
    desired: { broker: brokers, controller: controllers },
    current: { broker: 3, controller: 3 },
    pods: [0, 1, 2].map((i) => pod('controller', i)).concat([0, 1, 2].map((i) => pod('broker', i))),
    quorum: quorum([0, 1, 2]),
    partitions: [
      p('orders', 0, [100, 101]),
      p('orders', 1, [101, 102]),
      p('orders', 2, [102, 100]),
    ],
    registrations: [100, 101, 102].map((nodeId) => ({ nodeId, fenced: false })),
    reassigning: [],
    ...extra,
  };
}

describe('planScale: brokers', () => {
  it('does nothing when the sizes match', () => {
    expect(planScale(dedicated(3, 3))).toEqual([]);
  });

  it('scales brokers up by growing the StatefulSet', () => {
    expect(planScale(dedicated(5, 3))).toEqual([
      expect.objectContaining({ action: 'set-replicas', role: 'broker', replicas: 5 }),
    ]);
  });

  it('drains the leaving broker (highest ordinal) before removing it', () => {
    const [step] = planScale(dedicated(2, 3));
    expect(step).toMatchObject({ action: 'reassign' });
    if (step?.action !== 'reassign') throw new Error('expected a reassignment');
    expect(step.moves).toEqual([
      { topic: 'orders', partition: 1, replicas: [101, 100] },
      { topic: 'orders', partition: 2, replicas: [101, 100] },
    ]);
    for (const m of step.moves) expect(m.replicas).not.toContain(102);
  });

  it('waits while a reassignment is under way', () => {
    const input = dedicated(2, 3, { reassigning: [{ topic: 'orders', partition: 1 }] });
    expect(planScale(input)).toEqual([
      expect.objectContaining({ action: 'wait', reason: 'ReassignmentInProgress' }),
    ]);
  });

  it('shrinks the StatefulSet only once the leaving broker holds no replica', () => {
    const input = dedicated(2, 3, {
      partitions: [p('orders', 0, [100, 101]), p('orders', 1, [101, 100])],
    });
    expect(planScale(input)).toEqual([
      expect.objectContaining({ action: 'set-replicas', role: 'broker', replicas: 2 }),
    ]);
  });

  it('refuses when a topic needs more brokers than would remain, and touches nothing', () => {
    const input = dedicated(2, 3, {
      partitions: [p('orders', 0, [100, 101, 102]), p('logs', 0, [100, 101])],
    });
    const steps = planScale(input);
    expect(steps).toEqual([
      expect.objectContaining({ action: 'refuse', reason: 'ReplicationFactorTooHigh' }),
    ]);
    expect(steps[0]!.action === 'refuse' && steps[0]!.message).toContain('orders (RF 3)');
  });

  it('waits when partitions cannot be described', () => {
    expect(planScale(dedicated(2, 3, { partitions: undefined }))).toEqual([
      expect.objectContaining({ action: 'wait', reason: 'PartitionsUnknown' }),
    ]);
  });

  it('unregisters brokers whose pods were scaled away', () => {
    const input = dedicated(2, 3, {
      current: { broker: 2, controller: 3 },
      pods: dedicated(2, 3).pods.filter((x) => x.nodeId !== 102),
      registrations: [100, 101, 102].map((nodeId) => ({ nodeId, fenced: nodeId === 102 })),
    });
    expect(planScale(input)).toEqual([
      expect.objectContaining({ action: 'unregister-broker', nodeId: 102 }),
    ]);
  });

  it('does not unregister a broker whose pod still exists', () => {
    const input = dedicated(2, 3, { current: { broker: 2, controller: 3 } });
    expect(planScale(input)).toEqual([]);
  });

  it('walks a scale-down from 4 to 2 brokers to the end', () => {
    const parts = [
      p('a', 0, [100, 103]),
      p('a', 1, [101, 102]),
      p('a', 2, [102, 103]),
      p('a', 3, [103, 100]),
    ];
    let input = dedicated(2, 3, {
      current: { broker: 4, controller: 3 },
      partitions: parts,
      pods: dedicated(2, 3).pods.concat([pod('broker', 3)]),
    });
    const [step] = planScale(input);
    if (step?.action !== 'reassign') throw new Error('expected a reassignment');
    const moved = parts.map((x) => ({
      ...x,
      replicas: step.moves.find((m) => m.partition === x.partition)?.replicas ?? x.replicas,
    }));
    for (const m of moved) {
      expect(m.replicas.every((id) => id === 100 || id === 101)).toBe(true);
      expect(new Set(m.replicas).size).toBe(2);
    }
    input = { ...input, partitions: moved };
    expect(planScale(input)).toEqual([
      expect.objectContaining({ action: 'set-replicas', replicas: 2 }),
    ]);
  });
});

describe('planScale: controllers (dynamic quorum)', () => {
  it('grows the StatefulSet first', () => {
    expect(planScale(dedicated(3, 5))).toEqual([
      expect.objectContaining({ action: 'set-replicas', role: 'controller', replicas: 5 }),
    ]);
  });

  it('adds a new controller once it runs as a caught-up observer, one at a time, lowest first', () => {
    const input = dedicated(3, 5, {
      current: { broker: 3, controller: 5 },
      pods: dedicated(3, 5).pods.concat([pod('controller', 3), pod('controller', 4)]),
      quorum: quorum([0, 1, 2], [3, 4]),
    });
    expect(planScale(input)).toEqual([
      expect.objectContaining({
        action: 'add-controller',
        nodeId: 3,
        directoryId: 'dir-3',
        pod: 'demo-controller-3',
      }),
    ]);
    const next = { ...input, quorum: quorum([0, 1, 2, 3], [4]) };
    expect(planScale(next)).toEqual([
      expect.objectContaining({ action: 'add-controller', nodeId: 4 }),
    ]);
    expect(planScale({ ...input, quorum: quorum([0, 1, 2, 3, 4]) })).toEqual([]);
  });

  it('waits for a new controller that is not running or not yet an observer', () => {
    const input = dedicated(3, 4, {
      current: { broker: 3, controller: 4 },
      pods: dedicated(3, 4).pods.concat([pod('controller', 3, { ready: false })]),
    });
    expect(planScale(input)).toEqual([
      expect.objectContaining({ action: 'wait', reason: 'WaitingForObserver' }),
    ]);
  });

  it('does not add a voter while another voter lags', () => {
    const q = quorum([0, 1, 2], [3]);
    q.voters[2]!.lag = 10_000;
    const input = dedicated(3, 4, {
      current: { broker: 3, controller: 4 },
      pods: dedicated(3, 4).pods.concat([pod('controller', 3)]),
      quorum: q,
    });
    expect(planScale(input)).toEqual([
      expect.objectContaining({ action: 'wait', reason: 'QuorumAtRisk' }),
    ]);
  });

  it('removes the highest controller from the quorum before its pod goes away', () => {
    const steps = planScale(dedicated(3, 2));
    expect(steps).toEqual([
      expect.objectContaining({ action: 'remove-controller', nodeId: 2, directoryId: 'dir-2' }),
    ]);
    const after = dedicated(3, 2, { quorum: quorum([0, 1], [2]) });
    expect(planScale(after)).toEqual([
      expect.objectContaining({ action: 'set-replicas', role: 'controller', replicas: 2 }),
    ]);
  });

  it('never removes a voter when the rest would not be a caught-up majority', () => {
    const q = quorum([0, 1, 2]);
    q.voters[1]!.lag = 10_000;
    expect(planScale(dedicated(3, 2, { quorum: q }))).toEqual([
      expect.objectContaining({ action: 'wait', reason: 'QuorumAtRisk' }),
    ]);
  });

  it('refuses to scale a static quorum', () => {
    const q = { ...quorum([0, 1, 2]), kraftVersion: 0 };
    expect(planScale(dedicated(3, 5, { quorum: q }))).toEqual([
      expect.objectContaining({ action: 'refuse', reason: 'StaticQuorum' }),
    ]);
  });

  it('waits when the quorum cannot be described', () => {
    expect(planScale(dedicated(3, 2, { quorum: undefined }))).toEqual([
      expect.objectContaining({ action: 'wait', reason: 'QuorumUnknown' }),
    ]);
  });

  it('replaces a voter that came back with a new disk: old entry out, then the new one in', () => {
    const q: QuorumState = {
      leaderId: 0,
      voters: [voter(0), voter(1), voter(2, 99999, 'old')],
      observers: [voter(2, 0, 'new')],
      kraftVersion: 1,
    };
    expect(planScale(dedicated(3, 3, { quorum: q }))).toEqual([
      expect.objectContaining({ action: 'remove-controller', nodeId: 2, directoryId: 'old' }),
    ]);
    const after: QuorumState = {
      leaderId: 0,
      voters: [voter(0), voter(1)],
      observers: [voter(2, 0, 'new')],
      kraftVersion: 1,
    };
    expect(planScale(dedicated(3, 3, { quorum: after }))).toEqual([
      expect.objectContaining({ action: 'add-controller', nodeId: 2 }),
    ]);
  });

  it('scales brokers and controllers on independent tracks in the same round', () => {
    const steps = planScale(dedicated(4, 5));
    expect(steps.map((s) => s.action)).toEqual(['set-replicas', 'set-replicas']);
  });
});

describe('planScale: combined nodes', () => {
  function combined(desired: number, current: number, extra: Partial<ScaleInput> = {}): ScaleInput {
    return {
      desired: { combined: desired },
      current: { combined: current },
      pods: Array.from({ length: current }, (_, i) => pod('combined', i)),
      quorum: quorum(Array.from({ length: current }, (_, i) => i)),
      partitions: [p('t', 0, [0, 1]), p('t', 1, [1, 2])],
      registrations: Array.from({ length: current }, (_, nodeId) => ({ nodeId, fenced: false })),
      reassigning: [],
      ...extra,
    };
  }

  it('grows, then adds the new node to the quorum', () => {
    expect(planScale(combined(4, 3))).toEqual([
      expect.objectContaining({ action: 'set-replicas', role: 'combined', replicas: 4 }),
    ]);
    const grown = combined(4, 4, { quorum: quorum([0, 1, 2], [3]) });
    expect(planScale(grown)).toEqual([
      expect.objectContaining({ action: 'add-controller', nodeId: 3 }),
    ]);
  });

  it('drains, leaves the quorum, then shrinks', () => {
    expect(planScale(combined(2, 3))).toEqual([expect.objectContaining({ action: 'reassign' })]);
    const drained = combined(2, 3, { partitions: [p('t', 0, [0, 1]), p('t', 1, [1, 0])] });
    expect(planScale(drained)).toEqual([
      expect.objectContaining({ action: 'remove-controller', nodeId: 2 }),
    ]);
    const left = { ...drained, quorum: quorum([0, 1], [2]) };
    expect(planScale(left)).toEqual([
      expect.objectContaining({ action: 'set-replicas', role: 'combined', replicas: 2 }),
    ]);
  });

  it('refuses to go below the replication factor', () => {
    expect(planScale(combined(1, 3))).toEqual([
      expect.objectContaining({ action: 'refuse', reason: 'ReplicationFactorTooHigh' }),
    ]);
  });
});

describe('planDrain', () => {
  it('spreads replicas evenly across the remaining brokers and keeps RF', () => {
    const parts = Array.from({ length: 12 }, (_, i) =>
      p('t', i, [100 + (i % 4), 100 + ((i + 1) % 4)]),
    );
    const moves = planDrain(parts, [103], [100, 101, 102]);
    const after = parts.map(
      (x) => moves.find((m) => m.partition === x.partition)?.replicas ?? x.replicas,
    );
    const load = new Map<number, number>();
    for (const r of after) {
      expect(new Set(r).size).toBe(2);
      expect(r).not.toContain(103);
      for (const id of r) load.set(id, (load.get(id) ?? 0) + 1);
    }
    expect(Math.max(...load.values()) - Math.min(...load.values())).toBeLessThanOrEqual(1);
  });

  it('prefers a rack the partition does not use yet', () => {
    const racks = { 100: 'a', 101: 'a', 102: 'b', 103: 'b' };
    const moves = planDrain([p('t', 0, [100, 103])], [103], [100, 101, 102], racks);
    expect(moves).toEqual([{ topic: 't', partition: 0, replicas: [100, 102] }]);
  });

  it('is deterministic', () => {
    const parts = [p('b', 0, [102, 100]), p('a', 0, [102, 101])];
    expect(planDrain(parts, [102], [100, 101])).toEqual(
      planDrain([...parts].reverse(), [102], [100, 101]),
    );
  });
});

describe('replicasToRender', () => {
  it('keeps existing StatefulSets at their size unless a step changes it', () => {
    expect(
      replicasToRender({ broker: 2, controller: 3 }, { broker: 3, controller: 3 }, []),
    ).toEqual({ broker: 3, controller: 3 });
    const steps = planScale(dedicated(2, 3, { partitions: [p('orders', 0, [100, 101])] }));
    expect(
      replicasToRender({ broker: 2, controller: 3 }, { broker: 3, controller: 3 }, steps),
    ).toEqual({ broker: 2, controller: 3 });
  });

  it('uses the spec for StatefulSets that do not exist yet', () => {
    expect(replicasToRender({ combined: 3 }, {}, [])).toEqual({ combined: 3 });
  });
});

describe('planClaimDeletion (deleteClaim: true, after a scale-down)', () => {
  const claim = (sts: string, ordinal: number, deleting = false) => ({
    name: `data-${sts}-${ordinal}`,
    uid: `uid-${sts}-${ordinal}`,
    deleting,
  });
  const voters = (ids: number[]): QuorumState => ({
    leaderId: ids[0]!,
    voters: ids.map((nodeId) => ({ nodeId, lag: 0 })),
    observers: [],
    kraftVersion: 1,
  });
  const base = (extra: Partial<ClaimDeletionInput> = {}): ClaimDeletionInput => ({
    roles: [
      { role: 'controller', statefulSetName: 'demo-controller', deleteClaim: true },
      { role: 'broker', statefulSetName: 'demo-broker', deleteClaim: true },
    ],
    desired: { controller: 3, broker: 3 },
    current: { controller: 3, broker: 3 },
    claims: [0, 1, 2, 3].flatMap((i) => [claim('demo-controller', i), claim('demo-broker', i)]),
    podNames: [0, 1, 2].flatMap((i) => [`demo-controller-${i}`, `demo-broker-${i}`]),
    registrations: [100, 101, 102].map((nodeId) => ({ nodeId, fenced: false })),
    quorum: voters([0, 1, 2]),
    ...extra,
  });

  it('deletes the claim of a broker drained, shrunk away and unregistered, and only that one', () => {
    const plan = planClaimDeletion(base());
    expect(plan.delete).toEqual([
      expect.objectContaining({
        name: 'data-demo-controller-3',
        uid: 'uid-demo-controller-3',
        nodeId: 3,
      }),
      expect.objectContaining({
        name: 'data-demo-broker-3',
        uid: 'uid-demo-broker-3',
        nodeId: 103,
      }),
    ]);
    expect(plan.delete[1]!.message).toMatch(/node 103 was scaled away/);
  });

  it('walks the scale-down: nothing until the pod is gone and Kafka has forgotten the node', () => {
    // 4 -> 3 brokers: during the drain the StatefulSet still has 4; nothing is a candidate.
    const draining = base({
      desired: { controller: 3, broker: 3 },
      current: { controller: 3, broker: 4 },
      podNames: [...base().podNames, 'demo-broker-3'],
      registrations: [100, 101, 102, 103].map((nodeId) => ({ nodeId, fenced: false })),
      claims: [claim('demo-broker', 3)],
    });
    expect(planClaimDeletion(draining)).toEqual({ delete: [], waiting: [] });
    // set-replicas 3: the pod is terminating.
    const shrinking = { ...draining, current: { controller: 3, broker: 3 } };
    expect(planClaimDeletion(shrinking)).toEqual({
      delete: [],
      waiting: ['data-demo-broker-3: pod demo-broker-3 still exists'],
    });
    // Pod gone, broker 103 not yet unregistered.
    const registered = { ...shrinking, podNames: base().podNames };
    expect(planClaimDeletion(registered).waiting).toEqual([
      'data-demo-broker-3: broker 103 is still registered',
    ]);
    // Kafka unreadable: never blind.
    const { registrations: _r, ...blind } = registered;
    expect(planClaimDeletion(blind).delete).toEqual([]);
    // Unregistered: now it goes.
    const gone = { ...registered, registrations: base().registrations! };
    expect(planClaimDeletion(gone).delete.map((d) => d.name)).toEqual(['data-demo-broker-3']);
  });

  it('keeps claims with deleteClaim false, of ordinals the spec wants again, already deleting, or without a StatefulSet', () => {
    const roles = base().roles.map((r) => ({ ...r, deleteClaim: false }));
    expect(planClaimDeletion(base({ roles })).delete).toEqual([]);
    expect(planClaimDeletion(base({ desired: { controller: 4, broker: 4 } })).delete).toEqual([]);
    const deleting = [claim('demo-controller', 3, true), claim('demo-broker', 3, true)];
    expect(planClaimDeletion(base({ claims: deleting })).delete).toEqual([]);
    expect(planClaimDeletion(base({ current: {} })).delete).toEqual([]);
    // Names that only look alike are not ours.
    const alike = [
      claim('demo-broker', 3).name + 'x',
      'data-demo-broker-03',
      'data-demo-brokers-3',
    ].map((name) => ({ name, uid: name, deleting: false }));
    expect(planClaimDeletion(base({ claims: alike })).delete).toEqual([]);
  });

  it('waits for a controller (or combined node) to leave the quorum', () => {
    const plan = planClaimDeletion(
      base({ quorum: voters([0, 1, 2, 3]), claims: [claim('demo-controller', 3)] }),
    );
    expect(plan).toEqual({
      delete: [],
      waiting: ['data-demo-controller-3: node 3 is still a voter'],
    });
    const combined = base({
      roles: [{ role: 'combined', statefulSetName: 'demo-kafka', deleteClaim: true }],
      desired: { combined: 2 },
      current: { combined: 2 },
      claims: [claim('demo-kafka', 2)],
      podNames: ['demo-kafka-0', 'demo-kafka-1'],
      registrations: [0, 1].map((nodeId) => ({ nodeId, fenced: false })),
      quorum: voters([0, 1, 2]),
    });
    expect(planClaimDeletion(combined).waiting).toEqual([
      'data-demo-kafka-2: node 2 is still a voter',
    ]);
    expect(planClaimDeletion({ ...combined, quorum: voters([0, 1]) }).delete).toHaveLength(1);
  });
});
