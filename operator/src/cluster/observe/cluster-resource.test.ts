import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../cluster-spec.ts';
import {
  clusterKeyOfLabelled,
  currentReplicas,
  existingClaimSizes,
  movesByTopic,
  observePods,
  observedStatefulSets,
  quorumState,
  strayObjects,
  type PodObject,
  type StatefulSetObject,
} from './cluster-resource.ts';
import { desiredReplicas } from '../model/cluster-model.ts';
import { roleLayouts } from '../model/node-layout.ts';

const ref = { name: 'demo', namespace: 'ns', uid: 'u1' };
const dedicated: ClusterSpec = {
  version: '4.1.1',
  controllers: { replicas: 3, storage: { type: 'persistent-claim', size: '1Gi' } },
  brokers: { replicas: 5, storage: { type: 'persistent-claim', size: '10Gi' } },
  listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
};
const combined: ClusterSpec = { ...dedicated, controllers: undefined as never };
delete (combined as { controllers?: unknown }).controllers;

const sts = (
  replicas: number,
  ready: number,
  revision?: string,
  claim?: string,
): StatefulSetObject => ({
  spec: {
    replicas,
    ...(claim
      ? { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: claim } } } }] }
      : {}),
  },
  status: { replicas, readyReplicas: ready, ...(revision ? { updateRevision: revision } : {}) },
});

const pod = (
  name: string,
  role: string,
  revision: string,
  ready: boolean,
  cluster = 'demo',
): PodObject => ({
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    labels: {
      'kraftwerk.dev/cluster': cluster,
      'kraftwerk.dev/role': role,
      'controller-revision-hash': revision,
    },
  },
  status: {
    phase: 'Running',
    conditions: [
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  },
});

describe('replicas and sizes', () => {
  it('maps the spec to roles: dedicated controller + broker, combined alone', () => {
    expect(desiredReplicas(dedicated)).toEqual({ controller: 3, broker: 5 });
    expect(desiredReplicas(combined)).toEqual({ combined: 5 });
  });

  it('reads what the StatefulSets say now', () => {
    const observed = { controller: sts(3, 2, 'r1', '1Gi'), broker: sts(4, 4, 'r2') };
    expect(currentReplicas(observed)).toEqual({ controller: 3, broker: 4 });
    expect(existingClaimSizes(observed)).toEqual({ controller: '1Gi' });
    expect(observedStatefulSets(observed)).toEqual({
      controller: { replicas: 3, readyReplicas: 2 },
      broker: { replicas: 4, readyReplicas: 4 },
    });
  });
});

describe('observePods', () => {
  it('keeps this cluster’s pods of known roles whose StatefulSet has an update revision', () => {
    const pods = [
      pod('demo-broker-1', 'broker', 'r2', true),
      pod('demo-controller-0', 'controller', 'r0', false),
      pod('other-broker-0', 'broker', 'r2', true, 'other'),
      pod('demo-kafka-0', 'combined', 'r2', true),
    ];
    const observed = observePods(
      ref,
      roleLayouts(ref, dedicated),
      pods,
      { controller: sts(3, 0), broker: sts(5, 1, 'r2') },
      new Date('2026-01-01T00:01:00Z'),
    );
    // The controller StatefulSet has no updateRevision yet: its pods cannot be judged stale.
    expect(
      observed.map((p) => [p.name, p.nodeId, p.ready, p.revision === p.desiredRevision]),
    ).toEqual([['demo-broker-1', 101, true, true]]);
  });
});

describe('quorumState', () => {
  const q = {
    leaderId: 1,
    voters: [
      { nodeId: 0, directoryId: 'd0', lag: 0 },
      { nodeId: 1, directoryId: undefined, lag: 0 },
    ],
    observers: [],
  };
  it('treats an absent kraft.version as 0 (ApiVersions omits level-0 features)', () => {
    expect(quorumState(q, { 'metadata.version': 27 }).kraftVersion).toBe(0);
    expect(quorumState(q, { 'kraft.version': 1 }).kraftVersion).toBe(1);
    expect(quorumState(q, undefined).kraftVersion).toBeUndefined();
    expect(quorumState(q, undefined).voters).toEqual([
      { nodeId: 0, directoryId: 'd0', lag: 0 },
      { nodeId: 1, lag: 0 },
    ]);
  });
});

describe('glue', () => {
  it('groups drain moves by topic for alterPartitionReassignments', () => {
    const grouped = movesByTopic([
      { topic: 'a', partition: 0, replicas: [1, 2] },
      { topic: 'b', partition: 3, replicas: [2, 0] },
      { topic: 'a', partition: 2, replicas: [0, 1] },
    ]);
    expect([...grouped]).toEqual([
      [
        'a',
        [
          { partition: 0, replicas: [1, 2] },
          { partition: 2, replicas: [0, 1] },
        ],
      ],
      ['b', [{ partition: 3, replicas: [2, 0] }]],
    ]);
  });

  it('finds owned objects no longer rendered, never someone else’s', () => {
    const own = (name: string, uid: string) => ({
      metadata: {
        name,
        ownerReferences: [
          { apiVersion: 'x', kind: 'KafkaCluster', name: 'demo', uid, controller: true },
        ],
      },
    });
    const stray = strayObjects(
      [own('keep', 'u1'), own('gone', 'u1'), own('foreign', 'u2'), { metadata: { name: 'plain' } }],
      new Set(['keep']),
      'u1',
    );
    expect(stray.map((o) => o.metadata.name)).toEqual(['gone']);
  });

  it('maps a labelled pod to its KafkaCluster key', () => {
    expect(clusterKeyOfLabelled(pod('demo-broker-0', 'broker', 'r', true))).toEqual(['ns/demo']);
    expect(clusterKeyOfLabelled({ metadata: { name: 'x', namespace: 'ns' } })).toEqual([]);
  });
});
