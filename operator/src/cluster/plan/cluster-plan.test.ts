import { describe, expect, it } from 'vitest';
import type { KafkaCluster } from '../../api/kafka-cluster.ts';
import { clusterModel } from '../model/cluster-model.ts';
import type { ObservedPod, QuorumState } from '../model/observed-state.ts';
import type { PodObject, StatefulSetObject } from '../observe/cluster-resource.ts';
import type { ClusterObservation } from '../observe/observe-cluster.ts';
import {
  claimsNeeded,
  classesToRead,
  invalidSpecStatus,
  isShrinking,
  kafkaCanAnswer,
  planCluster,
  planClusterTeardown,
  planStatus,
  type ListedClaim,
} from './cluster-plan.ts';

const NOW = new Date('2026-01-01T00:10:00Z');
type Storage = KafkaCluster['spec']['brokers']['storage'];

function kafkaCluster(brokers = 3, storage: Storage = { type: 'ephemeral' }): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'demo', namespace: 'ns', uid: 'kc-uid', generation: 2 },
    spec: {
      version: '4.1.1',
      controllers: { replicas: 3, storage: { type: 'ephemeral' } },
      brokers: { replicas: brokers, storage },
      listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
      config: { 'min.insync.replicas': '1', 'num.io.threads': '16' },
    } as KafkaCluster['spec'],
  };
}

const owner = [
  { apiVersion: 'v1', kind: 'KafkaCluster', name: 'demo', uid: 'kc-uid', controller: true },
];

function sts(role: 'controller' | 'broker', replicas: number, ready = replicas, size?: string) {
  return {
    metadata: {
      name: `demo-${role}`,
      uid: `uid-sts-${role}`,
      labels: { 'kraftwerk.dev/cluster': 'demo', 'kraftwerk.dev/role': role },
      ownerReferences: owner,
    },
    spec: {
      replicas,
      ...(size
        ? { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: size } } } }] }
        : {}),
    },
    status: { replicas, readyReplicas: ready, updateRevision: 'r1' },
  } satisfies StatefulSetObject;
}

function pod(role: 'controller' | 'broker', ordinal: number, ready = true): ObservedPod {
  return {
    name: `demo-${role}-${ordinal}`,
    role,
    ordinal,
    nodeId: (role === 'broker' ? 100 : 0) + ordinal,
    revision: 'r1',
    desiredRevision: 'r1',
    phase: 'Running',
    ready,
    crashLooping: false,
    terminating: false,
    kafkaVersion: '4.1.1',
  };
}

const quorum: QuorumState = {
  leaderId: 1,
  voters: [0, 1, 2].map((nodeId) => ({ nodeId, directoryId: `d${nodeId}`, lag: 0 })),
  observers: [],
  kraftVersion: 1,
};

/** A healthy dedicated cluster of 3 controllers and 3 brokers, Kafka answering. */
function observation(over: Partial<ClusterObservation> = {}, kc = kafkaCluster()) {
  const pods = [0, 1, 2].flatMap((i) => [pod('controller', i), pod('broker', i)]);
  const obs: ClusterObservation = {
    model: clusterModel(kc),
    clusterId: 'AAAAAAAAAAAAAAAAAAAAAA',
    statefulSets: { controller: sts('controller', 3), broker: sts('broker', 3) },
    current: { controller: 3, broker: 3 },
    claimSizes: {},
    podObjects: pods.map((p) => ({ metadata: { name: p.name, uid: `uid-${p.name}` } })),
    pods,
    initialControllersWithdrawn: true,
    services: [],
    kafka: {
      quorum,
      partitions: [],
      registrations: [100, 101, 102].map((nodeId) => ({ nodeId, fenced: false })),
      racks: {},
      brokerDefaults: { 'num.io.threads': '16', 'min.insync.replicas': '1' },
    },
    storageClasses: {},
    now: NOW,
    ...over,
  };
  return obs;
}

describe('planCluster', () => {
  it('has nothing under way for a healthy cluster that matches its spec', () => {
    const plan = planCluster(observation());
    expect(plan).toMatchObject({
      quorumFormed: true,
      scale: [],
      resizing: [],
      storage: [],
      claims: { delete: [], waiting: [] },
      roll: { action: 'none' },
      busy: false,
    });
    expect(plan.dynamicConfig).toEqual({});
    expect(plan.objects.statefulSets.map((s) => s.spec?.replicas)).toEqual([3, 3]);
  });

  it('counts the quorum as formed from Kafka, the last leader in status, or the withdrawn list', () => {
    const unformed = { initialControllersWithdrawn: false, kafka: {} };
    expect(planCluster(observation(unformed)).quorumFormed).toBe(false);
    expect(planCluster(observation({ ...unformed, kafka: { quorum } })).quorumFormed).toBe(true);
    const previous = { controllers: { leaderId: 2 } };
    expect(planCluster(observation({ ...unformed, previous })).quorumFormed).toBe(true);
    expect(
      planCluster(observation({ ...unformed, initialControllersWithdrawn: true })).quorumFormed,
    ).toBe(true);
  });

  it('is busy while a StatefulSet is missing or not ready, or ready pods but no quorum answer', () => {
    expect(
      planCluster(observation({ statefulSets: { controller: sts('controller', 3) } })).busy,
    ).toBe(true);
    const notReady = { controller: sts('controller', 3), broker: sts('broker', 3, 2) };
    expect(planCluster(observation({ statefulSets: notReady })).busy).toBe(true);
    expect(planCluster(observation({ kafka: {} })).busy).toBe(true);
  });

  it('looks again soon while a follower catches up, so Degraded clears with its cause', () => {
    const base = observation();
    const partition = { topic: 't', partition: 0, replicas: [100, 101, 102], minIsr: 2 };
    const catchingUp = { ...base.kafka, partitions: [{ ...partition, isr: [100, 101] }] };
    expect(planCluster(observation({ kafka: catchingUp })).busy).toBe(true);
    const inSync = { ...base.kafka, partitions: [{ ...partition, isr: [100, 101, 102] }] };
    expect(planCluster(observation({ kafka: inSync })).busy).toBe(false);
  });

  it('restarts a stale pod with the uid it was observed with', () => {
    const obs = observation();
    obs.pods = obs.pods.map((p) => (p.name === 'demo-broker-1' ? { ...p, revision: 'r0' } : p));
    const plan = planCluster(obs);
    expect(plan.roll).toMatchObject({ action: 'restart', pod: 'demo-broker-1' });
    expect(plan.restartUid).toBe('uid-demo-broker-1');
    expect(plan.busy).toBe(true);
  });

  it('restarts the outdated brokers of one rack together with RackAtATime, each with its uid', () => {
    const kc = kafkaCluster();
    kc.spec.rack = { topologyKey: 'topology.kubernetes.io/zone' };
    kc.spec.roll = { strategy: 'RackAtATime' };
    const obs = observation({}, kc);
    obs.pods = obs.pods.map((p) => (p.role === 'broker' ? { ...p, revision: 'r0' } : p));
    obs.kafka = { ...obs.kafka, racks: { 100: 'a', 101: 'b', 102: 'a' } };
    const plan = planCluster(obs);
    expect(plan.roll).toMatchObject({
      action: 'restart-rack',
      rack: 'a',
      pods: [{ pod: 'demo-broker-0' }, { pod: 'demo-broker-2' }],
    });
    expect(plan.restartUids).toEqual({
      'demo-broker-0': 'uid-demo-broker-0',
      'demo-broker-2': 'uid-demo-broker-2',
    });
    expect(plan.busy).toBe(true);
    // The default strategy: one at a time, whatever the racks.
    const serial = planCluster({ ...obs, model: clusterModel(kafkaCluster()) });
    expect(serial.roll).toMatchObject({ action: 'restart', pod: 'demo-broker-0' });
  });

  it('sets only the dynamic config that differs, and deletes what the spec dropped', () => {
    const kafka = {
      ...observation().kafka,
      brokerDefaults: {
        'log.cleaner.threads': '2',
        'min.insync.replicas': '1',
      },
    };
    expect(planCluster(observation({ kafka })).dynamicConfig).toEqual({
      'log.cleaner.threads': null,
      'num.io.threads': '16',
    });
  });

  it('keeps the StatefulSet at its size while a leaving broker is drained', () => {
    const obs = observation({}, kafkaCluster(2));
    obs.kafka.partitions = [{ topic: 't', partition: 0, replicas: [102], isr: [102], minIsr: 1 }];
    const plan = planCluster(obs);
    expect(plan.scale.map((s) => s.action)).toEqual(['reassign']);
    expect(plan.objects.statefulSets.map((s) => s.spec?.replicas)).toEqual([3, 3]);
    expect(plan.busy).toBe(true);
  });
});

describe('planStatus', () => {
  it('keeps the last leader seen while Kafka does not answer', () => {
    const obs = observation({ kafka: {}, previous: { controllers: { leaderId: 2 } } });
    expect(planStatus(obs, planCluster(obs), []).controllers?.leaderId).toBe(2);
  });

  it('reports the claim-growth problems as Ready=False', () => {
    const obs = observation();
    const status = planStatus(obs, planCluster(obs), ['expanding x was refused: no']);
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False' });
    expect(ready?.message).toContain('expanding x was refused: no');
  });

  it('an invalid spec without a cluster id yet gets a status without one', () => {
    const model = clusterModel(kafkaCluster());
    const status = invalidSpecStatus(model, undefined, ['bad'], NOW);
    expect(status.clusterId).toBeUndefined();
    expect(status.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('InvalidSpec');
  });
});

describe('what the observation reads', () => {
  it('asks Kafka only once some broker pod is ready', () => {
    expect(kafkaCanAnswer([pod('controller', 0)])).toBe(false);
    expect(kafkaCanAnswer([pod('controller', 0), pod('broker', 0, false)])).toBe(false);
    expect(kafkaCanAnswer([pod('broker', 0)])).toBe(true);
  });

  it('calls a cluster shrinking when brokers are to go, not controllers', () => {
    expect(isShrinking({ controller: 3, broker: 2 }, { controller: 3, broker: 3 })).toBe(true);
    expect(isShrinking({ controller: 1, broker: 3 }, { controller: 3, broker: 3 })).toBe(false);
    expect(isShrinking({ combined: 1 }, { combined: 3 })).toBe(true);
  });

  it('lists claims only to grow or delete them, and reads the growing roles’ classes', () => {
    const grow = clusterModel(kafkaCluster(3, { type: 'persistent-claim', size: '2Gi' }));
    expect(claimsNeeded(grow, { broker: '2Gi' })).toBe(false);
    expect(claimsNeeded(grow, { broker: '1Gi' })).toBe(true);
    const claims: ListedClaim[] = [
      claim('data-demo-broker-0', 'broker', 'slow'),
      claim('data-demo-controller-0', 'controller', 'fast'),
    ];
    expect(classesToRead(grow, { broker: '1Gi' }, claims)).toEqual(['slow']);
    const del = clusterModel(
      kafkaCluster(3, { type: 'persistent-claim', size: '2Gi', deleteClaim: true }),
    );
    expect(claimsNeeded(del, { broker: '2Gi' })).toBe(true);
  });
});

function claim(name: string, role: string, storageClassName?: string): ListedClaim {
  return {
    name,
    uid: `uid-${name}`,
    deleting: false,
    role,
    requested: '1Gi',
    ...(storageClassName ? { storageClassName } : {}),
    bound: true,
  };
}

describe('planClusterTeardown', () => {
  const teardown = (kc: KafkaCluster, over: { pods?: PodObject[]; claims?: ListedClaim[] } = {}) =>
    planClusterTeardown({
      model: clusterModel(kc),
      statefulSets: [sts('controller', 3), sts('broker', 3)],
      pods: over.pods ?? [],
      claims: over.claims ?? [],
      deletedAt: new Date('2026-01-01T00:09:00Z'),
      now: NOW,
    });

  it('deletes the broker StatefulSet first', () => {
    expect(teardown(kafkaCluster()).steps).toEqual([
      { action: 'delete-statefulset', role: 'broker', name: 'demo-broker', uid: 'uid-sts-broker' },
    ]);
  });

  it('deletes only the claims its claim templates name, once their pods are gone', () => {
    const kc = kafkaCluster(3, { type: 'persistent-claim', size: '1Gi', deleteClaim: true });
    const plan = planClusterTeardown({
      model: clusterModel(kc),
      statefulSets: [],
      pods: [],
      claims: [
        claim('data-demo-broker-0', 'broker'),
        claim('data-demo-broker-extra', 'broker'),
        claim('other-demo-broker-1', 'broker'),
      ],
      deletedAt: new Date('2026-01-01T00:09:00Z'),
      now: NOW,
    });
    expect(plan.steps.filter((s) => s.action === 'delete-claim').map((s) => s.name)).toEqual([
      'data-demo-broker-0',
    ]);
  });

  it('does not wait for pods of a StatefulSet orphaned away from the cluster', () => {
    const orphan = {
      ...sts('broker', 3),
      metadata: { ...sts('broker', 3).metadata, ownerReferences: [] },
    };
    const brokerPod: PodObject = {
      metadata: {
        name: 'demo-broker-0',
        uid: 'p0',
        labels: { 'kraftwerk.dev/cluster': 'demo', 'kraftwerk.dev/role': 'broker' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name: 'demo-broker',
            uid: 'uid-sts-broker',
          },
        ],
      },
      status: { phase: 'Running' },
    };
    const plan = planClusterTeardown({
      model: clusterModel(kafkaCluster()),
      statefulSets: [sts('controller', 3), orphan],
      pods: [brokerPod],
      claims: [],
      deletedAt: new Date('2026-01-01T00:09:00Z'),
      now: NOW,
    });
    expect(plan.steps).toEqual([
      {
        action: 'delete-statefulset',
        role: 'controller',
        name: 'demo-controller',
        uid: 'uid-sts-controller',
      },
    ]);
  });
});
