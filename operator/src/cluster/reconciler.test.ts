// The reconciler's Kafka-side paths, which the integration tier cannot reach (no pods run
// there): recorded fakes of the API client, the caches and both Kafka ports. What is checked
// is the shell's glue — which requests go out for a given observed state — the decisions
// themselves are the pure planners' and have their own tests.
import { describe, expect, it } from 'vitest';
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type {
  BrokerLogDirs,
  KafkaClusterPort,
  PartitionInfo,
  QuorumDescription,
} from '../kafka/cluster-port.ts';
import type { KafkaAdminPort } from '../kafka/port.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import { KubeApiError, type KubeClient } from '../runtime/kube-client.ts';
import { silentLogger } from '../runtime/logger.ts';
import { Registry } from '../runtime/metrics.ts';
import type { KubeObject } from '../runtime/resource.ts';
import type { PodObject, StatefulSetObject } from './observe/cluster-resource.ts';
import { clusterReconciler } from './reconciler.ts';

const NS = 'ns';
const UID = 'kc-uid';

type BrokerStorage = KafkaCluster['spec']['brokers']['storage'];

function kafkaCluster(
  brokers: number,
  controllers = 3,
  status: KafkaCluster['status'] = {},
  brokerStorage: BrokerStorage = { type: 'ephemeral' },
): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'demo', namespace: NS, uid: UID, generation: 2 },
    spec: {
      version: '4.1.1',
      controllers: { replicas: controllers, storage: { type: 'ephemeral' } },
      brokers: { replicas: brokers, storage: brokerStorage },
      listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
      config: {
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        'num.io.threads': '16',
      },
    } as KafkaCluster['spec'],
    status: { clusterId: 'AAAAAAAAAAAAAAAAAAAAAA', ...status },
  };
}

const owner = [
  {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    name: 'demo',
    uid: UID,
    controller: true,
  },
];

function statefulSet(
  role: 'controller' | 'broker',
  replicas: number,
  claimSize?: string,
): StatefulSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: `demo-${role}`,
      namespace: NS,
      uid: `uid-sts-${role}`,
      labels: { 'kraftwerk.dev/cluster': 'demo', 'kraftwerk.dev/role': role },
      ownerReferences: owner,
    },
    spec: {
      replicas,
      ...(claimSize
        ? { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: claimSize } } } }] }
        : {}),
    },
    status: { replicas, readyReplicas: replicas, updateRevision: `${role}-new` },
  };
}

function pod(role: 'controller' | 'broker', ordinal: number, revision = `${role}-new`): PodObject {
  return {
    metadata: {
      name: `demo-${role}-${ordinal}`,
      namespace: NS,
      uid: `uid-${role}-${ordinal}`,
      labels: {
        'kraftwerk.dev/cluster': 'demo',
        'kraftwerk.dev/role': role,
        'controller-revision-hash': revision,
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          name: `demo-${role}`,
          uid: `uid-sts-${role}`,
          controller: true,
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    },
  };
}

function informer<T extends KubeObject>(items: T[]): Informer<T> {
  const key = (o: T) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  return {
    get: (k: string) => items.find((o) => key(o) === k),
    getByName: (ns: string | undefined, name: string) =>
      items.find((o) => key(o) === `${ns}/${name}`),
    list: (ns?: string) => items.filter((o) => ns === undefined || o.metadata?.namespace === ns),
  } as unknown as Informer<T>;
}

interface World {
  brokers: number;
  controllers?: number;
  stsBrokers: number;
  pods: PodObject[];
  quorum?: QuorumDescription;
  partitions?: PartitionInfo[];
  defaults?: Record<string, string>;
  kafkaDown?: boolean;
  brokerStorage?: BrokerStorage;
  /** The broker StatefulSet's (immutable) claim size, and its claims as they are. */
  claimSize?: string;
  claims?: { name: string; size: string; phase?: string }[];
  /** What GET storageclasses answers; 'forbidden' is a 403. */
  storageClass?: 'forbidden' | { allowVolumeExpansion: boolean };
  /** The API server refuses the PVC patch (422), as for a class that cannot expand. */
  expansionRefused?: boolean;
  /** Objects as the caches hold them (StatefulSets keep the status of the fixture's). */
  cached?: KubeObject[];
  /** The KafkaCluster was deleted a minute ago and carries these finalizers. */
  deletedWith?: string[];
  /** The garbage collector took the StatefulSets' owner references off (cascade=orphan). */
  orphaned?: boolean;
  /** Extra spec.config entries. */
  config?: Record<string, string>;
  /** What DescribeLogDirs answers per broker (default: no broker). */
  logDirs?: Record<number, BrokerLogDirs>;
  /** The operator's /metrics, kept across reconciles (default: a fresh one). */
  registry?: Registry;
}

async function reconcile(w: World) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const kafkaCalls: string[] = [];
  const events: string[] = [];
  const client = {
    request: (method: string, path: string, o: { body?: unknown } = {}) => {
      requests.push({ method, path, body: o.body });
      return Promise.resolve(o.body ?? {});
    },
    get: (info: { plural: string }, _ns: string | undefined, name: string) => {
      if (info.plural !== 'storageclasses') return Promise.resolve(undefined);
      if (w.storageClass === 'forbidden') {
        return Promise.reject(
          new KubeApiError('GET', `/storageclasses/${name}`, 403, {
            reason: 'Forbidden',
            message: `storageclasses.storage.k8s.io "${name}" is forbidden`,
          }),
        );
      }
      return Promise.resolve(
        w.storageClass ? { metadata: { name }, ...w.storageClass } : undefined,
      );
    },
    list: (info: { plural: string }) =>
      Promise.resolve({
        items:
          info.plural === 'persistentvolumeclaims'
            ? (w.claims ?? []).map((c) => ({
                metadata: {
                  name: c.name,
                  uid: `uid-${c.name}`,
                  labels: {
                    'kraftwerk.dev/cluster': 'demo',
                    'kraftwerk.dev/role': /^data-demo-(\w+)-/.exec(c.name)![1]!,
                  },
                },
                spec: { resources: { requests: { storage: c.size } }, storageClassName: 'slow' },
                status: { phase: c.phase ?? 'Bound' },
              }))
            : [],
      }),
    delete: (_i: unknown, _ns: string, name: string) => {
      requests.push({ method: 'DELETE', path: name });
      return Promise.resolve(true);
    },
    mergePatch: (_i: unknown, _ns: string, name: string, body: unknown) => {
      requests.push({ method: 'MERGE-PATCH', path: name, body });
      if (w.expansionRefused) {
        return Promise.reject(
          new KubeApiError('PATCH', `/persistentvolumeclaims/${name}`, 422, {
            reason: 'Invalid',
            message: `only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
          }),
        );
      }
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  const down = () => Promise.reject(new Error('no broker answered'));
  const cluster: KafkaClusterPort = {
    describeQuorum: () => (w.kafkaDown ? down() : Promise.resolve(w.quorum!)),
    describePartitions: () => (w.kafkaDown ? down() : Promise.resolve(w.partitions ?? [])),
    describeBrokers: () =>
      w.kafkaDown
        ? down()
        : Promise.resolve(
            w.pods
              .filter((p) => p.metadata?.labels?.['kraftwerk.dev/role'] === 'broker')
              .map((p) => ({
                nodeId: 100 + Number(/\d+$/.exec(p.metadata!.name!)![0]),
                fenced: false,
                rack: null,
              })),
          ),
    describeLogDirs: () => (w.kafkaDown ? down() : Promise.resolve(w.logDirs ?? {})),
    describeBrokerDefaults: () => (w.kafkaDown ? down() : Promise.resolve(w.defaults ?? {})),
    alterBrokerDefaults: (c) => {
      kafkaCalls.push(`alterBrokerDefaults ${JSON.stringify(c)}`);
      return Promise.resolve();
    },
    finalizedFeatures: () =>
      w.kafkaDown ? down() : Promise.resolve({ 'metadata.version': 27, 'kraft.version': 1 }),
    upgradeFeature: (f, l) => {
      kafkaCalls.push(`upgradeFeature ${f} ${l}`);
      return Promise.resolve();
    },
    addRaftVoter: (id, dir, e) => {
      kafkaCalls.push(`addRaftVoter ${id} ${dir} ${e.name}://${e.host}:${e.port}`);
      return Promise.resolve();
    },
    removeRaftVoter: (id, dir) => {
      kafkaCalls.push(`removeRaftVoter ${id} ${dir}`);
      return Promise.resolve();
    },
    unregisterBroker: (id) => {
      kafkaCalls.push(`unregisterBroker ${id}`);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const admin = {
    alterPartitionReassignments: (
      topic: string,
      a: readonly { partition: number; replicas: readonly number[] }[],
    ) => {
      kafkaCalls.push(`reassign ${topic} ${JSON.stringify(a)}`);
      return Promise.resolve();
    },
    listPartitionReassignments: () => Promise.resolve([]),
  } as unknown as KafkaAdminPort;
  const recorder = {
    normal: (_o: unknown, reason: string, _a: string, note: string) => {
      events.push(`Normal ${reason}: ${note}`);
      return Promise.resolve();
    },
    warning: (_o: unknown, reason: string, _a: string, note: string) => {
      events.push(`Warning ${reason}: ${note}`);
      return Promise.resolve();
    },
  } as unknown as EventRecorder;
  const kc = kafkaCluster(w.brokers, w.controllers ?? 3, {}, w.brokerStorage);
  if (w.config) kc.spec.config = { ...kc.spec.config, ...w.config };
  if (w.deletedWith) {
    kc.metadata.deletionTimestamp = '2026-01-01T00:09:00Z';
    kc.metadata.finalizers = w.deletedWith;
  }
  const cachedOf = (kind: string) => (w.cached ?? []).filter((o) => o.kind === kind);
  const run = clusterReconciler({
    client,
    clusters: informer([kc]),
    statefulSets: informer(
      [
        statefulSet('controller', w.controllers ?? 3),
        statefulSet('broker', w.stsBrokers, w.claimSize),
      ].map((sts) => {
        const c = cachedOf('StatefulSet').find((o) => o.metadata?.name === sts.metadata?.name);
        if (w.orphaned) sts.metadata!.ownerReferences = [];
        return c ? { ...c, status: sts.status } : sts;
      }),
    ),
    pods: informer(w.pods),
    services: informer<KubeObject>(cachedOf('Service')),
    configMaps: informer<KubeObject & { data?: Record<string, string> }>(cachedOf('ConfigMap')),
    podDisruptionBudgets: informer<KubeObject>(cachedOf('PodDisruptionBudget')),
    networkPolicies: informer<KubeObject>(cachedOf('NetworkPolicy')),
    kafka: () => admin,
    clusterKafka: () => cluster,
    events: recorder,
    clock: {
      now: () => Date.parse('2026-01-01T00:10:00Z'),
      setTimeout: () => 0 as never,
      clearTimeout: () => {},
    },
    logger: silentLogger,
    registry: w.registry ?? new Registry(),
  });
  // What the controller does with the reconciler (runtime/controller.ts): a deleting cluster
  // with the finalizer is finalized instead of reconciled.
  const signal = new AbortController().signal;
  const deleting = w.deletedWith?.includes(run.finalizer!.name);
  const final = deleting ? await run.finalizer!.finalize(kc, signal) : undefined;
  const result = deleting ? undefined : await run.reconcile(`${NS}/demo`, signal);
  const applied = (kind: string, name: string) =>
    requests.find(
      (r) =>
        r.method === 'PATCH' &&
        (r.body as KubeObject | undefined)?.kind === kind &&
        r.path.endsWith(`/${name}`),
    )?.body as { spec?: { replicas?: number } } | undefined;
  const status = requests.find((r) => r.path.endsWith('/status'))?.body as
    | {
        status: { conditions: { type: string; status: string; reason: string; message: string }[] };
      }
    | undefined;
  const deletes = requests.filter((r) => r.method === 'DELETE');
  const claimPatches = requests.filter((r) => r.method === 'MERGE-PATCH').map((r) => r.path);
  // Our finalizer is added by a server-side apply of just metadata.finalizers (finalizers.ts).
  const isFinalizerApply = (body: unknown) =>
    (body as KubeObject | undefined)?.kind === 'KafkaCluster' &&
    (body as KubeObject).metadata?.finalizers !== undefined;
  const finalizerApplies = requests
    .filter((r) => r.method === 'PATCH' && isFinalizerApply(r.body))
    .map((r) => r.body as KubeObject);
  const applies = requests
    .filter((r) => r.method === 'PATCH' && (r.body as KubeObject | undefined)?.kind !== undefined)
    .filter((r) => !r.path.endsWith('/status') && !isFinalizerApply(r.body))
    .map((r) => r.body as KubeObject);
  const finalizerPatches = requests
    .filter((r) => r.method === 'PATCH' && Array.isArray(r.body))
    .map((r) => r.body);
  return {
    result,
    final,
    finalizerName: run.finalizer?.name,
    requests,
    finalizerPatches,
    finalizerApplies,
    kafkaCalls,
    events,
    applied,
    applies,
    status: status?.status,
    deletes,
    claimPatches,
  };
}

const voters = (leader = 2): QuorumDescription => ({
  leaderId: leader,
  voters: [0, 1, 2].map((nodeId) => ({ nodeId, directoryId: `dir-${nodeId}`, lag: 0 })),
  observers: [],
});
const healthyPods = (brokers: number) => [
  ...[0, 1, 2].map((i) => pod('controller', i)),
  ...Array.from({ length: brokers }, (_, i) => pod('broker', i)),
];
const partition = (
  topic: string,
  p: number,
  replicas: number[],
  isr = replicas,
): PartitionInfo => ({
  topic,
  partition: p,
  replicas,
  isr,
  leader: replicas[0] ?? -1,
  minIsr: 2,
});

describe('clusterReconciler against a reachable cluster', () => {
  it('drains a leaving broker by reassignment before shrinking its StatefulSet', async () => {
    const r = await reconcile({
      brokers: 3,
      stsBrokers: 4,
      pods: healthyPods(4),
      quorum: voters(),
      partitions: [
        partition('orders', 0, [103, 100, 101]),
        partition('orders', 1, [100, 101, 102]),
        partition('logs', 0, [101, 103]),
      ],
    });
    expect(r.kafkaCalls.filter((c) => c.startsWith('reassign'))).toEqual([
      'reassign logs [{"partition":0,"replicas":[101,102]}]',
      'reassign orders [{"partition":0,"replicas":[102,100,101]}]',
    ]);
    // The StatefulSet keeps its 4 pods until the broker holds nothing.
    expect(r.applied('StatefulSet', 'demo-broker')?.spec?.replicas).toBe(4);
    expect(r.events.some((e) => e.startsWith('Normal ReassigningPartitions'))).toBe(true);
    expect(r.result).toEqual({ requeueAfterMs: 5_000 });
  });

  it('shrinks once the leaving broker holds no replica', async () => {
    const r = await reconcile({
      brokers: 3,
      stsBrokers: 4,
      pods: healthyPods(4),
      quorum: voters(),
      partitions: [partition('orders', 0, [102, 100, 101])],
    });
    expect(r.kafkaCalls).toEqual([expect.stringMatching(/^alterBrokerDefaults/)]);
    expect(r.applied('StatefulSet', 'demo-broker')?.spec?.replicas).toBe(3);
  });

  it('restarts one stale broker, by uid, with an Event naming the reason', async () => {
    const pods = healthyPods(3);
    pods[4] = pod('broker', 1, 'broker-old');
    pods[5] = pod('broker', 2, 'broker-old');
    const r = await reconcile({
      brokers: 3,
      stsBrokers: 3,
      pods,
      quorum: voters(),
      partitions: [partition('orders', 0, [100, 101, 102])],
    });
    expect(r.deletes).toHaveLength(1);
    expect(r.deletes[0]!.path).toMatch(/\/pods\/demo-broker-1$/);
    expect(r.deletes[0]!.body).toMatchObject({ preconditions: { uid: 'uid-broker-1' } });
    expect(r.events).toContain(
      'Normal SpecChanged: restarting demo-broker-1 (node 101): its spec changed (revision broker-old -> broker-new)',
    );
  });

  it('does not restart a broker whose restart would take a partition below min.insync.replicas', async () => {
    const pods = healthyPods(3);
    pods[3] = pod('broker', 0, 'broker-old');
    const r = await reconcile({
      brokers: 3,
      stsBrokers: 3,
      pods,
      quorum: voters(),
      partitions: [partition('orders', 0, [100, 101, 102], [100, 101])],
    });
    expect(r.deletes).toHaveLength(0);
    const progressing = r.status?.conditions.find((c) => c.type === 'Progressing');
    expect(progressing?.message).toMatch(/below min.insync.replicas=2/);
  });

  it('promotes a controller running as an observer with its directory id and pod endpoint', async () => {
    const r = await reconcile({
      brokers: 3,
      controllers: 4,
      stsBrokers: 3,
      pods: [...healthyPods(3), pod('controller', 3)],
      quorum: { ...voters(), observers: [{ nodeId: 3, directoryId: 'dir-new', lag: 0 }] },
    });
    expect(r.kafkaCalls).toContain(
      'addRaftVoter 3 dir-new CONTROLLER://demo-controller-3.demo-controller.ns.svc:9090',
    );
    expect(r.events.some((e) => e.startsWith('Normal ControllerAdded'))).toBe(true);
  });

  it('sets and removes cluster-wide dynamic config to match the spec', async () => {
    const r = await reconcile({
      brokers: 3,
      stsBrokers: 3,
      pods: healthyPods(3),
      quorum: voters(),
      defaults: { 'num.io.threads': '8', 'log.cleaner.threads': '4' },
    });
    expect(r.kafkaCalls).toContain(
      'alterBrokerDefaults {"log.cleaner.threads":null,"min.insync.replicas":"2","num.io.threads":"16"}',
    );
    expect(r.status?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('changes nothing in Kafka and waits when Kafka does not answer', async () => {
    const r = await reconcile({ brokers: 3, stsBrokers: 4, pods: healthyPods(4), kafkaDown: true });
    expect(r.kafkaCalls).toEqual([]);
    expect(r.applied('StatefulSet', 'demo-broker')?.spec?.replicas).toBe(4);
    const ready = r.status?.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'QuorumUnavailable' });
    expect(r.result).toEqual({ requeueAfterMs: 5_000 });
  });
});

describe('clusterReconciler tearing a deleted cluster down', () => {
  const world = { brokers: 3, stsBrokers: 3, pods: healthyPods(3), quorum: voters() };

  it('brings its finalizer for the controller to keep, and adds none itself', async () => {
    const r = await reconcile(world);
    expect(r.finalizerName).toBe('kraftwerk.dev/cluster');
    expect(r.finalizerApplies).toEqual([]);
    expect(r.finalizerPatches).toEqual([]);
  });

  it('deletes the broker StatefulSet, by uid, and nothing else yet; asks Kafka nothing', async () => {
    const r = await reconcile({ ...world, deletedWith: ['kraftwerk.dev/cluster'] });
    expect(r.deletes.map((d) => d.path)).toEqual([
      '/apis/apps/v1/namespaces/ns/statefulsets/demo-broker',
    ]);
    expect(r.deletes[0]!.body).toMatchObject({
      propagationPolicy: 'Background',
      preconditions: { uid: 'uid-sts-broker' },
    });
    expect(r.kafkaCalls).toEqual([]);
    expect(r.applies).toEqual([]);
    expect(r.status?.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Deleting',
    });
    expect(r.final).toEqual({ done: false, requeueAfterMs: 5_000 });
  });

  it('waits while the garbage collector orphans what cascade=orphan keeps', async () => {
    const r = await reconcile({ ...world, deletedWith: ['orphan', 'kraftwerk.dev/cluster'] });
    expect(r.requests).toEqual([]);
    expect(r.final).toEqual({ done: false, requeueAfterMs: 5_000 });
  });

  it('leaves orphaned StatefulSets and their pods alone and lets the cluster go', async () => {
    const r = await reconcile({ ...world, deletedWith: ['kraftwerk.dev/cluster'], orphaned: true });
    expect(r.deletes).toEqual([]);
    // Done: the controller removes the finalizer (runtime/controller-finalizer.test.ts).
    expect(r.final).toEqual({ done: true });
    expect(r.finalizerPatches).toEqual([]);
  });
});

describe('clusterReconciler log-directory gauges', () => {
  const GiB = 2 ** 30;
  const dirs = (usable: number): BrokerLogDirs => ({
    logDirs: [{ path: '/var/lib/kafka/data/kafka-log', totalBytes: 10 * GiB, usableBytes: usable }],
  });
  const series = (registry: Registry) =>
    registry
      .render()
      .split('\n')
      .filter((l) => l.startsWith('kraftwerk_kafka_log_dir_'));
  const world = { brokers: 4, stsBrokers: 4, pods: healthyPods(4), quorum: voters() };
  const labels = (id: number) =>
    `{namespace="ns",cluster="demo",node_id="${id}",log_dir="/var/lib/kafka/data/kafka-log"}`;
  const total = (id: number) => `kraftwerk_kafka_log_dir_total_bytes${labels(id)} ${10 * GiB}`;
  const usable = (id: number, bytes: number) =>
    `kraftwerk_kafka_log_dir_usable_bytes${labels(id)} ${bytes}`;

  it('shows what each broker reports, keeps what could not be read, and drops a broker scaled away and a deleted cluster', async () => {
    const registry = new Registry();
    await reconcile({
      ...world,
      registry,
      logDirs: {
        100: dirs(GiB),
        101: dirs(2 * GiB),
        102: { error: 'connection refused' },
        103: dirs(3 * GiB),
      },
    });
    const round1 = [
      total(100),
      total(101),
      total(103),
      usable(100, GiB),
      usable(101, 2 * GiB),
      usable(103, 3 * GiB),
    ];
    expect(series(registry)).toEqual(round1);
    // Kafka unreachable: the last values stand (a full disk may be why).
    await reconcile({ ...world, registry, kafkaDown: true });
    expect(series(registry)).toEqual(round1);
    // Scaled to three brokers: 103 goes though Kafka says nothing of it; 101 did not answer.
    await reconcile({
      ...world,
      brokers: 3,
      stsBrokers: 3,
      pods: healthyPods(3),
      registry,
      logDirs: { 100: dirs(GiB / 2), 101: { error: 'timed out' } },
    });
    expect(series(registry)).toEqual([
      total(100),
      total(101),
      usable(100, GiB / 2),
      usable(101, 2 * GiB),
    ]);
    await reconcile({ ...world, deletedWith: ['kraftwerk.dev/cluster'], orphaned: true, registry });
    expect(series(registry)).toEqual([]);
  });
});

describe('clusterReconciler on a quiet resync', () => {
  it('applies nothing when the caches already show what it would apply', async () => {
    const world = {
      brokers: 3,
      stsBrokers: 3,
      pods: healthyPods(3),
      quorum: voters(),
      defaults: { 'min.insync.replicas': '2', 'num.io.threads': '16' },
    };
    const first = await reconcile(world);
    // 2 ConfigMaps (config, metrics rules), 3 Services (headless x2, bootstrap), 2
    // StatefulSets, 2 PDBs, a NetworkPolicy.
    expect(first.applies.map((o) => `${o.kind}/${o.metadata?.name}`)).toHaveLength(10);
    // As the API server would keep them: with server-side additions, e.g. a ClusterIP.
    const cached = first.applies.map((o) =>
      o.kind === 'Service'
        ? { ...o, metadata: { ...o.metadata, uid: 'u' }, spec: { clusterIP: '10.0.0.9' } }
        : o,
    );
    // (The Service spec above lost our fields: it must be applied again; the rest not.)
    const second = await reconcile({ ...world, cached });
    expect(second.applies.map((o) => o.kind)).toEqual(['Service', 'Service', 'Service']);
    const quiet = await reconcile({ ...world, cached: first.applies });
    expect(quiet.applies).toEqual([]);
    // The StatefulSet's replicas changed by hand: put back on the next reconcile.
    const drifted = first.applies.map((o) =>
      o.kind === 'StatefulSet' && o.metadata?.name === 'demo-broker'
        ? { ...o, spec: { ...(o as { spec: object }).spec, replicas: 5 } }
        : o,
    );
    const fixed = await reconcile({ ...world, cached: drifted });
    expect(fixed.applies.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'StatefulSet/demo-broker',
    ]);
  });
});

describe('clusterReconciler growing claims', () => {
  const grow = {
    brokers: 3,
    stsBrokers: 3,
    pods: healthyPods(3),
    quorum: voters(),
    brokerStorage: { type: 'persistent-claim', size: '20Gi' } as BrokerStorage,
    claimSize: '10Gi',
    claims: [0, 1, 2].map((i) => ({ name: `data-demo-broker-${i}`, size: '10Gi' })),
  };

  it('patches the claims when the StorageClass allows expansion', async () => {
    const r = await reconcile({ ...grow, storageClass: { allowVolumeExpansion: true } });
    expect(r.claimPatches).toEqual([
      'data-demo-broker-0',
      'data-demo-broker-1',
      'data-demo-broker-2',
    ]);
  });

  it('leaves a claim not bound yet (its pod is still to come) for a later reconcile', async () => {
    const claims = grow.claims.map((c, i) => (i === 2 ? { ...c, phase: 'Pending' } : c));
    const r = await reconcile({ ...grow, claims, storageClass: { allowVolumeExpansion: true } });
    expect(r.claimPatches).toEqual(['data-demo-broker-0', 'data-demo-broker-1']);
    const ready = r.status?.conditions.find((c) => c.type === 'Ready');
    expect(ready?.reason).not.toBe('InvalidSpec');
  });

  it('says why not, without patching, when the class does not allow it', async () => {
    const r = await reconcile({ ...grow, storageClass: { allowVolumeExpansion: false } });
    expect(r.claimPatches).toEqual([]);
    const ready = r.status?.conditions.find((c) => c.type === 'Ready');
    expect(ready?.message).toMatch(/StorageClass slow does not allow volume expansion/);
  });

  it('with the StorageClass read forbidden, tries, and reports the refusal as a condition', async () => {
    const r = await reconcile({ ...grow, storageClass: 'forbidden', expansionRefused: true });
    // Unknown, so the API server decides; its refusal ends in status, not in a failed reconcile.
    expect(r.claimPatches).toHaveLength(3);
    const ready = r.status?.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(ready?.message).toMatch(
      /expanding data-demo-broker-0 to 20Gi was refused: only dynamically provisioned pvc/,
    );
  });
});

describe('clusterReconciler with a config value Kafka would refuse', () => {
  it("applies nothing, restarts nothing and says Kafka's message as InvalidSpec", async () => {
    const r = await reconcile({
      brokers: 3,
      stsBrokers: 3,
      pods: healthyPods(3),
      quorum: voters(),
      config: { 'num.io.threads': 'abc' },
    });
    const message = 'Invalid value abc for configuration num.io.threads: Not a number of type INT';
    expect(r.status?.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
      message,
    });
    expect(r.events).toContain(`Warning InvalidSpec: ${message}`);
    expect(r.applies).toEqual([]);
    expect(r.deletes).toEqual([]);
    expect(r.kafkaCalls).toEqual([]);
  });
});

describe('clusterReconciler deleting the claims of scaled-away brokers', () => {
  const shrunk = {
    brokers: 3,
    stsBrokers: 3,
    // Broker 103's pod is gone and Kafka no longer lists it (the fake registers live pods).
    pods: healthyPods(3),
    quorum: voters(),
    claimSize: '10Gi',
    claims: [0, 1, 2, 3].map((i) => ({ name: `data-demo-broker-${i}`, size: '10Gi' })),
  };
  const claimDeletes = (r: Awaited<ReturnType<typeof reconcile>>) =>
    r.deletes.filter((d) => d.path.includes('/persistentvolumeclaims/'));

  it('deletes exactly that claim, by uid, with an Event, when deleteClaim is true', async () => {
    const r = await reconcile({
      ...shrunk,
      brokerStorage: { type: 'persistent-claim', size: '10Gi', deleteClaim: true },
    });
    expect(claimDeletes(r)).toEqual([
      {
        method: 'DELETE',
        path: '/api/v1/namespaces/ns/persistentvolumeclaims/data-demo-broker-3',
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          preconditions: { uid: 'uid-data-demo-broker-3' },
        },
      },
    ]);
    expect(r.events.filter((e) => e.startsWith('Normal ClaimDeleted'))).toEqual([
      'Normal ClaimDeleted: node 103 was scaled away (drained, pod gone, no longer in the cluster); deleting its claim data-demo-broker-3 (deleteClaim: true)',
    ]);
  });

  it('deletes nothing with deleteClaim false, or while Kafka cannot say the broker is gone', async () => {
    const keep = await reconcile({
      ...shrunk,
      brokerStorage: { type: 'persistent-claim', size: '10Gi' },
    });
    expect(claimDeletes(keep)).toEqual([]);
    const blind = await reconcile({
      ...shrunk,
      kafkaDown: true,
      brokerStorage: { type: 'persistent-claim', size: '10Gi', deleteClaim: true },
    });
    expect(claimDeletes(blind)).toEqual([]);
    // It looks again soon, rather than at the next resync.
    expect(blind.result).toEqual({ requeueAfterMs: 5_000 });
  });
});
