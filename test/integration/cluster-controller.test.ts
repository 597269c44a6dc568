// The KafkaCluster controller at the integration tier: the operator in-process against a real
// kube-apiserver + kube-controller-manager (its StatefulSet controller creates pods, its
// garbage collector follows our owner references). No kubelet and no scheduler run here, so
// pods never start: where a test needs running pods it writes their status through the pod
// status subresource (test/fixtures/stand-in-kubelet.ts), standing in for the kubelet, and says
// so. Real pods, a real quorum and
// real rolls are proven on kind.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import { KafkaClusterAdmin } from '../../operator/src/kafka/cluster-admin.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import { KafkaRequestError } from '../../operator/src/kafka/errors.ts';
import { metadataVersionName } from '../../operator/src/kafka/metadata-versions.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import { createOperator, type Operator } from '../../operator/src/operator.ts';
import {
  KubeApiError,
  loadKubeConfig,
  type KubeClient,
} from '../../operator/src/runtime/kube-client.ts';
import { silentLogger } from '../../operator/src/runtime/logger.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import {
  createResource,
  eventsFor,
  waitForEvent,
  getResource,
  kraftwerkPath,
  mergePatch,
  startTestOperator,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';
import { markPodReady } from '../fixtures/stand-in-kubelet.ts';
import { kubectlBinary } from './packaging-tools.ts';

interface Obj extends KubeObject {
  spec?: Record<string, unknown> & { replicas?: number; type?: string };
  status?: Record<string, unknown>;
  metadata?: KubeObject['metadata'] & {
    managedFields?: { manager?: string; operation?: string }[];
  };
}

const namespace = `clusters-${process.pid}`;
/** What the stand-in kubelet (test/fixtures/stand-in-kubelet.ts) says the pods run. */
const KAFKA_IMAGE = { image: 'apache/kafka:4.1.1' };
let op: TestOperator;

/** The object, or undefined when the API server says 404; any other error fails the test. */
const get = async (client: KubeClient, path: string): Promise<Obj | undefined> => {
  try {
    return await client.request<Obj>('GET', path);
  } catch (e) {
    if (e instanceof KubeApiError && e.statusCode === 404) return undefined;
    throw e;
  }
};
const sts = (ns: string, name: string) =>
  get(op.client, `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`);
const cluster = (ns: string, name: string) =>
  getResource<KafkaCluster>(op.client, ns, 'kafkaclusters', name);
const condition = (kc: KafkaCluster | undefined, type: string) =>
  kc?.status?.conditions?.find((c) => c.type === type);

function kafkaCluster(name: string, ns: string, dedicated: boolean): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name, namespace: ns },
    spec: {
      version: '4.1.1',
      ...(dedicated
        ? {
            controllers: {
              replicas: 3,
              storage: { type: 'persistent-claim', size: '1Gi' },
            },
          }
        : {}),
      brokers: {
        replicas: dedicated ? 3 : 1,
        storage: dedicated ? { type: 'persistent-claim', size: '2Gi' } : { type: 'ephemeral' },
      },
      listeners: [
        { name: 'internal', port: 9092, type: 'internal' },
        ...(dedicated
          ? [
              {
                name: 'external',
                port: 9094,
                type: 'nodeport' as const,
                nodePortBase: 31092,
                advertisedHost: 'localhost',
              },
            ]
          : []),
      ],
      config: { 'default.replication.factor': dedicated ? '3' : '1', 'min.insync.replicas': '1' },
    } as KafkaCluster['spec'],
  };
}

const ownerUid = (o: Obj | undefined) =>
  o?.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'KafkaCluster')?.uid;

beforeAll(async () => {
  op = await startTestOperator(inject('kubeconfig'), namespace);
});

afterAll(async () => {
  await op?.stop();
});

describe('KafkaCluster controller (dedicated controllers)', () => {
  let uid = '';
  let clusterId = '';

  it('becomes StatefulSets, Services, a ConfigMap and PDBs, all owned by the cluster', async () => {
    const created = await createResource(
      op.client,
      'kafkaclusters',
      kafkaCluster('dedi', namespace, true),
    );
    uid = created.metadata.uid!;
    const paths = [
      `/apis/apps/v1/namespaces/${namespace}/statefulsets/dedi-controller`,
      `/apis/apps/v1/namespaces/${namespace}/statefulsets/dedi-broker`,
      `/api/v1/namespaces/${namespace}/services/dedi-controller`,
      `/api/v1/namespaces/${namespace}/services/dedi-broker`,
      `/api/v1/namespaces/${namespace}/services/dedi-kafka-bootstrap`,
      ...[0, 1, 2].map((i) => `/api/v1/namespaces/${namespace}/services/dedi-broker-${i}-external`),
      `/api/v1/namespaces/${namespace}/configmaps/dedi-kafka-config`,
      `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/dedi-controller`,
      `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/dedi-broker`,
    ];
    const objects = await waitFor('every rendered object', async () => {
      const all = await Promise.all(paths.map((p) => get(op.client, p)));
      return all.every((o) => o !== undefined) ? all : undefined;
    });
    for (const o of objects) expect(ownerUid(o), o?.metadata?.name).toBe(uid);
    const brokers = objects[1]!;
    expect(brokers.spec?.replicas).toBe(3);
    expect(brokers.spec?.['updateStrategy']).toEqual({ type: 'OnDelete' });
    const nodePort = objects[5]!;
    expect(nodePort.spec?.type).toBe('NodePort');
    expect((nodePort.spec?.['ports'] as { nodePort: number }[])[0]!.nodePort).toBe(31092);
    // One field manager, kraftwerk, applied them.
    const managers = (brokers.metadata?.managedFields ?? [])
      .filter((f) => f.operation === 'Apply')
      .map((f) => f.manager);
    expect(managers).toEqual(['kraftwerk']);
  });

  it('renders StatefulSets that never delete a claim themselves, and hardened pods', async () => {
    // The retention policy is what the API server stored, for both roles: the StatefulSet
    // controller would otherwise delete claims on a scale-down the operator did not drain.
    for (const name of ['dedi-controller', 'dedi-broker']) {
      const s = await sts(namespace, name);
      expect(s?.spec?.['persistentVolumeClaimRetentionPolicy'], name).toEqual({
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      });
    }
    // The pods the StatefulSet controller made carry the hardening (no kubelet runs them here;
    // kind runs them, read-only root filesystem included).
    const pod = await waitFor('a broker pod', async () => {
      const list = await op.client.request<{ items: Obj[] }>(
        'GET',
        `/api/v1/namespaces/${namespace}/pods`,
        { query: { labelSelector: 'kraftwerk.dev/cluster=dedi,kraftwerk.dev/role=broker' } },
      );
      return list.items[0];
    });
    const spec = pod.spec as {
      automountServiceAccountToken?: boolean;
      terminationGracePeriodSeconds?: number;
      containers: {
        securityContext?: { readOnlyRootFilesystem?: boolean };
        terminationMessagePolicy?: string;
        resources?: { requests?: Record<string, string> };
      }[];
    };
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.terminationGracePeriodSeconds).toBe(120);
    expect(spec.containers[0]!.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(spec.containers[0]!.terminationMessagePolicy).toBe('FallbackToLogsOnError');
    expect(spec.containers[0]!.resources?.requests).toEqual({ cpu: '250m', memory: '1Gi' });
  });

  it('generates the cluster id once, before the pods that carry it, and never changes it', async () => {
    const kc = await waitFor('status.clusterId', async () => {
      const c = await cluster(namespace, 'dedi');
      return c?.status?.clusterId ? c : undefined;
    });
    clusterId = kc.status!.clusterId!;
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const brokers = await sts(namespace, 'dedi-broker');
    const env = (
      brokers!.spec!['template'] as {
        spec: { containers: { env: { name: string; value?: string }[] }[] };
      }
    ).spec.containers[0]!.env;
    expect(env.find((e) => e.name === 'KRAFTWERK_CLUSTER_ID')?.value).toBe(clusterId);
    // Several resyncs (3 s) later it is still the same.
    await new Promise((r) => setTimeout(r, 7_000));
    expect((await cluster(namespace, 'dedi'))!.status!.clusterId).toBe(clusterId);
    // And the API server itself refuses to change it (CEL), whoever tries.
    await expect(
      op.client.request('PATCH', kraftwerkPath(namespace, 'kafkaclusters', 'dedi', 'status'), {
        contentType: 'application/merge-patch+json',
        body: { status: { clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' } },
      }),
    ).rejects.toThrow(/immutable|never changes/);
  });

  it('sends no apply on a quiet resync, and one to put back a change made by hand', async () => {
    // Counted by the API server itself: server-side applies of the kinds the reconciler owns
    // (or, with `subresource: 'status'`, of the KafkaClusters' status).
    const applies = (
      kinds = ['statefulsets', 'services', 'configmaps', 'poddisruptionbudgets'],
      subresource = '',
    ): number => {
      const out = spawnSync(
        kubectlBinary(),
        ['--kubeconfig', inject('kubeconfig'), 'get', '--raw', '/metrics'],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      let n = 0;
      for (const line of out.stdout.split('\n')) {
        if (!line.startsWith('apiserver_request_total{')) continue;
        const labels = Object.fromEntries(
          [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
        );
        if (
          labels['verb'] === 'APPLY' &&
          labels['subresource'] === subresource &&
          kinds.includes(labels['resource'] ?? '')
        )
          n += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return n;
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const statusApplies = () => applies(['kafkaclusters'], 'status');
    // Let the cluster's start-up settle (pods created, status written).
    let before = applies();
    let statusBefore = statusApplies();
    await waitFor(
      'no applies for 4 s',
      async () => {
        await sleep(4_000);
        const [now, statusNow] = [applies(), statusApplies()];
        const quiet = now === before && statusNow === statusBefore;
        [before, statusBefore] = [now, statusNow];
        return quiet;
      },
      { timeoutMs: 40_000, intervalMs: 0 },
    );
    // Reconciles without a change: metadata touches enqueue the cluster, and resyncs (3 s).
    for (const i of [1, 2, 3]) {
      await mergePatch(op.client, namespace, 'kafkaclusters', 'dedi', {
        metadata: { annotations: { 'example.com/touched': String(i) } },
      });
      await sleep(1_000);
    }
    await sleep(4_000);
    expect(applies() - before).toBe(0);
    // Nor a status write: the status is compared as JSON, whatever order the keys come in.
    expect(statusApplies() - statusBefore).toBe(0);
    // A field we own changed by hand (another manager) is put back, with one apply.
    const cmPath = `/api/v1/namespaces/${namespace}/configmaps/dedi-kafka-config`;
    const original = (await get(op.client, cmPath)) as { data: Record<string, string> };
    await op.client.request('PATCH', cmPath, {
      contentType: 'application/merge-patch+json',
      body: { data: { 'broker.properties': 'edited=by-hand\n' } },
    });
    await waitFor('the ConfigMap put back', async () => {
      const cm = (await get(op.client, cmPath)) as { data: Record<string, string> };
      return cm.data['broker.properties'] === original.data['broker.properties'];
    });
    await sleep(4_000);
    expect(applies() - before).toBe(1);
  });

  it('re-applies a spec change without fighting another field manager', async () => {
    // Someone else (kubectl label/annotate style) owns an unrelated annotation.
    await op.client.request(
      'PATCH',
      `/apis/apps/v1/namespaces/${namespace}/statefulsets/dedi-broker`,
      {
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'team-tooling' },
        body: {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'dedi-broker', annotations: { 'example.com/owner': 'team-a' } },
        },
      },
    );
    const hashOf = (o: Obj | undefined) =>
      (o?.spec?.['template'] as { metadata: { annotations: Record<string, string> } } | undefined)
        ?.metadata.annotations['kraftwerk.dev/config-hash'];
    const before = hashOf(await sts(namespace, 'dedi-broker'));
    // A restart-relevant key: the pods' config hash changes.
    await mergePatch(op.client, namespace, 'kafkaclusters', 'dedi', {
      spec: { config: { 'log.retention.hours': '72' } },
    });
    const after = await waitFor('the new config hash on the broker StatefulSet', async () => {
      const o = await sts(namespace, 'dedi-broker');
      return hashOf(o) !== before ? o : undefined;
    });
    expect(after.metadata?.annotations?.['example.com/owner']).toBe('team-a');
    const managers = (after.metadata?.managedFields ?? []).map((f) => f.manager);
    expect(managers).toContain('team-tooling');
    expect(managers).toContain('kraftwerk');
    const cm = await get(op.client, `/api/v1/namespaces/${namespace}/configmaps/dedi-kafka-config`);
    expect((cm as { data?: Record<string, string> }).data?.['broker.properties']).toContain(
      'log.retention.hours=72',
    );
    expect((await cluster(namespace, 'dedi'))!.status!.clusterId).toBe(clusterId);
  });

  it('scales brokers up through the scale subresource (kubectl scale kc/dedi --replicas=4)', async () => {
    await op.client.request('PATCH', kraftwerkPath(namespace, 'kafkaclusters', 'dedi', 'scale'), {
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 4 } },
    });
    await waitFor(
      'the broker StatefulSet at 4',
      async () => (await sts(namespace, 'dedi-broker'))?.spec?.replicas === 4,
    );
    await waitFor('a NodePort Service for the new broker', () =>
      get(op.client, `/api/v1/namespaces/${namespace}/services/dedi-broker-3-external`),
    );
    const scale = await op.client.request<{ status: { replicas: number; selector: string } }>(
      'GET',
      kraftwerkPath(namespace, 'kafkaclusters', 'dedi', 'scale'),
    );
    expect(scale.status.selector).toBe('kraftwerk.dev/cluster=dedi,kraftwerk.dev/role=broker');
  });

  it('does not remove a broker while it cannot see where its partitions are', async () => {
    await op.client.request('PATCH', kraftwerkPath(namespace, 'kafkaclusters', 'dedi', 'scale'), {
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 3 } },
    });
    const kc = await waitFor('Progressing explains the wait', async () => {
      const c = await cluster(namespace, 'dedi');
      const p = condition(c, 'Progressing');
      return p?.status === 'True' && /cannot describe partitions/.test(p.message) ? c : undefined;
    });
    expect(condition(kc, 'Progressing')?.observedGeneration).toBe(kc.metadata.generation);
    // Several reconciles later the broker is still there: Kafka was never asked, so no drain.
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await sts(namespace, 'dedi-broker'))?.spec?.replicas).toBe(4);
  });

  it('follows the StatefulSets in status (pods made Ready by the test, standing in for the kubelet)', async () => {
    const pods = await waitFor(
      'the StatefulSet controller to create the controller pods',
      async () => {
        const list = await op.client.request<{ items: Obj[] }>(
          'GET',
          `/api/v1/namespaces/${namespace}/pods`,
          { query: { labelSelector: 'kraftwerk.dev/cluster=dedi,kraftwerk.dev/role=controller' } },
        );
        return list.items.length === 3 ? list.items : undefined;
      },
    );
    for (const p of pods) await markPodReady(op.client, namespace, p.metadata!.name!, KAFKA_IMAGE);
    const kc = await waitFor('status.controllers.readyReplicas = 3', async () => {
      const c = await cluster(namespace, 'dedi');
      return c?.status?.controllers?.readyReplicas === 3 ? c : undefined;
    });
    expect(kc.status?.controllers?.nodeIds).toEqual([0, 1, 2]);
    expect(kc.status?.brokers?.replicas).toBe(4);
    expect(kc.status?.brokers?.readyReplicas).toBe(0);
    const ready = condition(kc, 'Ready');
    expect(ready?.status).toBe('False');
    expect(ready?.reason).toBe('PodsNotReady');
    expect(ready?.message).toContain('dedi-broker: 0/4 ready');
    expect(kc.status?.listeners).toEqual([
      {
        name: 'internal',
        bootstrapServers: `dedi-kafka-bootstrap.${namespace}.svc:9092`,
        securityProtocol: 'PLAINTEXT',
      },
      // The spec asks for 3 brokers: the fourth, waiting to be drained, is not advertised.
      {
        name: 'external',
        bootstrapServers: 'localhost:31092,localhost:31093,localhost:31094',
        securityProtocol: 'PLAINTEXT',
      },
    ]);
  });

  it('restarts stale pods stuck in Pending onto the new spec, with an Event naming the reason', async () => {
    // The broker pods are Pending (nothing schedules them here): a spec change makes them stale
    // and stuck, which the roller restarts without waiting for health (it cannot get healthy).
    const brokerPods = async () =>
      (
        await op.client.request<{ items: Obj[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, {
          query: { labelSelector: 'kraftwerk.dev/cluster=dedi,kraftwerk.dev/role=broker' },
        })
      ).items;
    await waitFor('4 broker pods', async () => (await brokerPods()).length === 4);
    const uidsBefore = new Set((await brokerPods()).map((p) => p.metadata!.uid));
    await mergePatch(op.client, namespace, 'kafkaclusters', 'dedi', {
      spec: { config: { 'log.retention.hours': '96' } },
    });
    const events = await waitFor('a StuckOnStaleSpec restart Event', async () => {
      const list = await eventsFor(op.client, namespace, 'dedi');
      const hit = list.filter((e) => e.reason === 'StuckOnStaleSpec');
      return hit.length > 0 ? hit : undefined;
    });
    expect(events[0]!.note).toMatch(/dedi-(broker|controller)-\d is Pending on an old spec/);
    await waitFor('a broker pod replaced', async () =>
      (await brokerPods()).some((p) => !uidsBefore.has(p.metadata!.uid)),
    );
  });

  it('after an operator restart, carries on from what it finds: same id, same objects, no blind shrink', async () => {
    const before = await sts(namespace, 'dedi-broker');
    await op.stop();
    op = await startTestOperator(inject('kubeconfig'), namespace);
    // A few resyncs (3 s) of the new operator, which remembers nothing of the old one.
    await new Promise((r) => setTimeout(r, 7_000));
    const after = await sts(namespace, 'dedi-broker');
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    // The scale-down to 3 still waits for Kafka to say where the partitions are.
    expect(after?.spec?.replicas).toBe(4);
    const kc = await cluster(namespace, 'dedi');
    expect(kc?.status?.clusterId).toBe(clusterId);
    // Still under way (the roll of the Pending pods reports first, the drain waits behind it).
    expect(condition(kc, 'Progressing')?.status).toBe('True');
  });

  it('holds a finalizer and tears down brokers, then controllers, then lets GC do the rest', async () => {
    // Pods here are never scheduled, so the API server deletes them without a grace period;
    // a test finalizer on a pod stands in for a pod that takes its time to stop.
    const hold = 'test.kraftwerk.dev/hold';
    const podsOf = async (role: string) =>
      (
        await op.client.request<{ items: Obj[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, {
          query: { labelSelector: `kraftwerk.dev/cluster=dedi,kraftwerk.dev/role=${role}` },
        })
      ).items;
    const setFinalizers = (name: string, finalizers: string[] | null) =>
      op.client.request('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}`, {
        contentType: 'application/merge-patch+json',
        body: { metadata: { finalizers } },
      });
    const before = await cluster(namespace, 'dedi');
    expect(before?.metadata.finalizers).toContain('kraftwerk.dev/cluster');
    const broker = (await podsOf('broker'))[0]!.metadata!.name!;
    const controller = (await podsOf('controller'))[0]!.metadata!.name!;
    await setFinalizers(broker, [hold]);
    await setFinalizers(controller, [hold]);
    const claimsBefore = (
      await op.client.request<{ items: Obj[] }>(
        'GET',
        `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
        { query: { labelSelector: 'kraftwerk.dev/cluster=dedi' } },
      )
    ).items.map((c) => c.metadata!.name!);
    expect(claimsBefore.length).toBeGreaterThan(0);

    // A timeline of what the API server shows, sampled every 100 ms.
    const seen: Record<string, number> = {};
    const mark = (what: string) => (seen[what] ??= Date.now());
    const started = Date.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [b, c, kc] = await Promise.all([
          sts(namespace, 'dedi-broker'),
          sts(namespace, 'dedi-controller'),
          cluster(namespace, 'dedi'),
        ]);
        if (!b || b.metadata?.deletionTimestamp) mark('broker StatefulSet deleted');
        if (!c || c.metadata?.deletionTimestamp) mark('controller StatefulSet deleted');
        if (!kc) mark('KafkaCluster gone');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkaclusters', 'dedi'));
      await waitFor(
        'the broker StatefulSet deleted',
        async () => seen['broker StatefulSet deleted'],
      );
      // The held broker pod is still terminating: nothing happens to the controllers, over
      // several resyncs (3 s), and the KafkaCluster stays with its finalizer.
      await new Promise((r) => setTimeout(r, 7_000));
      const brokersLeft = await podsOf('broker');
      expect(brokersLeft.map((p) => p.metadata!.name)).toEqual([broker]);
      expect(brokersLeft[0]!.metadata?.deletionTimestamp).toBeDefined();
      expect(seen['controller StatefulSet deleted']).toBeUndefined();
      expect((await podsOf('controller')).every((p) => !p.metadata?.deletionTimestamp)).toBe(true);
      const waiting = await cluster(namespace, 'dedi');
      expect(waiting?.metadata.deletionTimestamp).toBeDefined();
      expect(waiting?.metadata.finalizers).toContain('kraftwerk.dev/cluster');
      // Status says so, which topics and groups naming the cluster read as not Ready.
      expect(condition(waiting, 'Ready')).toMatchObject({
        status: 'False',
        reason: 'Deleting',
        message: `waiting for the brokers to stop: ${broker}`,
      });

      // The broker goes: now the controllers. One of them never goes (as on a node that is
      // gone); past its grace period (0 here) + 30 s the operator stops waiting for it.
      const released = Date.now();
      await setFinalizers(broker, null);
      await waitFor(
        'the controller StatefulSet deleted',
        async () => seen['controller StatefulSet deleted'],
      );
      await waitFor('the KafkaCluster gone', async () => seen['KafkaCluster gone'], {
        timeoutMs: 90_000,
      });
      const stuck = (await podsOf('controller')).map((p) => p.metadata!.name);
      expect(stuck).toEqual([controller]);
      const order = Object.entries(seen)
        .sort((a, b) => a[1] - b[1])
        .map(([what, t]) => `${what} +${((t - started) / 1000).toFixed(1)}s`);
      console.log(`[teardown] ${order.join(' | ')}`);
      expect(Object.keys(seen).sort((a, b) => seen[a]! - seen[b]!)).toEqual([
        'broker StatefulSet deleted',
        'controller StatefulSet deleted',
        'KafkaCluster gone',
      ]);
      expect(seen['controller StatefulSet deleted']!).toBeGreaterThanOrEqual(released);
      // Gave up on the stuck pod after ~30 s, not at once and not never.
      expect(seen['KafkaCluster gone']! - seen['controller StatefulSet deleted']!).toBeGreaterThan(
        25_000,
      );
      const stuckEvent = await waitForEvent(op, 'dedi', 'TeardownStuckPods');
      expect(stuckEvent.note).toContain(controller);
      const reasons = (await eventsFor(op.client, namespace, 'dedi')).map((e) => e.reason);
      expect(reasons).toContain('StoppingBrokers');
      expect(reasons).toContain('StoppingControllers');
    } finally {
      sampling = false;
      await sampler;
      await setFinalizers(broker, null).catch(() => undefined);
      await setFinalizers(controller, null).catch(() => undefined);
    }

    await waitFor(
      'the garbage collector to remove the StatefulSets, Services, ConfigMap and PDBs',
      async () => {
        const left = await Promise.all([
          sts(namespace, 'dedi-broker'),
          sts(namespace, 'dedi-controller'),
          get(op.client, `/api/v1/namespaces/${namespace}/services/dedi-kafka-bootstrap`),
          get(op.client, `/api/v1/namespaces/${namespace}/services/dedi-broker-0-external`),
          get(op.client, `/api/v1/namespaces/${namespace}/configmaps/dedi-kafka-config`),
          get(
            op.client,
            `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/dedi-broker`,
          ),
        ]);
        return left.every((o) => o === undefined);
      },
      { timeoutMs: 90_000 },
    );
    // deleteClaim is unset (false): the claims stay, as they did before the finalizer.
    const claimsAfter = (
      await op.client.request<{ items: Obj[] }>(
        'GET',
        `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
        { query: { labelSelector: 'kraftwerk.dev/cluster=dedi' } },
      )
    ).items.map((c) => c.metadata!.name!);
    expect(claimsAfter.sort()).toEqual(claimsBefore.sort());
  });
});

describe('KafkaCluster deleted with foreground propagation (Argo CD prune default)', () => {
  it('loses the order: the garbage collector deletes the controllers while a broker is held', async () => {
    // A limit, written down in docs/gitops.md: foreground deletion makes the garbage collector
    // delete the owner's dependents right away, finalizers or not. (It only does so once it
    // watches the KafkaCluster kind, which starts at its ~30 s discovery resync after the CRDs
    // were installed; this test runs late in the file.)
    await createResource(op.client, 'kafkaclusters', kafkaCluster('fg', namespace, true));
    await waitFor('both StatefulSets', async () =>
      (await sts(namespace, 'fg-broker')) && (await sts(namespace, 'fg-controller'))
        ? true
        : undefined,
    );
    await waitFor('the finalizer', async () =>
      (await cluster(namespace, 'fg'))?.metadata.finalizers?.includes('kraftwerk.dev/cluster'),
    );
    const brokerPod = await waitFor('a broker pod', async () => {
      const list = await op.client.request<{ items: Obj[] }>(
        'GET',
        `/api/v1/namespaces/${namespace}/pods`,
        { query: { labelSelector: 'kraftwerk.dev/cluster=fg,kraftwerk.dev/role=broker' } },
      );
      return list.items[0]?.metadata?.name;
    });
    const podPath = `/api/v1/namespaces/${namespace}/pods/${brokerPod}`;
    const hold = (finalizers: string[] | null) =>
      op.client.request('PATCH', podPath, {
        contentType: 'application/merge-patch+json',
        body: { metadata: { finalizers } },
      });
    await hold(['test.kraftwerk.dev/hold']);
    try {
      await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkaclusters', 'fg'), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' },
      });
      // Well before the operator would stop waiting for the held pod (30 s).
      await waitFor(
        'the controller StatefulSet deleted by the garbage collector',
        async () => {
          const c = await sts(namespace, 'fg-controller');
          return !c || c.metadata?.deletionTimestamp !== undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect((await get(op.client, podPath))?.metadata?.deletionTimestamp).toBeDefined();
      expect((await cluster(namespace, 'fg'))?.metadata.finalizers).toContain(
        'kraftwerk.dev/cluster',
      );
    } finally {
      await hold(null);
    }
    await waitFor('the KafkaCluster gone', async () => !(await cluster(namespace, 'fg')), {
      timeoutMs: 60_000,
    });
  });
});

describe('KafkaCluster controller (combined mode)', () => {
  it('renders one StatefulSet of combined nodes and refuses a spec only the operator can judge', async () => {
    const kc = kafkaCluster('combo', namespace, false);
    await createResource(op.client, 'kafkaclusters', kc);
    const s = await waitFor('the combined StatefulSet', () => sts(namespace, 'combo-kafka'));
    expect(s.spec?.replicas).toBe(1);
    expect(await sts(namespace, 'combo-controller')).toBeUndefined();
    expect(
      await get(
        op.client,
        `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/combo-kafka`,
      ),
    ).toBeDefined();
    // RF 3 on one broker: the schema cannot judge it, the operator says why.
    await mergePatch(op.client, namespace, 'kafkaclusters', 'combo', {
      spec: { config: { 'default.replication.factor': '3' } },
    });
    const bad = await waitFor('Ready=False InvalidSpec', async () => {
      const c = await cluster(namespace, 'combo');
      return condition(c, 'Ready')?.reason === 'InvalidSpec' ? c : undefined;
    });
    expect(condition(bad, 'Ready')?.message).toMatch(
      /default.replication.factor=3 is more than the 1 broker/,
    );
    expect(bad.status?.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // Nothing was deleted for a bad spec.
    expect(await sts(namespace, 'combo-kafka')).toBeDefined();
  });

  it('applies nothing while the exporter ConfigMap its spec names is missing, then goes on', async () => {
    const kc = kafkaCluster('mcfg', namespace, false);
    kc.spec.metrics = {
      enabled: true,
      exporter: { configMapKeyRef: { name: 'mcfg-rules', key: 'config.yaml' } },
    };
    await createResource(op.client, 'kafkaclusters', kc);
    const bad = await waitFor('Ready=False InvalidSpec', async () => {
      const c = await cluster(namespace, 'mcfg');
      return condition(c, 'Ready')?.reason === 'InvalidSpec' ? c : undefined;
    });
    expect(condition(bad, 'Ready')?.message).toContain(
      `ConfigMap "mcfg-rules" does not exist in namespace ${namespace}`,
    );
    // A pod mounting it could never start: nothing is rendered that would.
    expect(await sts(namespace, 'mcfg-kafka')).toBeUndefined();

    const configMap = (data: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mcfg-rules', namespace },
      data,
    });
    await op.client.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
      body: configMap({ 'rules.yaml': 'rules: []' }),
    });
    await waitFor('the missing key named', async () =>
      condition(await cluster(namespace, 'mcfg'), 'Ready')?.message?.includes(
        'has no key "config.yaml" (its keys: rules.yaml)',
      ),
    );
    expect(await sts(namespace, 'mcfg-kafka')).toBeUndefined();

    // Created as named: the operator finds it by itself (no event of ours announces it).
    await op.client.request('PUT', `/api/v1/namespaces/${namespace}/configmaps/mcfg-rules`, {
      body: configMap({ 'config.yaml': 'lowercaseOutputName: true' }),
    });
    const s = await waitFor('the StatefulSet', () => sts(namespace, 'mcfg-kafka'), {
      timeoutMs: 60_000,
    });
    expect(JSON.stringify(s)).toContain('"name":"mcfg-rules"');
    await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkaclusters', 'mcfg'));
  });

  it('goes at once when deleted: combined nodes have no order to keep', async () => {
    const kc = await waitFor('the finalizer', async () => {
      const c = await cluster(namespace, 'combo');
      return c?.metadata.finalizers?.includes('kraftwerk.dev/cluster') ? c : undefined;
    });
    expect(kc.metadata.finalizers).toEqual(['kraftwerk.dev/cluster']);
    await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkaclusters', 'combo'));
    const t0 = Date.now();
    await waitFor('the KafkaCluster gone', async () => !(await cluster(namespace, 'combo')), {
      timeoutMs: 15_000,
    });
    console.log(`[teardown] combined cluster gone after ${Date.now() - t0} ms`);
    await waitFor('its StatefulSet collected', async () => !(await sts(namespace, 'combo-kafka')));
  });
});

describe('KafkaCluster storage growth (PersistentVolumeClaimResize admission of the real API server)', () => {
  // kube-controller-manager runs without the PV binder here (no volumes exist), so the test
  // binds each claim itself, standing in for it: a PersistentVolume with a claimRef, the claim's
  // volumeName, and phase Bound through the status subresource. The API server only lets a
  // bound claim grow, and only when its StorageClass allows expansion.
  const expandable = `kraftwerk-it-expandable-${process.pid}`;
  const fixed = `kraftwerk-it-fixed-${process.pid}`;
  const storageClass = (name: string, allow: boolean) => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'kraftwerk.dev/none',
    allowVolumeExpansion: allow,
    volumeBindingMode: 'Immediate',
  });
  const pvcPath = (name: string) =>
    `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`;
  const claimSize = async (name: string) =>
    (
      (await get(op.client, pvcPath(name)))?.spec as
        { resources?: { requests?: { storage?: string } } } | undefined
    )?.resources?.requests?.storage;
  const grown = (name: string, cls: string): KafkaCluster => {
    const kc = kafkaCluster(name, namespace, false);
    kc.spec.brokers = {
      replicas: 1,
      storage: { type: 'persistent-claim', size: '1Gi', storageClassName: cls },
    } as KafkaCluster['spec']['brokers'];
    return kc;
  };
  async function bindClaim(claim: string, cls: string): Promise<void> {
    const pvc = await waitFor(`claim ${claim} made by the StatefulSet controller`, () =>
      get(op.client, pvcPath(claim)),
    );
    await op.client.request('POST', '/api/v1/persistentvolumes', {
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `${namespace}-${claim}` },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: cls,
          hostPath: { path: `/tmp/${claim}` },
          claimRef: { namespace, name: claim, uid: pvc.metadata?.uid },
        },
      },
    });
    await op.client.request('PATCH', pvcPath(claim), {
      contentType: 'application/merge-patch+json',
      body: { spec: { volumeName: `${namespace}-${claim}` } },
    });
    await op.client.request('PATCH', `${pvcPath(claim)}/status`, {
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          phase: 'Bound',
          accessModes: ['ReadWriteOnce'],
          capacity: { storage: '1Gi' },
        },
      },
    });
  }

  beforeAll(async () => {
    for (const sc of [storageClass(expandable, true), storageClass(fixed, false)]) {
      await op.client.request('POST', '/apis/storage.k8s.io/v1/storageclasses', { body: sc });
    }
  });
  afterAll(async () => {
    for (const name of [expandable, fixed]) {
      await op.client
        .request('DELETE', `/apis/storage.k8s.io/v1/storageclasses/${name}`)
        .catch(() => undefined);
    }
    for (const claim of ['data-grow-kafka-0', 'data-nogrow-kafka-0']) {
      await op.client
        .request('DELETE', `/api/v1/persistentvolumes/${namespace}-${claim}`)
        .catch(() => undefined);
    }
  });

  it('grows a bound claim when the class allows it, keeps the StatefulSet as it is, refuses a shrink at admission', async () => {
    await createResource(op.client, 'kafkaclusters', grown('grow', expandable));
    await bindClaim('data-grow-kafka-0', expandable);
    await mergePatch(op.client, namespace, 'kafkaclusters', 'grow', {
      spec: { brokers: { storage: { size: '3Gi' } } },
    });
    await waitFor('the claim asking for 3Gi', async () =>
      (await claimSize('data-grow-kafka-0')) === '3Gi' ? true : undefined,
    );
    const events = await waitFor('a VolumeExpanding Event', async () => {
      const all = await eventsFor(op.client, namespace, 'grow');
      return all.some((e) => e.reason === 'VolumeExpanding') ? all : undefined;
    });
    expect(events.find((e) => e.reason === 'VolumeExpanding')?.note).toContain(
      'data-grow-kafka-0 -> 3Gi',
    );
    // The claim template is immutable: the StatefulSet keeps the size it was made with.
    const s = await sts(namespace, 'grow-kafka');
    const templates = s?.spec?.['volumeClaimTemplates'] as
      { spec: { resources: { requests: { storage: string } } } }[] | undefined;
    expect(templates?.[0]?.spec.resources.requests.storage).toBe('1Gi');
    expect(condition(await cluster(namespace, 'grow'), 'Ready')?.reason).not.toBe('InvalidSpec');
    await expect(
      mergePatch(op.client, namespace, 'kafkaclusters', 'grow', {
        spec: { brokers: { storage: { size: '2Gi' } } },
      }),
    ).rejects.toThrow(/storage.size may not shrink/);
  });

  it('leaves claims alone and says why when the class does not allow expansion', async () => {
    await createResource(op.client, 'kafkaclusters', grown('nogrow', fixed));
    await bindClaim('data-nogrow-kafka-0', fixed);
    await mergePatch(op.client, namespace, 'kafkaclusters', 'nogrow', {
      spec: { brokers: { storage: { size: '3Gi' } } },
    });
    const kc = await waitFor('Ready=False naming the class', async () => {
      const c = await cluster(namespace, 'nogrow');
      return condition(c, 'Ready')?.message?.includes('does not allow volume expansion')
        ? c
        : undefined;
    });
    expect(condition(kc, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(condition(kc, 'Ready')?.message).toContain(`StorageClass ${fixed}`);
    expect(await claimSize('data-nogrow-kafka-0')).toBe('1Gi');
    // Without the operator's check the API server says the same: a direct patch is refused.
    await expect(
      op.client.request('PATCH', pvcPath('data-nogrow-kafka-0'), {
        contentType: 'application/merge-patch+json',
        body: { spec: { resources: { requests: { storage: '3Gi' } } } },
      }),
    ).rejects.toThrow(/storageclass that provisions the pvc must support resize/);
  });
});

describe('KafkaCluster controller reading a real Kafka', () => {
  // The shared Kafka is one combined node (node id 1, static quorum). An operator whose
  // bootstrap for this cluster points at it reads its quorum, partitions, registrations,
  // features and broker defaults exactly as it would read a cluster's bootstrap Service.
  const ns = `clusters-kafka-${process.pid}`;
  let operator: Operator;
  let client: KubeClient;

  beforeAll(async () => {
    const kubeConfig = loadKubeConfig(inject('kubeconfig'));
    operator = createOperator({
      kubeConfig,
      logger: silentLogger,
      namespaces: [ns],
      resyncMs: 2_000,
      identity: `test-${ns}`,
      clusterBootstrap: () => inject('kafkaBootstrap'),
    });
    client = operator.client;
    await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    await operator.start();
  });

  afterAll(async () => {
    await operator?.stop();
  });

  it('reports the quorum leader and metadata.version, and applies dynamic config without a restart', async () => {
    const spec = kafkaCluster('real', ns, false);
    spec.spec.brokers.replicas = 2; // node ids 0 and 1; the real node is 1
    spec.spec.config = { 'min.insync.replicas': '1', 'log.cleaner.backoff.ms': '16000' };
    await createResource(client, 'kafkaclusters', spec);
    const s = await waitFor('the combined StatefulSet', () =>
      get(client, `/apis/apps/v1/namespaces/${ns}/statefulsets/real-kafka`),
    );
    const hash = (s.spec?.['template'] as { metadata: { annotations: Record<string, string> } })
      .metadata.annotations['kraftwerk.dev/config-hash'];
    const pods = await waitFor('two pods', async () => {
      const list = await client.request<{ items: Obj[] }>('GET', `/api/v1/namespaces/${ns}/pods`);
      return list.items.length === 2 ? list.items : undefined;
    });
    // Standing in for the kubelet: the pods run and are ready, so the operator asks Kafka.
    for (const p of pods) await markPodReady(client, ns, p.metadata!.name!, KAFKA_IMAGE);
    const kc = await waitFor('the quorum leader in status', async () => {
      const c = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', 'real');
      return c?.status?.controllers?.leaderId !== undefined ? c : undefined;
    });
    expect(kc.status?.controllers?.leaderId).toBe(1);
    expect(kc.status?.metadataVersion).toMatch(/^\d+\.\d+-IV\d+$/);
    const admin = new KafkaClusterAdmin({ bootstrap: inject('kafkaBootstrap') });
    try {
      await waitFor(
        'log.cleaner.backoff.ms as a cluster-wide broker default',
        async () => (await admin.describeBrokerDefaults())['log.cleaner.backoff.ms'] === '16000',
      );
      // Events are written fire-and-forget after the change: wait for it, do not read once.
      await waitFor('a ConfigUpdated Event', async () =>
        (await eventsFor(client, ns, 'real')).some((e) => e.reason === 'ConfigUpdated'),
      );
      // A dynamic key changes no pod template: nothing rolls.
      const after = await get(client, `/apis/apps/v1/namespaces/${ns}/statefulsets/real-kafka`);
      expect(
        (after!.spec?.['template'] as { metadata: { annotations: Record<string, string> } })
          .metadata.annotations['kraftwerk.dev/config-hash'],
      ).toBe(hash);
      // Node 0 is not a voter of this static quorum: the operator refuses, not guesses.
      const refused = await waitFor('Ready=False StaticQuorum', async () => {
        const c = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', 'real');
        return condition(c, 'Ready')?.reason === 'StaticQuorum' ? c : undefined;
      });
      expect(condition(refused, 'Ready')?.message).toMatch(/static voters/);
      // Removing the key from the spec removes the default again.
      await mergePatch(client, ns, 'kafkaclusters', 'real', {
        spec: { config: { 'log.cleaner.backoff.ms': null } },
      });
      await waitFor(
        'the default removed',
        async () => (await admin.describeBrokerDefaults())['log.cleaner.backoff.ms'] === undefined,
      );
    } finally {
      await admin.close();
      await client.request('DELETE', kraftwerkPath(ns, 'kafkaclusters', 'real'));
      // Combined nodes: the operator drops its finalizer at once; wait before it stops.
      await waitFor(
        'the combined cluster gone',
        async () => !(await getResource<KafkaCluster>(client, ns, 'kafkaclusters', 'real')),
        { timeoutMs: 15_000 },
      );
    }
  });
  it("deletes the claim of a scaled-away node only with deleteClaim: true, and the rest once the deleted cluster's pods are gone", async () => {
    // Two combined clusters of 3 nodes on claims, one with deleteClaim: true. The claims are
    // real (the StatefulSet controller makes them; nothing binds them here) and the pods are
    // made Ready by the test, standing in for the kubelet, so the operator asks the real Kafka:
    // node 2 is neither a registered broker nor a voter there, as after its drain and
    // unregistration. Scaling 3 -> 2 removes pod 2, and then its claim only where asked.
    const claimsPath = `/api/v1/namespaces/${ns}/persistentvolumeclaims`;
    const claimsOf = async (name: string) =>
      (
        await client.request<{ items: Obj[] }>('GET', claimsPath, {
          query: { labelSelector: `kraftwerk.dev/cluster=${name}` },
        })
      ).items
        .filter((c) => !c.metadata?.deletionTimestamp)
        .map((c) => c.metadata!.name!)
        .sort();
    const podsOf = async (name: string) =>
      (
        await client.request<{ items: Obj[] }>('GET', `/api/v1/namespaces/${ns}/pods`, {
          query: { labelSelector: `kraftwerk.dev/cluster=${name}` },
        })
      ).items;
    for (const [name, deleteClaim] of [
      ['drop', true],
      ['keep', false],
    ] as const) {
      const kc = kafkaCluster(name, ns, false);
      kc.spec.brokers = {
        replicas: 3,
        storage: { type: 'persistent-claim', size: '1Gi', deleteClaim },
      } as KafkaCluster['spec']['brokers'];
      await createResource(client, 'kafkaclusters', kc);
    }
    for (const name of ['drop', 'keep']) {
      const pods = await waitFor(`three ${name} pods`, async () => {
        const list = await podsOf(name);
        return list.length === 3 ? list : undefined;
      });
      for (const p of pods) await markPodReady(client, ns, p.metadata!.name!, KAFKA_IMAGE);
      await waitFor(`three ${name} claims`, async () => (await claimsOf(name)).length === 3);
    }
    try {
      for (const name of ['drop', 'keep']) {
        await mergePatch(client, ns, 'kafkaclusters', name, { spec: { brokers: { replicas: 2 } } });
      }
      await waitFor('data-drop-kafka-2 deleted', async () =>
        (await claimsOf('drop')).includes('data-drop-kafka-2') ? undefined : true,
      );
      // The Event follows the delete (fire-and-forget): wait for it, do not read once.
      const claimDeleted = await waitFor('a ClaimDeleted Event', async () =>
        (await eventsFor(client, ns, 'drop')).find((e) => e.reason === 'ClaimDeleted'),
      );
      expect(claimDeleted.note).toMatch(
        /node 2 was scaled away .*data-drop-kafka-2 \(deleteClaim: true\)/,
      );
      expect(await claimsOf('drop')).toEqual(['data-drop-kafka-0', 'data-drop-kafka-1']);
      // deleteClaim false: pod 2 gone the same way, its claim stays over several resyncs (2 s).
      await waitFor('keep-kafka-2 gone', async () =>
        (await podsOf('keep')).every((p) => p.metadata!.name !== 'keep-kafka-2'),
      );
      await new Promise((r) => setTimeout(r, 6_000));
      expect(await claimsOf('keep')).toEqual([
        'data-keep-kafka-0',
        'data-keep-kafka-1',
        'data-keep-kafka-2',
      ]);
      expect((await eventsFor(client, ns, 'keep')).some((e) => e.reason === 'ClaimDeleted')).toBe(
        false,
      );

      // Deleting the clusters: deleteClaim: true orders StatefulSet, pods, then its claims.
      for (const name of ['drop', 'keep']) {
        await client.request('DELETE', kraftwerkPath(ns, 'kafkaclusters', name));
      }
      for (const name of ['drop', 'keep']) {
        await waitFor(
          `${name} gone`,
          async () => !(await getResource<KafkaCluster>(client, ns, 'kafkaclusters', name)),
          { timeoutMs: 60_000 },
        );
      }
      expect(await claimsOf('drop')).toEqual([]);
      expect(await podsOf('drop')).toEqual([]);
      expect(await claimsOf('keep')).toEqual([
        'data-keep-kafka-0',
        'data-keep-kafka-1',
        'data-keep-kafka-2',
      ]);
    } finally {
      for (const name of ['drop', 'keep']) {
        await client
          .request('DELETE', kraftwerkPath(ns, 'kafkaclusters', name))
          .catch(() => undefined);
      }
      for (const c of await claimsOf('keep')) {
        await client.request('DELETE', `${claimsPath}/${c}`).catch(() => undefined);
      }
    }
  });
});

describe.each(['shared', '3.9.1'])('cluster-level Kafka requests against the %s Kafka', (which) => {
  // Both are one combined node with id 1 and a static quorum (controller.quorum.voters).
  let fixture: KafkaFixture | undefined;
  let bootstrap = '';
  let admin: KafkaClusterAdmin;

  beforeAll(async () => {
    if (which === 'shared') bootstrap = inject('kafkaBootstrap');
    else {
      fixture = await KafkaFixture.start({ name: 'cluster-ops-3.9', version: which });
      bootstrap = fixture.bootstrapServers;
    }
    admin = new KafkaClusterAdmin({ bootstrap });
  });

  afterAll(async () => {
    await admin?.close();
    await fixture?.stop();
  });

  it('describes the quorum, the registered brokers and the finalized features', async () => {
    const q = await admin.describeQuorum();
    expect(q.leaderId).toBe(1);
    expect(q.voters.map((v) => [v.nodeId, v.lag])).toEqual([[1, 0]]);
    // A static quorum has no directory ids.
    expect(q.voters[0]!.directoryId).toBeUndefined();
    expect(await admin.describeBrokers()).toEqual([{ nodeId: 1, fenced: false, rack: null }]);
    const features = await admin.finalizedFeatures();
    expect(metadataVersionName(features['metadata.version']!)).toMatch(/^\d+\.\d+-IV\d+$/);
    expect(features['kraft.version'] ?? 0).toBe(0);
  });

  it('describes every partition with its min.insync.replicas', async () => {
    const topics = new KafkaAdmin({ bootstrap });
    const name = `cluster-ops-${process.pid}-${which.replace(/\W/g, '')}`;
    try {
      await topics.createTopic({
        name,
        partitions: 2,
        replicationFactor: 1,
        config: { 'min.insync.replicas': '1' },
      });
      const partitions = await waitFor('the new topic in the partition list', async () => {
        const all = await admin.describePartitions();
        const mine = all.filter((p) => p.topic === name);
        return mine.length === 2 ? mine : undefined;
      });
      const sorted = [...partitions].sort((a, b) => a.partition - b.partition);
      expect(sorted.map((p) => [p.partition, p.replicas, p.isr, p.minIsr])).toEqual([
        [0, [1], [1], 1],
        [1, [1], [1], 1],
      ]);
    } finally {
      await topics.deleteTopic(name).catch(() => undefined);
      await topics.close();
    }
  });

  it('sets and deletes cluster-wide broker defaults', async () => {
    // The broker forwards the change to the controller and describes from its own metadata
    // cache, which catches up a moment later.
    const backoff = async () => (await admin.describeBrokerDefaults())['log.cleaner.backoff.ms'];
    await admin.alterBrokerDefaults({ 'log.cleaner.backoff.ms': '17000' });
    await waitFor('the default set', async () => (await backoff()) === '17000');
    await admin.alterBrokerDefaults({ 'log.cleaner.backoff.ms': null });
    await waitFor('the default deleted', async () => (await backoff()) === undefined);
    await expect(admin.alterBrokerDefaults({ 'log.cleaner.threads': 'many' })).rejects.toThrow(
      /many|log.cleaner.threads/,
    );
  });

  it('gets Kafka’s own refusal for quorum and registration changes it cannot make', async () => {
    // Refusals (not dropped connections) show the requests were parsed and forwarded.
    const dir = Buffer.alloc(16, 7).toString('base64url');
    const refusals = await Promise.all([
      admin.removeRaftVoter(1, dir).then(
        () => 'accepted',
        (e: unknown) => e,
      ),
      admin.addRaftVoter(5, dir, { name: 'CONTROLLER', host: '127.0.0.1', port: 1 }).then(
        () => 'accepted',
        (e: unknown) => e,
      ),
      admin.unregisterBroker(99).then(
        () => 'accepted',
        (e: unknown) => e,
      ),
    ]);
    for (const r of refusals) expect(r).toBeInstanceOf(KafkaRequestError);
    console.log(
      `[${which}] refusals: ${refusals.map((r) => `${(r as KafkaRequestError).code}: ${(r as Error).message}`).join(' | ')}`,
    );
  });
});
