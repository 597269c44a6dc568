// The certificate Secrets of a secured KafkaCluster against the real kube-apiserver and
// kube-controller-manager (its garbage collector follows our owner references): what the
// operator stores, the hash it puts on the pod templates, a forced renewal, a Secret it does
// not own, and that the Secrets go with the cluster. No pods run here (no kubelet): whether
// Kafka loads the certificates is the TLS integration tests' question.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import { isNotFound } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import {
  createResource,
  getResource,
  kraftwerkPath,
  mergePatch,
  startTestOperator,
  waitForEvent,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}
interface StatefulSet extends KubeObject {
  spec: { template: { metadata?: { annotations?: Record<string, string> } } };
}

const namespace = `certs-${process.pid}`;
const HASH = 'kraftwerk.dev/certificates-hash';
const RENEW = 'kraftwerk.dev/renew-certificates';
let op: TestOperator;

const secretPath = (name?: string) =>
  `/api/v1/namespaces/${namespace}/secrets${name ? `/${name}` : ''}`;
const secret = async (name: string): Promise<Secret | undefined> =>
  op.client.request<Secret>('GET', secretPath(name)).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
const decoded = (s: Secret | undefined, key: string): string =>
  Buffer.from(s?.data?.[key] ?? '', 'base64').toString('utf8');
const stsHash = async (name: string): Promise<string | undefined> =>
  (
    await op.client
      .request<StatefulSet>('GET', `/apis/apps/v1/namespaces/${namespace}/statefulsets/${name}`)
      .catch(() => undefined)
  )?.spec.template.metadata?.annotations?.[HASH];
const condition = async (cluster: string, type: string) =>
  (
    await getResource<KafkaCluster>(op.client, namespace, 'kafkaclusters', cluster)
  )?.status?.conditions?.find((c) => c.type === type);

const spec = (name: string): KafkaCluster['spec'] =>
  ({
    version: '4.1.1',
    brokers: { replicas: 2, storage: { type: 'ephemeral' } },
    listeners: [
      { name: 'tls', port: 9093, type: 'internal', tls: true },
      {
        name: 'ext',
        port: 9094,
        type: 'nodeport',
        nodePortBase: name === 'tc' ? 31470 : 31480,
        advertisedHost: 'kafka.example.com',
        tls: true,
      },
    ],
    config: { 'default.replication.factor': '1', 'min.insync.replicas': '1' },
  }) as KafkaCluster['spec'];

const createCluster = (name: string): Promise<KafkaCluster> =>
  createResource<KafkaCluster>(op.client, 'kafkaclusters', {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name, namespace },
    spec: spec(name),
  });

beforeAll(async () => {
  op = await startTestOperator(inject('kubeconfig'), namespace);
});

afterAll(async () => {
  await op?.stop();
});

describe('the certificate Secrets of a secured KafkaCluster', () => {
  let uid = '';
  let firstHash = '';

  it('are created with their keys, owner, names and chain', async () => {
    uid = (await createCluster('tc')).metadata.uid!;
    const names = [
      'tc-cluster-ca',
      'tc-cluster-ca-cert',
      'tc-clients-ca',
      'tc-clients-ca-cert',
      'tc-kafka-certs',
      'tc-operator-certs',
    ];
    const secrets = await waitFor('the certificate Secrets', async () => {
      const all = await Promise.all(names.map(secret));
      return all.every((s) => s !== undefined) ? (all as Secret[]) : undefined;
    });
    for (const s of secrets) {
      expect(s.type).toBe('Opaque');
      expect(s.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'KafkaCluster', name: 'tc', uid, controller: true }),
      ]);
      expect(s.metadata?.labels).toEqual({
        'kraftwerk.dev/cluster': 'tc',
        'app.kubernetes.io/managed-by': 'kraftwerk',
      });
    }
    const [clusterCa, clusterCaCert, clientsCa, clientsCaCert, node, operator] = secrets;
    expect(Object.keys(clusterCa!.data!).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(Object.keys(clusterCaCert!.data!)).toEqual(['ca.crt']);
    expect(Object.keys(clientsCa!.data!).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(decoded(clientsCaCert, 'ca.crt')).toBe(decoded(clientsCa, 'ca.crt'));
    expect(Object.keys(node!.data!).sort()).toEqual([
      'ca.crt',
      'clients-ca.crt',
      'keystore.pem',
      'tls.crt',
      'tls.key',
    ]);
    expect(decoded(node, 'keystore.pem')).toMatch(
      /^-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----/,
    );
    const ca = new X509Certificate(decoded(clusterCaCert, 'ca.crt'));
    const leaf = new X509Certificate(decoded(node, 'tls.crt'));
    expect(leaf.subject).toBe('CN=tc-kafka');
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    const sans = leaf.subjectAltName!.split(', ');
    expect(sans).toEqual(
      expect.arrayContaining([
        `DNS:tc-kafka-0.tc-kafka.${namespace}.svc`,
        `DNS:tc-kafka-1.tc-kafka.${namespace}.svc.cluster.local`,
        `DNS:tc-kafka-bootstrap.${namespace}.svc`,
        'DNS:kafka.example.com',
      ]),
    );
    expect(sans.some((s) => s.includes('tc-kafka-2'))).toBe(false);
    const opCert = new X509Certificate(decoded(operator, 'tls.crt'));
    expect(opCert.subject).toBe('CN=kraftwerk-operator');
    expect(opCert.verify(ca.publicKey)).toBe(true);
    await waitForEvent(op, 'tc', 'CertificatesIssued');
  });

  it('puts the certificates hash on the StatefulSet and says CertificatesReady', async () => {
    firstHash = await waitFor('the certificates hash on tc-kafka', () => stsHash('tc-kafka'));
    expect(firstHash).toMatch(/^[0-9a-f]{16}$/);
    const ready = await waitFor('CertificatesReady', () => condition('tc', 'CertificatesReady'));
    expect(ready).toMatchObject({ status: 'True', reason: 'CertificatesCurrent' });
    const text = JSON.stringify(
      await getResource<KafkaCluster>(op.client, namespace, 'kafkaclusters', 'tc'),
    );
    expect(text).not.toContain('PRIVATE KEY');

    // The operator's /metrics carries each CA's and leaf's end, as stored (for the alert).
    const stored = new X509Certificate(decoded(await secret('tc-kafka-certs'), 'tls.crt'));
    const line = await waitFor('the expiry gauge of tc-kafka-certs', async () =>
      op.operator.metrics.registry
        .render()
        .split('\n')
        .find(
          (l) =>
            l.startsWith('kraftwerk_certificate_expiry_timestamp_seconds{') &&
            l.includes(`namespace="${namespace}",cluster="tc",secret="tc-kafka-certs"`),
        ),
    );
    expect(Number(line.split(' ').at(-1))).toBe(Math.floor(stored.validToDate.getTime() / 1000));
  });

  it('re-issues the node certificates when annotated renew-certificates=leaves, and removes the annotation', async () => {
    const before = await secret('tc-kafka-certs');
    const caBefore = await secret('tc-cluster-ca');
    await mergePatch(op.client, namespace, 'kafkaclusters', 'tc', {
      metadata: { annotations: { [RENEW]: 'leaves' } },
    });
    await waitFor('the annotation removed', async () => {
      const kc = await getResource<KafkaCluster>(op.client, namespace, 'kafkaclusters', 'tc');
      return kc?.metadata.annotations?.[RENEW] === undefined;
    });
    const after = await secret('tc-kafka-certs');
    expect(decoded(after, 'tls.crt')).not.toBe(decoded(before, 'tls.crt'));
    expect(decoded(after, 'tls.key')).not.toBe(decoded(before, 'tls.key'));
    // The CA stays: only the leaves were asked for.
    expect((await secret('tc-cluster-ca'))?.data).toEqual(caBefore?.data);
    const hash = await waitFor('a new certificates hash', async () => {
      const h = await stsHash('tc-kafka');
      return h !== firstHash ? h : undefined;
    });
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    await waitForEvent(op, 'tc', 'CertificatesRenewed');
  });

  it('leaves a Secret it does not own untouched and says SecretNotOwned', async () => {
    const foreign = await op.client.request<Secret>('POST', secretPath(), {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'tf-cluster-ca', namespace },
        type: 'Opaque',
        data: { 'ca.crt': Buffer.from('someone else').toString('base64') },
      },
    });
    await createCluster('tf');
    const cond = await waitFor('CertificatesReady=False', async () => {
      const c = await condition('tf', 'CertificatesReady');
      return c?.status === 'False' ? c : undefined;
    });
    expect(cond).toMatchObject({ reason: 'SecretNotOwned' });
    expect(cond.message).toContain('tf-cluster-ca');
    const ready = await waitFor('Ready=False', () => condition('tf', 'Ready'));
    expect(ready).toMatchObject({ status: 'False', reason: 'SecretNotOwned' });
    await waitForEvent(op, 'tf', 'SecretNotOwned');
    const still = await secret('tf-cluster-ca');
    expect(still?.metadata?.resourceVersion).toBe(foreign.metadata?.resourceVersion);
    expect(still?.metadata?.ownerReferences).toBeUndefined();
    // Nothing else was written either: the CA it would sign with is not its own.
    expect(await secret('tf-kafka-certs')).toBeUndefined();
  });

  it('go with the cluster (garbage collection follows the owner references)', async () => {
    await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkaclusters', 'tc'));
    await waitFor(
      'the Secrets of tc gone',
      async () => {
        const left = await op.client.request<{ items: Secret[] }>('GET', secretPath(), {
          query: { labelSelector: 'kraftwerk.dev/cluster=tc' },
        });
        return left.items.length === 0;
      },
      { timeoutMs: 120_000 },
    );
    await op.client.request('DELETE', kraftwerkPath(namespace, 'kafkaclusters', 'tf'));
    await waitFor('tf gone', async () =>
      (await getResource(op.client, namespace, 'kafkaclusters', 'tf')) === undefined
        ? true
        : undefined,
    );
    // Not ours: it stays.
    expect(await secret('tf-cluster-ca')).toBeDefined();
  });
});
