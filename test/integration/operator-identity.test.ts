// The operator's own identity on a secured KafkaCluster (issue #14): every connection it makes
// to such a cluster goes to the REPLICATION listener over mTLS with the certificate in Secret
// <c>-operator-certs. Real Kafka 4.1.1 with a REPLICATION listener requiring client certificates
// of a CA made by operator/src/pki and StandardAuthorizer (super.users: the operator), the real
// kube-apiserver holding the KafkaCluster and the Secret, and the whole operator in-process with
// `clusterBootstrap` pointing at that listener (the test runs outside any cluster network).
//
// The KafkaCluster here stands in for one the operator runs: its pod is marked Ready by hand
// (no kubelet), and the one real Kafka node has node id 0, the id of that pod. The cluster
// reconciler reads the quorum through the operator's certificate, so its Ready=True is itself
// evidence of the mTLS path; the topics then take the same path.
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import type { KafkaTopic } from '../../operator/src/api/kafka-topic.ts';
import { KafkaRequestError } from '../../operator/src/kafka/errors.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import { securityDigest, type KafkaSecurity } from '../../operator/src/kafka/security.ts';
import { createOperator, type Operator } from '../../operator/src/operator.ts';
import { issueCa, issueLeaf, type IssuedCertificate } from '../../operator/src/pki/certificates.ts';
import {
  isNotFound,
  loadKubeConfig,
  type KubeClient,
} from '../../operator/src/runtime/kube-client.ts';
import { createLogger } from '../../operator/src/runtime/logger.ts';
import { SecureKafka } from '../fixtures/kafka-secure.ts';
import { createResource, getResource } from '../fixtures/operator.ts';
import { logRoot, waitFor } from '../fixtures/process.ts';

const VERSION = '4.1.1';
const ns = `operator-identity-${process.pid}`;
const CLUSTER = 'sec';
const SECRET = `${CLUSTER}-operator-certs`;

let kafka: SecureKafka;
let operator: Operator;
let client: KubeClient;
let ca: IssuedCertificate;
let operatorCert: IssuedCertificate;
let clusterUid: string;
const logFile = join(logRoot, `operator-${ns}.log`);

const now = () => new Date();
const clientCert = (commonName: string, signer: IssuedCertificate = ca) =>
  issueLeaf({
    ca: signer,
    commonName,
    dnsNames: [],
    ipAddresses: [],
    validityDays: 1,
    now: now(),
    usage: 'client',
  });
const tlsOf = (cert: IssuedCertificate): KafkaSecurity => ({
  tls: { ca: ca.certPem, cert: cert.certPem, key: cert.keyPem },
});

async function putSecret(cert: IssuedCertificate, caPem = ca.certPem): Promise<void> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const body = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: SECRET,
      namespace: ns,
      ownerReferences: [
        {
          apiVersion: 'kraftwerk.dev/v1alpha1',
          kind: 'KafkaCluster',
          name: CLUSTER,
          uid: clusterUid,
          controller: true,
        },
      ],
    },
    type: 'Opaque',
    data: { 'tls.crt': b64(cert.certPem), 'tls.key': b64(cert.keyPem), 'ca.crt': b64(caPem) },
  };
  await deleteSecret();
  await client.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body });
}

async function deleteSecret(): Promise<void> {
  await client.request('DELETE', `/api/v1/namespaces/${ns}/secrets/${SECRET}`).catch((e) => {
    if (!isNotFound(e)) throw e;
  });
}

/** Stands in for the kubelet: the pod runs and is ready. */
async function markPodReady(name: string): Promise<void> {
  const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        phase: 'Running',
        podIP: '10.1.0.1',
        startTime: t,
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: t },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: t },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
        ],
        containerStatuses: [
          {
            name: 'kafka',
            ready: true,
            started: true,
            restartCount: 0,
            image: `apache/kafka:${VERSION}`,
            imageID: '',
            state: { running: { startedAt: t } },
          },
        ],
      },
    },
  });
}

type Conditioned = {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
};
const readyOf = (o: Conditioned | undefined) =>
  o?.status?.conditions?.find((c) => c.type === 'Ready');

async function waitTopic(name: string, status: string, reason?: string): Promise<KafkaTopic> {
  return waitFor(
    `KafkaTopic ${name} Ready=${status}${reason ? ` ${reason}` : ''}`,
    async () => {
      const t = await getResource<KafkaTopic>(client, ns, 'kafkatopics', name);
      const r = readyOf(t);
      return r?.status === status && (!reason || r.reason === reason) ? t : undefined;
    },
    { timeoutMs: 90_000, process: kafka.process },
  );
}

async function waitCluster(status: string, reason?: string): Promise<KafkaCluster> {
  return waitFor(
    `KafkaCluster ${CLUSTER} Ready=${status}${reason ? ` ${reason}` : ''}`,
    async () => {
      const c = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', CLUSTER);
      const r = readyOf(c);
      return r?.status === status && (!reason || r.reason === reason) ? c : undefined;
    },
    { timeoutMs: 90_000, process: kafka.process },
  );
}

function topic(name: string): KafkaTopic {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name, namespace: ns },
    spec: { cluster: CLUSTER, partitions: 2, deletionPolicy: 'Delete' },
  } as KafkaTopic;
}

/** Topic names as Kafka lists them to an independent client (kafkajs) with this certificate. */
async function topicsSeenWith(cert: IssuedCertificate): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'operator-identity-test',
    brokers: [kafka.replication!],
    ssl: { ca: [ca.certPem], cert: cert.certPem, key: cert.keyPem },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  ca = await issueCa({ commonName: 'sec-cluster-ca', validityDays: 2, now: now() });
  const node = await issueLeaf({
    ca,
    commonName: `${CLUSTER}-kafka`,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    validityDays: 1,
    now: now(),
    usage: 'both',
  });
  operatorCert = await clientCert('kraftwerk-operator');
  kafka = await SecureKafka.start({
    version: VERSION,
    scram: [],
    plain: [],
    nodeId: 0,
    // The PLAINTEXT and CONTROLLER listeners (the broker itself) connect as User:ANONYMOUS.
    authorizer: { superUsers: ['User:ANONYMOUS', 'User:kraftwerk-operator'] },
    replication: {
      keystorePem: `${node.keyPem.trim()}\n${node.certPem.trim()}\n`,
      caPem: ca.certPem,
    },
  });
  await kafka.waitReady(() => topicsSeenWith(operatorCert));

  const kubeConfig = loadKubeConfig(inject('kubeconfig'));
  mkdirSync(logRoot, { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  operator = createOperator({
    kubeConfig,
    logger: createLogger({ level: 'debug', write: (line) => log.write(line + '\n') }),
    namespaces: [ns],
    resyncMs: 2_000,
    identity: `test-${ns}`,
    clusterBootstrap: () => kafka.replication!,
    // A renewal is seen within a second here (30 s by default).
    credentialsTtlMs: 1_000,
  });
  client = operator.client;
  await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
  await operator.start();
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await kafka?.stop();
});

describe('the operator identity on a secured cluster', () => {
  it('connects to the REPLICATION listener with its certificate: cluster Ready, topic created', async () => {
    const kc = await createResource<KafkaCluster>(client, 'kafkaclusters', {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaCluster',
      metadata: { name: CLUSTER, namespace: ns },
      spec: {
        version: VERSION,
        brokers: { replicas: 1, storage: { type: 'ephemeral' } },
        listeners: [{ name: 'internal', port: 9092, type: 'internal', tls: true }],
        config: { 'default.replication.factor': '1', 'min.insync.replicas': '1' },
      } as KafkaCluster['spec'],
    });
    clusterUid = kc.metadata.uid!;

    // No Secret yet: the operator does not dial the cluster and says why.
    const pending = await waitCluster('False', 'OperatorCertificatePending');
    expect(readyOf(pending)?.message).toContain(`Secret ${SECRET}`);

    await putSecret(operatorCert);
    const pod = await waitFor('the pod sec-kafka-0', async () =>
      client
        .request('GET', `/api/v1/namespaces/${ns}/pods/${CLUSTER}-kafka-0`)
        .catch(() => undefined),
    );
    expect(pod).toBeTruthy();
    await markPodReady(`${CLUSTER}-kafka-0`);
    const ready = await waitCluster('True');
    // The quorum leader came from Kafka, through the operator's certificate.
    expect(ready.status?.controllers?.leaderId).toBe(0);

    await createResource(client, 'kafkatopics', topic('orders'));
    const t = await waitTopic('orders', 'True');
    expect(t.status?.partitions).toBe(2);
    expect(await topicsSeenWith(operatorCert)).toContain('orders');
    // One connection set to the cluster, keyed by the REPLICATION address and this certificate.
    expect(operator.kafka.keys()).toEqual([
      `${kafka.replication}#${securityDigest(tlsOf(operatorCert))}`,
    ]);
  });

  it('is a super-user under StandardAuthorizer, where another certificate of the same CA is not', async () => {
    const intruder = new KafkaAdmin({
      bootstrap: kafka.replication!,
      security: tlsOf(await clientCert('intruder')),
    });
    try {
      const refused = await intruder
        .createTopic({ name: 'intruded', partitions: 1, replicationFactor: 1, config: {} })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(refused).toBeInstanceOf(KafkaRequestError);
      expect((refused as KafkaRequestError).code).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await intruder.close();
    }
    // The operator's topic went through the same listener and authorizer.
    expect(await topicsSeenWith(operatorCert)).toContain('orders');
  });

  it('without the Secret, a KafkaTopic waits as KafkaClusterSecuring and recovers when it is back', async () => {
    await deleteSecret();
    await createResource(client, 'kafkatopics', topic('while-pending'));
    const waiting = await waitTopic('while-pending', 'False', 'KafkaClusterSecuring');
    expect(readyOf(waiting)?.message).toContain(SECRET);
    expect(await topicsSeenWith(operatorCert)).not.toContain('while-pending');

    await putSecret(operatorCert);
    await waitTopic('while-pending', 'True');
    expect(await topicsSeenWith(operatorCert)).toContain('while-pending');
  });

  it('a replaced certificate is used for new connections, and the old ones are closed', async () => {
    // First a certificate of another CA, which the broker refuses: a topic made now cannot be
    // created, so the operator is really using what the Secret holds now.
    const rogueCa = await issueCa({
      commonName: 'not-the-cluster-ca',
      validityDays: 2,
      now: now(),
    });
    const rogue = await clientCert('kraftwerk-operator', rogueCa);
    await putSecret(rogue);
    await waitFor('the pool to switch to the replaced certificate', async () =>
      operator.kafka.keys().includes(`${kafka.replication}#${securityDigest(tlsOf(rogue))}`),
    );
    await createResource(client, 'kafkatopics', topic('after-renewal'));
    await waitFor('KafkaTopic after-renewal not Ready with the refused certificate', async () => {
      const r = readyOf(await getResource<KafkaTopic>(client, ns, 'kafkatopics', 'after-renewal'));
      return r !== undefined && r.status !== 'True';
    });
    expect(await topicsSeenWith(operatorCert)).not.toContain('after-renewal');

    // Then a renewed certificate of the cluster CA: the topic is created with it.
    const renewed = await clientCert('kraftwerk-operator');
    await putSecret(renewed);
    await waitTopic('after-renewal', 'True');
    expect(await topicsSeenWith(renewed)).toContain('after-renewal');
    const key = `${kafka.replication}#${securityDigest(tlsOf(renewed))}`;
    await waitFor('only the renewed certificate in the pool', async () => {
      const keys = operator.kafka.keys();
      return keys.length === 1 && keys[0] === key;
    });
  });

  it('never writes a private key to its log', () => {
    const log = readFileSync(logFile, 'utf8');
    expect(log.length).toBeGreaterThan(0);
    const keyLines = operatorCert.keyPem
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);
    for (const line of keyLines) expect(log).not.toContain(line);
  });
});
