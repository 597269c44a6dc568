import { describe, expect, it } from 'vitest';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import {
  clusterStatus,
  degradedNews,
  deletingStatus,
  type ClusterStatus,
} from './cluster-status.ts';
import type { StatusInput } from './cluster-status.ts';
import { modelOf } from '../model/cluster-model.ts';
import type { Role } from '../model/node-layout.ts';
import type { ObservedPod } from '../model/observed-state.ts';
import { specProblems } from './spec-checks.ts';

const cluster: ClusterRef = { name: 'demo', namespace: 'streaming', uid: 'u' };
const spec: ClusterSpec = {
  version: '4.1.1',
  controllers: { replicas: 3, storage: { type: 'persistent-claim', size: '1Gi' } },
  brokers: { replicas: 3, storage: { type: 'persistent-claim', size: '10Gi' } },
  listeners: [
    { name: 'internal', port: 9092, type: 'internal' },
    {
      name: 'external',
      port: 9094,
      type: 'nodeport',
      nodePortBase: 30092,
      advertisedHost: 'localhost',
    },
    { name: 'lan', port: 9095, type: 'nodeport', nodePortBase: 31000 },
  ],
  config: { 'default.replication.factor': '3', 'min.insync.replicas': '2' },
};

function pod(role: Role, ordinal: number, patch: Partial<ObservedPod> = {}): ObservedPod {
  const base = role === 'broker' ? 100 : 0;
  return {
    name: `demo-${role}-${ordinal}`,
    role,
    ordinal,
    nodeId: base + ordinal,
    revision: 'r',
    desiredRevision: 'r',
    phase: 'Running',
    ready: true,
    crashLooping: false,
    terminating: false,
    kafkaVersion: '4.1.1',
    hostIP: `10.0.0.${ordinal + 1}`,
    ...patch,
  };
}

const now = new Date('2026-11-22T03:00:00Z');
const later = new Date('2026-11-22T03:05:00Z');

function healthy(extra: Partial<StatusInput> = {}): StatusInput {
  return {
    model: modelOf(cluster, spec, 4),
    clusterId: 'nLp2abcdQZ6dXtk3r1w9Qg',
    statefulSets: {
      controller: { replicas: 3, readyReplicas: 3 },
      broker: { replicas: 3, readyReplicas: 3 },
    },
    pods: [0, 1, 2].map((i) => pod('controller', i)).concat([0, 1, 2].map((i) => pod('broker', i))),
    quorum: { leaderId: 1, voters: [0, 1, 2].map((nodeId) => ({ nodeId, lag: 0 })), observers: [] },
    partitions: [
      { topic: 'orders', partition: 0, replicas: [100, 101, 102], isr: [100, 101, 102], minIsr: 2 },
    ],
    metadataVersion: '4.1-IV1',
    roll: { action: 'none' },
    scale: [],
    now,
    ...extra,
  };
}

const cond = (s: ReturnType<typeof clusterStatus>, type: string) =>
  s.conditions!.find((c) => c.type === type)!;

describe('clusterStatus', () => {
  it('reports a healthy cluster', () => {
    const s = clusterStatus(healthy());
    expect(s).toMatchObject({
      observedGeneration: 4,
      clusterId: 'nLp2abcdQZ6dXtk3r1w9Qg',
      kafkaVersion: '4.1.1',
      metadataVersion: '4.1-IV1',
      listeners: [
        { name: 'internal', bootstrapServers: 'demo-kafka-bootstrap.streaming.svc:9092' },
        { name: 'external', bootstrapServers: 'localhost:30092,localhost:30093,localhost:30094' },
        { name: 'lan', bootstrapServers: '10.0.0.1:31000,10.0.0.2:31001,10.0.0.3:31002' },
      ],
      controllers: { replicas: 3, readyReplicas: 3, nodeIds: [0, 1, 2], leaderId: 1 },
      brokers: {
        replicas: 3,
        readyReplicas: 3,
        nodeIds: [100, 101, 102],
        selector: 'kraftwerk.dev/cluster=demo,kraftwerk.dev/role=broker',
      },
    });
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'ClusterReady',
      observedGeneration: 4,
      lastTransitionTime: '2026-11-22T03:00:00Z',
    });
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'False', reason: 'Idle' });
    expect(cond(s, 'Degraded')).toMatchObject({ status: 'False', reason: 'Healthy' });
  });

  it('tells clients of a plaintext listener to speak PLAINTEXT, with no CA to trust', () => {
    const s = clusterStatus(healthy());
    for (const l of s.listeners!) {
      expect(l.securityProtocol).toBe('PLAINTEXT');
      expect(l).not.toHaveProperty('saslMechanism');
      expect(l).not.toHaveProperty('caSecret');
    }
  });

  it('names the security protocol, SASL mechanism and CA Secret of each secured listener', () => {
    const secured: ClusterSpec = {
      ...spec,
      listeners: [
        { name: 'plain', port: 9092, type: 'internal' },
        { name: 'mtls', port: 9093, type: 'internal', tls: true, authentication: { type: 'tls' } },
        {
          name: 'external',
          port: 9094,
          type: 'nodeport',
          nodePortBase: 30092,
          advertisedHost: 'localhost',
          tls: true,
          authentication: { type: 'scram-sha-512' },
        },
        { name: 'encrypted', port: 9095, type: 'internal', tls: true },
        { name: 'sasl', port: 9096, type: 'internal', authentication: { type: 'scram-sha-512' } },
      ],
    };
    const s = clusterStatus(healthy({ model: modelOf(cluster, secured, 4) }));
    expect(s.listeners).toEqual([
      {
        name: 'plain',
        bootstrapServers: 'demo-kafka-bootstrap.streaming.svc:9092',
        securityProtocol: 'PLAINTEXT',
      },
      {
        name: 'mtls',
        bootstrapServers: 'demo-kafka-bootstrap.streaming.svc:9093',
        securityProtocol: 'SSL',
        caSecret: 'demo-cluster-ca-cert',
      },
      {
        name: 'external',
        bootstrapServers: 'localhost:30092,localhost:30093,localhost:30094',
        securityProtocol: 'SASL_SSL',
        saslMechanism: 'SCRAM-SHA-512',
        caSecret: 'demo-cluster-ca-cert',
      },
      {
        name: 'encrypted',
        bootstrapServers: 'demo-kafka-bootstrap.streaming.svc:9095',
        securityProtocol: 'SSL',
        caSecret: 'demo-cluster-ca-cert',
      },
      {
        name: 'sasl',
        bootstrapServers: 'demo-kafka-bootstrap.streaming.svc:9096',
        securityProtocol: 'SASL_PLAINTEXT',
        saslMechanism: 'SCRAM-SHA-512',
      },
    ]);
  });

  it('keeps lastTransitionTime while a condition does not flip', () => {
    const first = clusterStatus(healthy());
    const second = clusterStatus(healthy({ previous: first, now: later }));
    expect(cond(second, 'Ready').lastTransitionTime).toBe('2026-11-22T03:00:00Z');
    const broken = clusterStatus(healthy({ previous: second, now: later, quorum: undefined }));
    expect(cond(broken, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'QuorumUnavailable',
      lastTransitionTime: '2026-11-22T03:05:00Z',
    });
  });

  it('says the operator certificate is missing on a secured cluster it cannot ask', () => {
    const message =
      "the operator's client certificate … (Secret demo-operator-certs) does not exist yet";
    for (const input of [
      healthy({ quorum: undefined, operatorCertificatePending: message }),
      healthy({
        statefulSets: {},
        pods: [],
        quorum: undefined,
        operatorCertificatePending: message,
      }),
    ]) {
      expect(cond(clusterStatus(input), 'Ready')).toMatchObject({
        status: 'False',
        reason: 'OperatorCertificatePending',
        message,
      });
    }
  });

  it('is Creating before the StatefulSets exist or any pod is ready', () => {
    const s = clusterStatus(healthy({ statefulSets: {}, pods: [], quorum: undefined }));
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'True', reason: 'Creating' });
    const starting = clusterStatus(
      healthy({
        statefulSets: {
          controller: { replicas: 3, readyReplicas: 0 },
          broker: { replicas: 3, readyReplicas: 0 },
        },
      }),
    );
    expect(cond(starting, 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
    // Found on real pods: Progressing said Idle while the new cluster's pods started.
    expect(cond(starting, 'Progressing')).toMatchObject({ status: 'True', reason: 'PodsStarting' });
    expect(cond(starting, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Creating' });
    expect(cond(starting, 'Stalled')).toMatchObject({ status: 'False' });
  });

  it('is Stalled for kstatus when only a person can fix the spec, neither when Ready', () => {
    const bad = clusterStatus(healthy({ specProblems: ['rack.topologyKey is not supported'] }));
    expect(cond(bad, 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(cond(bad, 'Reconciling')).toMatchObject({ status: 'False' });
    const ok = clusterStatus(healthy());
    expect(cond(ok, 'Stalled')).toMatchObject({ status: 'False' });
    expect(cond(ok, 'Reconciling')).toMatchObject({ status: 'False' });
  });

  it('says which role is not ready', () => {
    const s = clusterStatus(
      healthy({
        statefulSets: {
          controller: { replicas: 3, readyReplicas: 3 },
          broker: { replicas: 3, readyReplicas: 2 },
        },
      }),
    );
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodsNotReady',
      message: 'demo-broker: 2/3 ready',
    });
  });

  it('reports a refused scale-down as Ready=False with the planner reason', () => {
    const s = clusterStatus(
      healthy({
        scale: [
          {
            action: 'refuse',
            reason: 'ReplicationFactorTooHigh',
            message: 'orders (RF 3) needs 3 brokers',
          },
        ],
      }),
    );
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReplicationFactorTooHigh',
      message: 'orders (RF 3) needs 3 brokers',
    });
  });

  it('reports an invalid spec first', () => {
    const s = clusterStatus(
      healthy({ specProblems: ['default.replication.factor=5 is more than the 3 broker(s)'] }),
    );
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  });

  it('shows a rolling restart as Progressing', () => {
    const pods = healthy().pods.map((p) => (p.role === 'broker' ? { ...p, revision: 'old' } : p));
    const s = clusterStatus(
      healthy({
        pods,
        roll: {
          action: 'restart',
          pod: 'demo-broker-0',
          nodeId: 100,
          reason: 'SpecChanged',
          message: 'restarting demo-broker-0',
        },
      }),
    );
    expect(cond(s, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollingRestart',
      message: '3 pod(s) to restart; restarting demo-broker-0',
    });
  });

  it('keeps Ready=False between two broker restarts of a roll, then True once none is stale', () => {
    // Broker 0 was restarted and is back, ready and on the new revision; 1 and 2 are stale
    // but ready too: every StatefulSet counts 3/3 ready and the quorum has a leader.
    const pods = healthy().pods.map((p) =>
      p.role === 'broker' && p.ordinal > 0 ? { ...p, revision: 'old' } : p,
    );
    const between = clusterStatus(
      healthy({
        pods,
        roll: {
          action: 'restart',
          pod: 'demo-broker-1',
          nodeId: 101,
          reason: 'SpecChanged',
          message: 'restarting demo-broker-1',
        },
      }),
    );
    expect(cond(between, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'RollingRestart',
      message: '2 pod(s) still to restart onto the current spec: demo-broker-1, demo-broker-2',
    });
    expect(cond(between, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollingRestart',
    });
    // kstatus: still reconciling, not stalled.
    expect(cond(between, 'Reconciling')).toMatchObject({ status: 'True' });
    expect(cond(between, 'Stalled')).toMatchObject({ status: 'False' });

    // The planner waiting for the restarted broker to register is still the roll.
    const waiting = clusterStatus(
      healthy({
        previous: between,
        now: later,
        pods,
        roll: {
          action: 'wait',
          reason: 'BrokerNotRegistered',
          pod: 'demo-broker-0',
          message: 'waiting for broker 100 (demo-broker-0) to register',
        },
      }),
    );
    expect(cond(waiting, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'RollingRestart',
      lastTransitionTime: '2026-11-22T03:00:00Z',
    });
    expect(cond(waiting, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollingRestart',
      message: '2 pod(s) to restart; waiting for broker 100 (demo-broker-0) to register',
    });

    // The last stale pod restarted and came back: Ready again, Progressing Idle.
    const done = clusterStatus(healthy({ previous: waiting, now: later }));
    expect(cond(done, 'Ready')).toMatchObject({ status: 'True', reason: 'ClusterReady' });
    expect(cond(done, 'Progressing')).toMatchObject({ status: 'False', reason: 'Idle' });
  });

  it('shows draining, quorum changes, scaling and metadata upgrades as Progressing', () => {
    expect(
      cond(
        clusterStatus(healthy({ scale: [{ action: 'reassign', moves: [], message: 'moving' }] })),
        'Progressing',
      ).reason,
    ).toBe('ReassigningPartitions');
    expect(
      cond(
        clusterStatus(
          healthy({
            scale: [
              { action: 'add-controller', nodeId: 3, pod: 'demo-controller-3', message: 'adding' },
            ],
          }),
        ),
        'Progressing',
      ).reason,
    ).toBe('ChangingQuorum');
    expect(
      cond(
        clusterStatus(
          healthy({
            scale: [{ action: 'set-replicas', role: 'broker', replicas: 5, message: 'adding' }],
          }),
        ),
        'Progressing',
      ).reason,
    ).toBe('Scaling');
    expect(
      cond(
        clusterStatus(
          healthy({ metadataStep: { action: 'upgrade', releaseVersion: '4.1', message: 'raise' } }),
        ),
        'Progressing',
      ).reason,
    ).toBe('UpgradingMetadataVersion');
  });

  it('reports crash loops, partitions under min ISR and under-replication as Degraded', () => {
    const crashing = healthy().pods.map((p) =>
      p.name === 'demo-broker-1' ? { ...p, crashLooping: true, ready: false } : p,
    );
    expect(cond(clusterStatus(healthy({ pods: crashing })), 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'PodCrashLooping',
    });
    const underMin = [
      { topic: 'orders', partition: 0, replicas: [100, 101, 102], isr: [100], minIsr: 2 },
    ];
    expect(cond(clusterStatus(healthy({ partitions: underMin })), 'Degraded')).toMatchObject({
      reason: 'UnderMinIsr',
    });
    const under = [
      { topic: 'orders', partition: 0, replicas: [100, 101, 102], isr: [100, 101], minIsr: 2 },
    ];
    expect(cond(clusterStatus(healthy({ partitions: under })), 'Degraded')).toMatchObject({
      reason: 'UnderReplicated',
    });
  });

  it('counts partitions and the quorum lag for kubectl get, and names leaderless partitions first', () => {
    const partitions = [
      {
        topic: 'orders',
        partition: 0,
        replicas: [100, 101, 102],
        isr: [100, 101, 102],
        leader: 100,
        minIsr: 2,
      },
      {
        topic: 'orders',
        partition: 1,
        replicas: [100, 101, 102],
        isr: [101, 102],
        leader: 101,
        minIsr: 2,
      },
      {
        topic: 'orders',
        partition: 2,
        replicas: [100, 101, 102],
        isr: [102],
        leader: 102,
        minIsr: 2,
      },
      { topic: 'audit', partition: 0, replicas: [101], isr: [101], leader: -1, minIsr: 1 },
    ];
    const quorum = {
      leaderId: 1,
      voters: [
        { nodeId: 0, lag: 12 },
        { nodeId: 1, lag: 0 },
        { nodeId: 2, lag: 3 },
      ],
      observers: [],
    };
    const s = clusterStatus(healthy({ partitions, quorum }));
    expect(s.partitions).toEqual({ total: 4, underReplicated: 2, underMinIsr: 1, offline: 1 });
    expect(s.controllers).toMatchObject({ leaderId: 1, lag: 12 });
    expect(cond(s, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'OfflinePartitions',
      message: expect.stringContaining('audit-0 (replicas 101)'),
    });
    // Kafka not asked: no numbers rather than old ones.
    expect(clusterStatus(healthy({ partitions: undefined, quorum: undefined })).partitions).toBe(
      undefined,
    );
  });

  it("puts the crash-looping pod and Kafka's exception into Ready, instead of hiding it behind the quorum", () => {
    const detail =
      'org.apache.kafka.common.config.ConfigException: Invalid value banana for configuration num.partitions: Not a number of type INT';
    // Every broker crash-loops on a bad config: nothing answers, the quorum is not described,
    // and before, Ready said only QuorumUnavailable.
    const pods = healthy().pods.map((p) =>
      p.role === 'broker'
        ? {
            ...p,
            ready: false,
            crashLooping: true,
            failure: { reason: 'CrashLoopBackOff', detail },
          }
        : p,
    );
    const { quorum: _quorum, ...rest } = healthy({
      pods,
      statefulSets: {
        controller: { replicas: 3, readyReplicas: 3 },
        broker: { replicas: 3, readyReplicas: 0 },
      },
    });
    const status = clusterStatus(rest);
    const message = `demo-broker-0 (CrashLoopBackOff): ${detail}; demo-broker-1 (CrashLoopBackOff): ${detail}; demo-broker-2 (CrashLoopBackOff): ${detail}`;
    expect(cond(status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCrashLooping',
      message,
    });
    expect(cond(status, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'PodCrashLooping',
      message,
    });
    // It also wins over a roll that waits for that pod, and over Creating/PodsNotReady.
    const one = healthy().pods.map((p) =>
      p.name === 'demo-controller-2'
        ? {
            ...p,
            ready: false,
            crashLooping: false,
            failure: { reason: 'Error', detail: 'x.YException: y' },
          }
        : p,
    );
    expect(
      cond(
        clusterStatus(
          healthy({
            pods: one,
            statefulSets: {
              controller: { replicas: 3, readyReplicas: 2 },
              broker: { replicas: 3, readyReplicas: 3 },
            },
            roll: { action: 'wait', reason: 'PodNotReady', message: 'waiting' },
          }),
        ),
        'Ready',
      ),
    ).toMatchObject({
      reason: 'PodCrashLooping',
      message: 'demo-controller-2 (Error): x.YException: y',
    });
  });

  it('reports a combined cluster under both controllers and brokers', () => {
    const combined: ClusterSpec = {
      version: '4.1.1',
      brokers: { replicas: 1, storage: { type: 'ephemeral' } },
      listeners: [{ name: 'plain', port: 9092, type: 'internal' }],
    };
    const s = clusterStatus({
      ...healthy(),
      model: modelOf(cluster, combined, 4),
      statefulSets: { combined: { replicas: 1, readyReplicas: 1 } },
      pods: [{ ...pod('combined', 0), name: 'demo-kafka-0' }],
      quorum: { leaderId: 0, voters: [{ nodeId: 0, lag: 0 }], observers: [] },
    });
    expect(s.controllers).toEqual({
      replicas: 1,
      readyReplicas: 1,
      nodeIds: [0],
      leaderId: 0,
      lag: 0,
    });
    expect(s.brokers).toMatchObject({
      replicas: 1,
      nodeIds: [0],
      selector: 'kraftwerk.dev/cluster=demo,kraftwerk.dev/role=combined',
    });
    expect(cond(s, 'Ready').status).toBe('True');
  });

  it('keeps the previous Kafka version while nodes run different ones', () => {
    const mixed = healthy().pods.map((p, i) => ({
      ...p,
      kafkaVersion: i === 0 ? '4.1.1' : '4.0.0',
    }));
    expect(
      clusterStatus(healthy({ pods: mixed, previous: { kafkaVersion: '4.0.0' } })).kafkaVersion,
    ).toBe('4.0.0');
  });
});

describe('clusterStatus: pods on a lost node', () => {
  const problem =
    'node kraftwerk-worker2 unreachable (Ready=Unknown) since 2026-11-22T02:59:00.000Z: Kubelet stopped posting node status.';
  const lostInput = () =>
    healthy({
      statefulSets: {
        controller: { replicas: 3, readyReplicas: 2 },
        broker: { replicas: 3, readyReplicas: 2 },
      },
      pods: [0, 1, 2]
        .map((i) => pod('controller', i, i === 1 ? { ready: false, nodeProblem: problem } : {}))
        .concat(
          [0, 1, 2].map((i) =>
            pod('broker', i, i === 1 ? { ready: false, nodeProblem: problem } : {}),
          ),
        ),
    });

  it('Ready=False and Degraded=True NodeNotReady name the pods and the node, once per node', () => {
    const s = clusterStatus(lostInput());
    const expected = `demo-controller-1, demo-broker-1 on ${problem}`;
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NodeNotReady',
      message: expected,
    });
    expect(cond(s, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'NodeNotReady',
      message: expected,
    });
  });
  it('a pod still ready on a node that just went NotReady is not called lost yet', () => {
    const input = healthy({
      pods: [pod('broker', 0, { nodeProblem: problem })],
    });
    expect(cond(clusterStatus(input), 'Degraded').reason).not.toBe('NodeNotReady');
  });
  it("a pending pod carries the scheduler's reason", () => {
    const message = '0/4 nodes are available: 3 node(s) had volume node affinity conflict.';
    const input = healthy({
      statefulSets: {
        controller: { replicas: 3, readyReplicas: 3 },
        broker: { replicas: 3, readyReplicas: 2 },
      },
      pods: [0, 1, 2]
        .map((i) => pod('controller', i))
        .concat(
          [0, 1, 2].map((i) =>
            pod(
              'broker',
              i,
              i === 2 ? { ready: false, phase: 'Pending', unschedulable: message } : {},
            ),
          ),
        ),
    });
    expect(cond(clusterStatus(input), 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'PodUnschedulable',
      message: `demo-broker-2 cannot be scheduled: demo-broker-2: ${message}`,
    });
    // The cause before its effect: the partitions the pod's absence leaves short are added.
    const short = clusterStatus({
      ...input,
      partitions: [
        { topic: 'orders', partition: 0, replicas: [100, 101, 102], isr: [100, 101], minIsr: 2 },
      ],
    });
    expect(cond(short, 'Degraded')).toMatchObject({
      reason: 'PodUnschedulable',
      message: `demo-broker-2 cannot be scheduled: demo-broker-2: ${message}; 1 partition(s) have replicas out of sync`,
    });
  });
});

describe('deletingStatus', () => {
  it('keeps the last status and says Deleting, with what the teardown waits for', () => {
    const last = clusterStatus(healthy());
    const s = deletingStatus(last, 'waiting for the brokers to stop: demo-broker-0', 4, later);
    expect(s.clusterId).toBe(last.clusterId);
    expect(s.brokers).toEqual(last.brokers);
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Deleting',
      message: 'waiting for the brokers to stop: demo-broker-0',
      lastTransitionTime: '2026-11-22T03:05:00Z',
    });
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'True', reason: 'Deleting' });
    expect(cond(s, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Deleting' });
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'False' });
    expect(cond(s, 'Degraded')).toEqual(cond(last, 'Degraded'));
  });
});

describe('specProblems', () => {
  it('accepts the example spec', () => {
    expect(specProblems(spec)).toEqual([]);
  });

  it('flags a default replication factor above the broker count and minISR above RF', () => {
    expect(specProblems({ ...spec, brokers: { ...spec.brokers, replicas: 2 } })).toEqual([
      expect.stringContaining('default.replication.factor=3 is more than the 2 broker(s)'),
    ]);
    expect(specProblems({ ...spec, config: { 'min.insync.replicas': 2 } })).toEqual([
      expect.stringContaining('min.insync.replicas=2 is more than default.replication.factor=1'),
    ]);
  });

  it('flags reserved and duplicate listeners, owned keys and node ports past the range', () => {
    const bad: ClusterSpec = {
      ...spec,
      config: { 'node.id': 3 },
      listeners: [
        { name: 'replication', port: 9091, type: 'internal' },
        { name: 'a', port: 9092, type: 'internal' },
        { name: 'b', port: 9092, type: 'nodeport', nodePortBase: 32766, advertisedHost: 'x' },
      ],
    };
    const problems = specProblems(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("'node.id' is managed by kraftwerk"),
        expect.stringContaining("listener name 'replication' is reserved"),
        expect.stringContaining('listener port 9091 is reserved'),
        expect.stringContaining('listener port 9092 is used twice'),
        expect.stringContaining('beyond 32767'),
      ]),
    );
  });
});

describe('clusterStatus of a secured cluster (CertificatesReady)', () => {
  const certs = (status: 'True' | 'False', reason: string) => ({
    type: 'CertificatesReady' as const,
    status,
    reason,
    message: `${reason} message`,
  });

  it('adds the condition, and Ready stays True while it is True', () => {
    const s = clusterStatus(healthy({ certificates: certs('True', 'CertificatesCurrent') }));
    expect(cond(s, 'CertificatesReady')).toMatchObject({ status: 'True' });
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'ClusterReady' });
  });

  it('makes Ready False with the reason a person must fix, and Stalled for kstatus', () => {
    for (const reason of ['SecretNotOwned', 'CaSecretInvalid', 'InvalidAnnotation']) {
      const s = clusterStatus(healthy({ certificates: certs('False', reason) }));
      expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason });
      expect(cond(s, 'Stalled')).toMatchObject({ status: 'True' });
    }
  });

  it('says CertificatesPending only when nothing else explains the wait', () => {
    const pending = certs('False', 'CertificatesPending');
    expect(cond(clusterStatus(healthy({ certificates: pending })), 'Ready')).toMatchObject({
      status: 'False',
      reason: 'CertificatesPending',
    });
    const creating = clusterStatus(healthy({ certificates: pending, statefulSets: {} }));
    expect(cond(creating, 'Ready')).toMatchObject({ reason: 'Creating' });
  });

  it('drops the condition when the cluster is plaintext again', () => {
    const secured = clusterStatus(healthy({ certificates: certs('True', 'CertificatesCurrent') }));
    const plain = clusterStatus(healthy({ previous: secured, now: later }));
    expect(plain.conditions!.some((c) => c.type === 'CertificatesReady')).toBe(false);
  });
});

describe('degradedNews', () => {
  const withDegraded = (
    status: 'True' | 'False',
    reason: string,
    message: string,
  ): ClusterStatus => ({
    conditions: [
      { type: 'Degraded', status, reason, message, lastTransitionTime: now.toISOString() },
    ],
  });
  it('a new Degraded=True is news, with its reason and message', () => {
    expect(
      degradedNews(withDegraded('False', 'Healthy', ''), withDegraded('True', 'NodeNotReady', 'm')),
    ).toEqual({ reason: 'NodeNotReady', message: 'm' });
    expect(degradedNews(undefined, withDegraded('True', 'UnderMinIsr', 'x'))).toEqual({
      reason: 'UnderMinIsr',
      message: 'x',
    });
  });
  it('the same Degraded again is not; a changed message is', () => {
    const same = withDegraded('True', 'NodeNotReady', 'm');
    expect(degradedNews(same, withDegraded('True', 'NodeNotReady', 'm'))).toBeUndefined();
    expect(degradedNews(same, withDegraded('True', 'NodeNotReady', 'm2'))).toEqual({
      reason: 'NodeNotReady',
      message: 'm2',
    });
  });
  it('healthy is not news', () => {
    expect(
      degradedNews(withDegraded('True', 'X', 'm'), withDegraded('False', 'Healthy', '')),
    ).toBeUndefined();
  });
});
