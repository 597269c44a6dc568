import { describe, expect, it } from 'vitest';
import { planMetadataVersion, releaseVersionOf } from './metadata-version-plan.ts';
import type { Role } from '../model/node-layout.ts';
import type { ObservedPod, PartitionState, QuorumState } from '../model/observed-state.ts';
import { planRoll } from './roll-plan.ts';
import type { RollInput } from './roll-plan.ts';

const OLD = 'rev-old';
const NEW = 'rev-new';

function pod(role: Role, ordinal: number, patch: Partial<ObservedPod> = {}): ObservedPod {
  const base = role === 'broker' ? 100 : 0;
  const sts = role === 'combined' ? 'demo-kafka' : `demo-${role}`;
  return {
    name: `${sts}-${ordinal}`,
    role,
    ordinal,
    nodeId: base + ordinal,
    revision: NEW,
    desiredRevision: NEW,
    phase: 'Running',
    ready: true,
    crashLooping: false,
    terminating: false,
    ...patch,
  };
}

const stale = { revision: OLD };

function quorum(leaderId: number, ids: number[], lags: Record<number, number> = {}): QuorumState {
  return {
    leaderId,
    voters: ids.map((nodeId) => ({ nodeId, lag: lags[nodeId] ?? 0 })),
    observers: [],
    kraftVersion: 1,
  };
}

function partition(
  topic: string,
  n: number,
  replicas: number[],
  isr = replicas,
  minIsr = 2,
): PartitionState {
  return { topic, partition: n, replicas, isr, minIsr };
}

const registered = (ids: number[]) => ids.map((nodeId) => ({ nodeId, fenced: false }));

/** A healthy dedicated cluster: 3 controllers (leader 1), 3 brokers, RF 3 / minISR 2. */
function dedicated(
  patches: Record<string, Partial<ObservedPod>> = {},
  extra: Partial<RollInput> = {},
): RollInput {
  const pods = [0, 1, 2]
    .map((i) => pod('controller', i))
    .concat([0, 1, 2].map((i) => pod('broker', i)));
  return {
    pods: pods.map((p) => ({ ...p, ...patches[p.name] })),
    quorum: quorum(1, [0, 1, 2]),
    partitions: [partition('orders', 0, [100, 101, 102]), partition('orders', 1, [101, 102, 100])],
    registrations: registered([100, 101, 102]),
    ...extra,
  };
}

const allStale = Object.fromEntries(
  [
    'demo-controller-0',
    'demo-controller-1',
    'demo-controller-2',
    'demo-broker-0',
    'demo-broker-1',
    'demo-broker-2',
  ].map((n) => [n, stale]),
);

describe('planRoll', () => {
  it('does nothing when every pod runs the desired revision', () => {
    expect(planRoll(dedicated())).toEqual({ action: 'none' });
  });

  it('restarts controllers before brokers, a follower first', () => {
    expect(planRoll(dedicated(allStale))).toMatchObject({
      action: 'restart',
      pod: 'demo-controller-0',
      reason: 'SpecChanged',
    });
  });

  it('restarts the active controller last among the controllers', () => {
    const d = planRoll(
      dedicated({ ...allStale, 'demo-controller-0': {}, 'demo-controller-2': {} }),
    );
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-controller-1' });
    const d2 = planRoll(dedicated({ 'demo-controller-1': stale, 'demo-controller-2': stale }));
    expect(d2).toMatchObject({ action: 'restart', pod: 'demo-controller-2' });
  });

  it('moves on to brokers only when every controller is done', () => {
    const d = planRoll(dedicated({ 'demo-broker-0': stale, 'demo-broker-2': stale }));
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-broker-0', nodeId: 100 });
  });

  it('walks a whole roll one pod at a time in the right order', () => {
    let input = dedicated(allStale);
    const order: string[] = [];
    for (let i = 0; i < 10; i++) {
      const d = planRoll(input);
      if (d.action !== 'restart') break;
      order.push(d.pod);
      input = {
        ...input,
        pods: input.pods.map((p) => (p.name === d.pod ? { ...p, revision: NEW } : p)),
      };
    }
    expect(order).toEqual([
      'demo-controller-0',
      'demo-controller-2',
      'demo-controller-1',
      'demo-broker-0',
      'demo-broker-1',
      'demo-broker-2',
    ]);
    expect(planRoll(input)).toEqual({ action: 'none' });
  });

  it('waits while the previously restarted pod is terminating', () => {
    const d = planRoll(
      dedicated({ ...allStale, 'demo-controller-0': { terminating: true, ready: false } }),
    );
    expect(d).toMatchObject({ action: 'wait', reason: 'PodTerminating', pod: 'demo-controller-0' });
  });

  it('waits while a restarted pod is gone and its replacement not created yet', () => {
    // The moment that broke a roll on kind: controller 0 deleted, its replacement not in the
    // cache yet, and Kafka still reporting voter 0 as caught up (it stopped seconds ago).
    const input = dedicated(allStale, {
      expectedPods: [0, 1, 2].flatMap((i) => [`demo-controller-${i}`, `demo-broker-${i}`]),
    });
    input.pods = input.pods.filter((p) => p.name !== 'demo-controller-0');
    expect(planRoll(input)).toMatchObject({
      action: 'wait',
      reason: 'PodMissing',
      pod: 'demo-controller-0',
    });
    // Without the expected names the same view looked healthy: the next controller went.
    expect(planRoll({ ...input, expectedPods: undefined as never })).toMatchObject({
      action: 'restart',
      pod: 'demo-controller-2',
    });
  });

  describe('a broker that never registers (Kafka 4.1.1, seen on kind)', () => {
    // A new cluster: no stale pods, controllers Ready for 90 s, broker 1 unready for 150 s and
    // missing from the registrations while brokers 0 and 2 are registered.
    const steady = { readySeconds: 90 };
    const input = (
      over: Record<string, Partial<ObservedPod>> = {},
      extra: Partial<RollInput> = {},
    ) =>
      dedicated(
        {
          'demo-controller-0': steady,
          'demo-controller-1': steady,
          'demo-controller-2': steady,
          'demo-broker-1': { ready: false, unreadySeconds: 150 },
          ...over,
        },
        {
          registrations: registered([100, 102]),
          // Never registered, so in no ISR.
          partitions: [
            partition('orders', 0, [100, 101, 102], [100, 102]),
            partition('orders', 1, [101, 102, 100], [102, 100]),
          ],
          ...extra,
        },
      );

    it('is restarted once the quorum has been steady and it has waited long enough', () => {
      expect(planRoll(input())).toMatchObject({
        action: 'restart',
        pod: 'demo-broker-1',
        reason: 'BrokerNotRegistering',
      });
    });

    it.each([
      ['it has waited only 60 s', { 'demo-broker-1': { ready: false, unreadySeconds: 60 } }, {}],
      ['a controller has been Ready only 20 s', { 'demo-controller-2': { readySeconds: 20 } }, {}],
      ['a controller is not Ready', { 'demo-controller-0': { ready: false } }, {}],
      [
        'it is registered (only slow to be Ready)',
        {},
        { registrations: registered([100, 101, 102]) },
      ],
      ['the registrations are unknown', {}, { registrations: undefined as never }],
      ['the quorum is unknown', {}, { quorum: undefined as never }],
      [
        'it is crash-looping (it restarts by itself)',
        { 'demo-broker-1': { ready: false, unreadySeconds: 150, crashLooping: true } },
        {},
      ],
      [
        'it is in an ISR',
        {},
        { partitions: [partition('orders', 0, [100, 101, 102], [100, 101, 102])] },
      ],
      [
        'it is already terminating',
        { 'demo-broker-1': { ready: false, unreadySeconds: 150, terminating: true } },
        {},
      ],
    ])('is left alone when %s', (_, over, extra) => {
      const d = planRoll(input(over, extra));
      expect(d.action === 'restart' && d.reason === 'BrokerNotRegistering').toBe(false);
    });
  });

  it('waits until the restarted pod is ready again', () => {
    const d = planRoll(
      dedicated({ ...allStale, 'demo-controller-0': { ready: false, unreadySeconds: 20 } }),
    );
    expect(d).toMatchObject({ action: 'wait', reason: 'PodNotReady', pod: 'demo-controller-0' });
  });

  it('waits until a restarted broker is registered and unfenced again', () => {
    const input = dedicated(
      { 'demo-broker-1': stale, 'demo-broker-2': stale },
      {
        registrations: [
          { nodeId: 100, fenced: true },
          { nodeId: 101, fenced: false },
          { nodeId: 102, fenced: false },
        ],
      },
    );
    expect(planRoll(input)).toMatchObject({
      action: 'wait',
      reason: 'BrokerNotRegistered',
      pod: 'demo-broker-0',
    });
    const missing = dedicated(
      { 'demo-broker-1': stale },
      { registrations: registered([101, 102]) },
    );
    expect(planRoll(missing)).toMatchObject({ action: 'wait', reason: 'BrokerNotRegistered' });
  });

  it('waits until a restarted controller has caught up with the leader', () => {
    const d = planRoll(
      dedicated({ 'demo-controller-2': stale }, { quorum: quorum(1, [0, 1, 2], { 0: 5000 }) }),
    );
    expect(d).toMatchObject({
      action: 'wait',
      reason: 'ControllerCatchingUp',
      pod: 'demo-controller-0',
    });
  });

  it('counts a small lag as caught up', () => {
    const d = planRoll(
      dedicated({ 'demo-controller-2': stale }, { quorum: quorum(1, [0, 1, 2], { 0: 3 }) }),
    );
    expect(d).toMatchObject({ action: 'restart', pod: 'demo-controller-2' });
  });

  it('refuses to restart a controller when the quorum would lose its majority', () => {
    // One voter of three is far behind but its pod is ready: restarting another would leave
    // only the leader caught up.
    const input = dedicated(
      { 'demo-controller-2': stale },
      { quorum: quorum(1, [0, 1, 2], { 0: 5000 }), options: { maxQuorumLag: 100 } },
    );
    // The lagging voter makes the planner wait before even considering the quorum check...
    expect(planRoll(input)).toMatchObject({ action: 'wait', reason: 'ControllerCatchingUp' });
    // ...and a lagging voter with no pod of ours (e.g. being replaced) trips the majority check.
    const withGhost = dedicated(
      { 'demo-controller-2': stale },
      { quorum: quorum(1, [0, 1, 2, 3, 4], { 3: 9999, 4: 9999 }) },
    );
    expect(planRoll(withGhost)).toMatchObject({
      action: 'wait',
      reason: 'QuorumAtRisk',
      pod: 'demo-controller-2',
    });
  });

  it('restarts a single-voter quorum (nothing to protect)', () => {
    const input: RollInput = {
      pods: [pod('combined', 0, stale)],
      quorum: quorum(0, [0]),
      partitions: [partition('t', 0, [0], [0], 1)],
      registrations: registered([0]),
    };
    expect(planRoll(input)).toMatchObject({ action: 'restart', pod: 'demo-kafka-0' });
  });

  it('waits when the quorum cannot be described', () => {
    const d = planRoll(dedicated({ 'demo-controller-0': stale }, { quorum: undefined }));
    expect(d).toMatchObject({ action: 'wait', reason: 'QuorumUnknown' });
  });

  it('does not restart a broker whose partitions would fall below min.insync.replicas', () => {
    const input = dedicated(
      { 'demo-broker-0': stale },
      {
        partitions: [
          partition('orders', 0, [100, 101, 102], [100, 101]),
          partition('orders', 1, [101, 102, 100]),
        ],
      },
    );
    const d = planRoll(input);
    expect(d).toMatchObject({ action: 'wait', reason: 'UnderMinIsr', pod: 'demo-broker-0' });
    expect(d.action === 'wait' && d.message).toContain('orders-0');
  });

  it('restarts a broker that is out of sync for an under-replicated partition (it takes nothing away)', () => {
    const input = dedicated(
      { 'demo-broker-2': stale },
      {
        partitions: [partition('orders', 0, [100, 101, 102], [100, 101])],
      },
    );
    expect(planRoll(input)).toMatchObject({ action: 'restart', pod: 'demo-broker-2' });
  });

  it('does not let an unavoidable partition (RF <= minISR) block a roll forever', () => {
    const input = dedicated(
      { 'demo-broker-0': stale },
      {
        partitions: [
          partition('single', 0, [100], [100], 1),
          partition('pair', 0, [100, 101], [100, 101], 2),
        ],
      },
    );
    expect(planRoll(input)).toMatchObject({ action: 'restart', pod: 'demo-broker-0' });
  });

  it('waits when partitions cannot be described', () => {
    const d = planRoll(dedicated({ 'demo-broker-0': stale }, { partitions: undefined }));
    expect(d).toMatchObject({ action: 'wait', reason: 'PartitionsUnknown' });
  });

  it('restarts a stale pod in CrashLoopBackOff first, without safety checks', () => {
    const input = dedicated(
      { ...allStale, 'demo-broker-2': { ...stale, crashLooping: true, ready: false } },
      { partitions: undefined, quorum: undefined },
    );
    expect(planRoll(input)).toMatchObject({
      action: 'restart',
      pod: 'demo-broker-2',
      reason: 'StuckOnStaleSpec',
    });
  });

  it('restarts a stale Pending pod (e.g. unschedulable old resources) first', () => {
    const input = dedicated({ 'demo-controller-1': { ...stale, phase: 'Pending', ready: false } });
    const d = planRoll(input);
    expect(d).toMatchObject({
      action: 'restart',
      pod: 'demo-controller-1',
      reason: 'StuckOnStaleSpec',
    });
    expect(d.action === 'restart' && d.message).toContain('Pending');
  });

  it('restarts a stale pod unready for long, but not one that just started', () => {
    expect(
      planRoll(dedicated({ 'demo-broker-1': { ...stale, ready: false, unreadySeconds: 900 } })),
    ).toMatchObject({
      action: 'restart',
      pod: 'demo-broker-1',
      reason: 'StuckOnStaleSpec',
    });
    expect(
      planRoll(dedicated({ 'demo-broker-1': { ...stale, ready: false, unreadySeconds: 30 } })),
    ).toMatchObject({
      action: 'wait',
      reason: 'PodNotReady',
    });
  });

  it('fixes several stuck pods back to back: they no longer wait for each other', () => {
    const input = dedicated({
      'demo-broker-0': { crashLooping: true, ready: false },
      'demo-broker-1': { ...stale, crashLooping: true, ready: false },
    });
    // broker-0 is on the new spec already and still crashing; broker-1 is stuck on the old one.
    expect(planRoll(input)).toMatchObject({ action: 'restart', pod: 'demo-broker-1' });
  });

  it('stops a roll when a pod on the new spec is crashing (a bad change spreads no further)', () => {
    const input = dedicated({
      ...allStale,
      'demo-controller-0': { crashLooping: true, ready: false },
    });
    expect(planRoll(input)).toMatchObject({
      action: 'wait',
      reason: 'PodNotReady',
      pod: 'demo-controller-0',
    });
  });

  it('does not restart a pod that is not stale just because it is crashing', () => {
    expect(planRoll(dedicated({ 'demo-broker-0': { crashLooping: true, ready: false } }))).toEqual({
      action: 'none',
    });
  });

  it('honours a manual restart request through the same checks', () => {
    expect(planRoll(dedicated({ 'demo-broker-1': { restartRequested: true } }))).toMatchObject({
      action: 'restart',
      pod: 'demo-broker-1',
      reason: 'ManualRestart',
    });
  });

  it('rolls a combined cluster with the leader node last and both checks on each node', () => {
    const pods = [0, 1, 2].map((i) => pod('combined', i, stale));
    const input: RollInput = {
      pods,
      quorum: quorum(0, [0, 1, 2]),
      partitions: [partition('t', 0, [0, 1, 2])],
      registrations: registered([0, 1, 2]),
    };
    expect(planRoll(input)).toMatchObject({ action: 'restart', pod: 'demo-kafka-1' });
    const atRisk = { ...input, partitions: [partition('t', 0, [0, 1, 2], [1, 0])] };
    expect(planRoll(atRisk)).toMatchObject({
      action: 'wait',
      reason: 'UnderMinIsr',
      pod: 'demo-kafka-1',
    });
  });

  it('does not count an observer controller towards the majority check', () => {
    const input = dedicated(
      {},
      { quorum: { ...quorum(1, [0, 1, 2]), observers: [{ nodeId: 3, lag: 0 }] } },
    );
    input.pods.push(pod('controller', 3, stale));
    expect(planRoll(input)).toMatchObject({ action: 'restart', pod: 'demo-controller-3' });
  });
});

describe('planMetadataVersion', () => {
  const upgraded = (patch: Partial<ObservedPod> = {}) => [
    pod('controller', 0, { kafkaVersion: '4.1.1', ...patch }),
    pod('broker', 0, { kafkaVersion: '4.1.1' }),
  ];

  it('maps a Kafka version to its release version', () => {
    expect(releaseVersionOf('4.1.1')).toBe('4.1');
    expect(releaseVersionOf('3.9.1')).toBe('3.9');
  });

  it('raises the metadata version once every node runs the new version', () => {
    expect(
      planMetadataVersion({
        desiredVersion: '4.1.1',
        pods: upgraded(),
        currentMetadataVersion: '3.9-IV0',
        expectedPods: 2,
      }),
    ).toMatchObject({
      action: 'upgrade',
      releaseVersion: '4.1',
    });
  });

  it('waits while a node still runs the old version or the roll is unfinished', () => {
    expect(
      planMetadataVersion({
        desiredVersion: '4.1.1',
        pods: upgraded({ kafkaVersion: '3.9.1' }),
        currentMetadataVersion: '3.9-IV0',
        expectedPods: 2,
      }),
    ).toMatchObject({ action: 'wait', reason: 'NodesNotUpgraded' });
    expect(
      planMetadataVersion({
        desiredVersion: '4.1.1',
        pods: upgraded({ revision: OLD }),
        currentMetadataVersion: '3.9-IV0',
        expectedPods: 2,
      }),
    ).toMatchObject({ action: 'wait' });
    expect(
      planMetadataVersion({
        desiredVersion: '4.1.1',
        pods: upgraded({ ready: false }),
        currentMetadataVersion: '3.9-IV0',
        expectedPods: 2,
      }),
    ).toMatchObject({ action: 'wait' });
    expect(
      planMetadataVersion({
        desiredVersion: '4.1.1',
        pods: upgraded(),
        currentMetadataVersion: '3.9-IV0',
        expectedPods: 3,
      }),
    ).toMatchObject({ action: 'wait' });
  });

  it('does nothing when the metadata version is already there (or ahead)', () => {
    expect(
      planMetadataVersion({
        desiredVersion: '4.1.1',
        pods: upgraded(),
        currentMetadataVersion: '4.1-IV1',
        expectedPods: 2,
      }),
    ).toEqual({ action: 'none' });
    expect(
      planMetadataVersion({
        desiredVersion: '4.0.0',
        pods: upgraded(),
        currentMetadataVersion: '4.1-IV1',
        expectedPods: 2,
      }),
    ).toEqual({ action: 'none' });
  });

  it('waits when the metadata version is unknown', () => {
    expect(
      planMetadataVersion({ desiredVersion: '4.1.1', pods: upgraded(), expectedPods: 2 }),
    ).toMatchObject({ action: 'wait', reason: 'MetadataVersionUnknown' });
  });
});
