// The operator's own identity on a secured KafkaCluster (issue #14), on the real certificate
// chain: the certificate step writes the cluster CA and the operator's certificate
// (<c>-operator-certs, CN kraftwerk-operator); every connection the operator makes to the
// cluster goes to the REPLICATION listener over mTLS with that certificate. Real Kafka 4.1.1
// stands in for the cluster's broker: its REPLICATION listener requires client certificates of
// the CA the operator wrote (read from <c>-cluster-ca, the node certificate issued here with
// operator/src/pki), with StandardAuthorizer and User:kraftwerk-operator a super user. The real
// kube-apiserver and kube-controller-manager hold the objects, and the whole operator runs
// in-process with `clusterBootstrap` pointing at that listener (the test runs outside any
// cluster network).
//
// No kubelet: a stand-in (test/fixtures/stand-in-kubelet.ts) marks the pod sec-kafka-0 Ready
// whenever the StatefulSet controller has (re)created it, and the one real Kafka node has node id 0, the id of that pod. The cluster
// reconciler reads the quorum through the operator's certificate, so its Ready=True is itself
// evidence of the mTLS path; the topics and a consumer group then take the same path.
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import type { KafkaConsumerGroup } from '../../operator/src/api/kafka-consumer-group.ts';
import type { KafkaTopic } from '../../operator/src/api/kafka-topic.ts';
import { KafkaRequestError } from '../../operator/src/kafka/errors.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import { securityDigest, type KafkaSecurity } from '../../operator/src/kafka/security.ts';
import { createOperator, type Operator } from '../../operator/src/operator.ts';
import { issueLeaf, type IssuedCertificate } from '../../operator/src/pki/certificates.ts';
import {
  isNotFound,
  loadKubeConfig,
  type KubeClient,
} from '../../operator/src/runtime/kube-client.ts';
import { createLogger } from '../../operator/src/runtime/logger.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { SecureKafka } from '../fixtures/kafka-secure.ts';
import { createResource, getResource, mergePatch, waitForEvent } from '../fixtures/operator.ts';
import { logRoot, waitFor } from '../fixtures/process.ts';
import { StandInKubelet } from '../fixtures/stand-in-kubelet.ts';

const VERSION = '4.1.1';
const ns = `operator-identity-${process.pid}`;
const CLUSTER = 'sec';
const POD = `${CLUSTER}-kafka-0`;
const OPERATOR_SECRET = `${CLUSTER}-operator-certs`;
const RENEW = 'kraftwerk.dev/renew-certificates';
// Where the operator is pointed until the test Kafka runs (it starts only once the operator has
// written the CA it must trust): the discard port, nothing listens there.
const NOT_YET = '127.0.0.1:9';

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

let kafka: SecureKafka | undefined;
let operator: Operator;
let client: KubeClient;
/** The cluster CA the operator wrote (certificate and key), read from sec-cluster-ca. */
let ca: IssuedCertificate;
/** The operator Secret's certificate and key as first issued (before the renewal). */
let firstOperatorKey = '';
let kubelet: StandInKubelet | undefined;
const logFile = join(logRoot, `operator-${ns}.log`);
const op = {
  get client() {
    return client;
  },
  namespace: ns,
  logFile,
};

const replication = (): string => kafka!.replication!;
const now = () => new Date();
const decoded = (s: Secret | undefined, key: string): string =>
  Buffer.from(s?.data?.[key] ?? '', 'base64').toString('utf8');
const secret = async (name: string): Promise<Secret | undefined> =>
  client.request<Secret>('GET', `/api/v1/namespaces/${ns}/secrets/${name}`).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
const clientCert = (commonName: string) =>
  issueLeaf({
    ca,
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
/** The pool key the operator uses with the certificate its Secret holds now (the security
 *  settings built as kafka-credentials.ts builds them). */
const poolKeyOf = (s: Secret | undefined): string =>
  `${replication()}#${securityDigest({
    tls: { ca: decoded(s, 'ca.crt'), cert: decoded(s, 'tls.crt'), key: decoded(s, 'tls.key') },
  })}`;
/** The operator's connection sets to the test Kafka (not those to NOT_YET from before it ran). */
const poolKeys = () => operator.kafka.keys().filter((k) => k.startsWith(`${replication()}#`));

type Conditioned = {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
};
const readyOf = (o: Conditioned | undefined) =>
  o?.status?.conditions?.find((c) => c.type === 'Ready');

async function waitTopic(name: string): Promise<KafkaTopic> {
  return waitFor(
    `KafkaTopic ${name} Ready=True`,
    async () => {
      const t = await getResource<KafkaTopic>(client, ns, 'kafkatopics', name);
      return readyOf(t)?.status === 'True' ? t : undefined;
    },
    { timeoutMs: 90_000, ...(kafka ? { process: kafka.process } : {}) },
  );
}

async function waitClusterReady(): Promise<KafkaCluster> {
  return waitFor(
    `KafkaCluster ${CLUSTER} Ready=True`,
    async () => {
      const c = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', CLUSTER);
      return readyOf(c)?.status === 'True' ? c : undefined;
    },
    { timeoutMs: 90_000, ...(kafka ? { process: kafka.process } : {}) },
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
    brokers: [replication()],
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
  const kubeConfig = loadKubeConfig(inject('kubeconfig'));
  mkdirSync(logRoot, { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  operator = createOperator({
    kubeConfig,
    logger: createLogger({ level: 'debug', write: (line) => log.write(line + '\n') }),
    namespaces: [ns],
    resyncMs: 2_000,
    identity: `test-${ns}`,
    clusterBootstrap: () => kafka?.replication ?? NOT_YET,
    // A renewal is seen within a second here (30 s by default).
    credentialsTtlMs: 1_000,
  });
  client = operator.client;
  await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
  await operator.start();
}, 60_000);

afterAll(async () => {
  try {
    await kubelet?.stop(); // throws the API error that stopped it early, if one did
  } finally {
    await operator?.stop();
    await kafka?.stop();
  }
});

describe('the operator identity on a secured cluster', () => {
  it('waits for its certificate, then connects to the REPLICATION listener with it: cluster Ready, topic created', async () => {
    await createResource<KafkaCluster>(client, 'kafkaclusters', {
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

    // The very first reconcile meets no Secret (the certificate step writes them later in that
    // same reconcile), so it sends nothing to Kafka and says why. The status may already have
    // moved on when the test looks, the Event stays.
    const pending = await waitForEvent(op, CLUSTER, 'OperatorCertificatePending');
    expect(pending.note).toContain(`Secret ${OPERATOR_SECRET}`);

    // The CA the operator made; the test Kafka gets a node certificate of it, as the
    // certificate step gives the broker pods theirs.
    const clusterCa = await waitFor(`Secret ${CLUSTER}-cluster-ca`, async () => {
      const s = await secret(`${CLUSTER}-cluster-ca`);
      return s?.data?.['ca.crt'] && s.data['ca.key'] ? s : undefined;
    });
    ca = { certPem: decoded(clusterCa, 'ca.crt'), keyPem: decoded(clusterCa, 'ca.key') };
    const node = await issueLeaf({
      ca,
      commonName: `${CLUSTER}-kafka`,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      validityDays: 1,
      now: now(),
      usage: 'both',
    });
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
    const testOperatorCert = await clientCert('kraftwerk-operator');
    await kafka.waitReady(() => topicsSeenWith(testOperatorCert));
    kubelet = new StandInKubelet(client, ns, [POD], { image: `apache/kafka:${VERSION}` }).start();

    const ready = await waitClusterReady();
    // The quorum leader came from Kafka, through the operator's certificate.
    expect(ready.status?.controllers?.leaderId).toBe(0);

    await createResource(client, 'kafkatopics', topic('orders'));
    const t = await waitTopic('orders');
    expect(t.status?.partitions).toBe(2);
    expect(await topicsSeenWith(testOperatorCert)).toContain('orders');
    // One connection set to the cluster, keyed by the REPLICATION address and the certificate
    // the certificate step wrote.
    const opSecret = await secret(OPERATOR_SECRET);
    firstOperatorKey = decoded(opSecret, 'tls.key');
    expect(poolKeys()).toEqual([poolKeyOf(opSecret)]);
  }, 240_000);

  it('is a super-user under StandardAuthorizer, where another certificate of the same CA is not', async () => {
    const intruder = new KafkaAdmin({
      bootstrap: replication(),
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
    expect(await topicsSeenWith(await clientCert('kraftwerk-operator'))).toContain('orders');
  });

  it('measures a KafkaConsumerGroup through its certificate and scales the Deployment', async () => {
    // The backlog is written by an independent client (kafkajs) with a certificate of the
    // cluster CA; the group reaches the cluster only through `cluster: sec`, so the lag the
    // status shows was read over the operator's mTLS connection.
    const producerCert = await clientCert('kraftwerk-operator');
    const kafkajs = new Kafka({
      clientId: 'operator-identity-producer',
      brokers: [replication()],
      ssl: { ca: [ca.certPem], cert: producerCert.certPem, key: producerCert.keyPem },
      logLevel: logLevel.NOTHING,
    });
    const producer = kafkajs.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < 4; i++) {
        await producer.send({
          topic: 'orders',
          messages: Array.from({ length: 100 }, (_, j) => ({ key: `k${i * 100 + j}`, value: 'x' })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    await client.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      body: {
        metadata: { name: 'order-readers', namespace: ns },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'order-readers' } },
          template: {
            metadata: { labels: { app: 'order-readers' } },
            spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
          },
        },
      },
    });
    await createResource<KafkaConsumerGroup>(client, 'kafkaconsumergroups', {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaConsumerGroup',
      metadata: { name: 'order-readers', namespace: ns },
      spec: {
        cluster: CLUSTER,
        groupId: 'order-readers',
        topics: ['orders'],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'order-readers' },
        minReplicas: 1,
        maxReplicas: 10,
        lagThreshold: 100,
        pollIntervalSeconds: 1,
        scaleUp: { dwellSeconds: 2, rebalanceSeconds: 1 },
        offsetResetPolicy: 'earliest',
      } as KafkaConsumerGroup['spec'],
    });
    // 400 messages at 100 per replica asks for 4; the topic's 2 partitions cap it at 2.
    const g = await waitFor(
      'the group Ready with 400 of lag and the Deployment at 2',
      async () => {
        const x = await getResource<KafkaConsumerGroup>(
          client,
          ns,
          'kafkaconsumergroups',
          'order-readers',
        );
        return readyOf(x)?.status === 'True' && x?.status?.lag?.total === 400 ? x : undefined;
      },
      { timeoutMs: 60_000, process: kafka!.process },
    );
    expect(g.status?.partitions).toBe(2);
    await waitFor('the Deployment scaled to 2', async () => {
      const scale = await client.request<{ spec: { replicas: number } }>(
        'GET',
        `/apis/apps/v1/namespaces/${ns}/deployments/order-readers/scale`,
      );
      return scale.spec.replicas === 2;
    });
    // Still one connection set to the cluster: the group shares the operator's.
    expect(poolKeys()).toEqual([poolKeyOf(await secret(OPERATOR_SECRET))]);
  }, 120_000);

  // Not here any more: a missing operator Secret making topics wait (KafkaClusterSecuring) and a
  // Secret replaced by hand. The certificate step owns that Secret and writes it back within one
  // reconcile, so neither state lasts long enough to be observed; the unit tests of
  // kafka-credentials.ts and kafka-target.ts cover them.

  it('renews its certificate on renew-certificates=leaves and switches its connections to it', async () => {
    const before = await secret(OPERATOR_SECRET);
    await mergePatch(client, ns, 'kafkaclusters', CLUSTER, {
      metadata: { annotations: { [RENEW]: 'leaves' } },
    });
    const after = await waitFor(
      'the annotation removed and a new operator certificate',
      async () => {
        const kc = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', CLUSTER);
        if (kc?.metadata.annotations?.[RENEW] !== undefined) return undefined;
        const s = await secret(OPERATOR_SECRET);
        return decoded(s, 'tls.crt') !== decoded(before, 'tls.crt') ? s : undefined;
      },
      { timeoutMs: 60_000, process: kafka!.process },
    );
    expect(decoded(after, 'tls.key')).not.toBe(decoded(before, 'tls.key'));

    // The pool switches to the renewed certificate and closes the set of the old one; a topic
    // made now can only be created through a connection with the renewed certificate.
    const key = poolKeyOf(after);
    await waitFor('only the renewed certificate in the pool', async () => {
      const keys = poolKeys();
      return keys.length === 1 && keys[0] === key;
    });
    await createResource(client, 'kafkatopics', topic('after-renewal'));
    await waitTopic('after-renewal');
    expect(await topicsSeenWith(await clientCert('kraftwerk-operator'))).toContain('after-renewal');
    expect(poolKeys()).toEqual([key]);
  }, 180_000);

  it('never writes a private key to its log', async () => {
    const log = readFileSync(logFile, 'utf8');
    expect(log.length).toBeGreaterThan(0);
    const keys = [
      firstOperatorKey,
      decoded(await secret(OPERATOR_SECRET), 'tls.key'),
      decoded(await secret(`${CLUSTER}-cluster-ca`), 'ca.key'),
      decoded(await secret(`${CLUSTER}-clients-ca`), 'ca.key'),
      decoded(await secret(`${CLUSTER}-kafka-certs`), 'tls.key'),
    ];
    const keyLines = keys.flatMap((k) =>
      k.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
    );
    // Every key is there to look for (an empty one would make this test pass vacuously).
    for (const k of keys) expect(k).toContain('PRIVATE KEY');
    expect(keyLines.length).toBeGreaterThanOrEqual(keys.length);
    for (const line of keyLines) expect(log).not.toContain(line);
  });
});
