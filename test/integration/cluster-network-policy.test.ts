// A KafkaCluster's NetworkPolicy against the real kube-apiserver (its validation and defaults)
// and kube-controller-manager (its garbage collector follows our owner reference): what it
// admits, that it follows the listeners, that it comes back when deleted by hand and that it
// goes with the cluster. Whether a CNI enforces it is not a question for this tier (no pods
// run here); docs/security.md says where it is enforced.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import { isNotFound } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import {
  createResource,
  kraftwerkPath,
  mergePatch,
  startTestOperator,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';

interface Peer {
  podSelector?: unknown;
  namespaceSelector?: unknown;
}
interface Policy extends KubeObject {
  spec: {
    podSelector: unknown;
    policyTypes: string[];
    ingress: { ports: { port: number; protocol: string }[]; from?: Peer[] }[];
  };
}

const namespace = `netpol-${process.pid}`;
const operatorPods = {
  namespace: 'kraftwerk-system',
  labels: { 'app.kubernetes.io/name': 'kraftwerk', 'app.kubernetes.io/component': 'operator' },
};
const policyPath = `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/np-kafka`;
let op: TestOperator;

const policy = async (): Promise<Policy | undefined> =>
  op.client.request<Policy>('GET', policyPath).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
const clientPorts = (p: Policy | undefined) =>
  p?.spec.ingress
    .filter((r) => r.from === undefined)
    .flatMap((r) => r.ports.map((port) => port.port));

const ownPods = {
  podSelector: {
    matchLabels: { 'kraftwerk.dev/cluster': 'np' },
    matchExpressions: [{ key: 'kraftwerk.dev/role', operator: 'Exists' }],
  },
};

beforeAll(async () => {
  op = await startTestOperator(inject('kubeconfig'), namespace, { operatorPods });
});

afterAll(async () => {
  await op?.stop();
});

describe('the NetworkPolicy of a KafkaCluster', () => {
  let uid = '';

  it("admits the controller port from the cluster's pods, replication also from the operator's, client listeners from anywhere, metrics from any pod", async () => {
    const created = await createResource<KafkaCluster>(op.client, 'kafkaclusters', {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      metadata: { name: 'np', namespace },
      spec: {
        version: '4.1.1',
        brokers: { replicas: 1, storage: { type: 'ephemeral' } },
        listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
        config: { 'default.replication.factor': '1', 'min.insync.replicas': '1' },
      } as KafkaCluster['spec'],
    });
    uid = created.metadata.uid!;
    const np = await waitFor('the NetworkPolicy', policy);
    expect(np.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'KafkaCluster', name: 'np', uid, controller: true }),
    ]);
    expect(np.spec.podSelector).toEqual(ownPods.podSelector);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 9090 }], from: [ownPods] },
      {
        ports: [{ protocol: 'TCP', port: 9091 }],
        from: [
          ownPods,
          {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': 'kraftwerk-system' },
            },
            podSelector: { matchLabels: operatorPods.labels },
          },
        ],
      },
      { ports: [{ protocol: 'TCP', port: 9092 }] },
      // spec.metrics is on by default: Prometheus may run in any namespace.
      { ports: [{ protocol: 'TCP', port: 9404 }], from: [{ namespaceSelector: {} }] },
    ]);
  });

  it('follows a listener added to the spec, and one removed', async () => {
    await mergePatch(op.client, namespace, 'kafkaclusters', 'np', {
      spec: {
        listeners: [
          { name: 'internal', port: 9092, type: 'internal' },
          { name: 'other', port: 9095, type: 'internal' },
        ],
      },
    });
    await waitFor('port 9095 admitted', async () =>
      clientPorts(await policy())?.join() === '9092,9095' ? true : undefined,
    );
    await mergePatch(op.client, namespace, 'kafkaclusters', 'np', {
      spec: { listeners: [{ name: 'other', port: 9095, type: 'internal' }] },
    });
    const np = await waitFor('port 9092 no longer admitted', async () => {
      const p = await policy();
      return clientPorts(p)?.join() === '9095' ? p : undefined;
    });
    // The cluster's own ports are untouched by a listener change.
    expect(np.spec.ingress.flatMap((r) => r.ports.map((p) => p.port))).toEqual([
      9090, 9091, 9095, 9404,
    ]);
  });

  it('is put back when deleted by hand', async () => {
    const before = await policy();
    await op.client.request('DELETE', policyPath);
    const back = await waitFor('the NetworkPolicy again', async () => {
      const p = await policy();
      return p && p.metadata?.uid !== before?.metadata?.uid ? p : undefined;
    });
    expect(back.spec.ingress).toEqual(before?.spec.ingress);
    expect(back.metadata?.ownerReferences?.[0]?.uid).toBe(uid);
  });

  it('goes with the cluster', async () => {
    await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkaclusters', 'np'));
    await waitFor('the NetworkPolicy gone', async () => (await policy()) === undefined);
  });
});
