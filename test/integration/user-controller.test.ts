// KafkaUser (issue #15) end to end in-process: the real kube-apiserver (and controller-manager:
// the user Secret goes by ownerReference), the whole operator, and real Kafka 4.1 and 3.9 with
// StandardAuthorizer (test/fixtures/kafka-secure.ts). One operator watches one namespace per
// Kafka version, each with its cluster `sec` and its own Kafka; the two versions run side by side
// (their steps in order). As in operator-identity.test.ts, the operator reaches the cluster's
// REPLICATION listener with its own certificate, and a stand-in kubelet
// (test/fixtures/stand-in-kubelet.ts) marks the one pod Ready. What the operator did in Kafka is
// checked with Kafka's own tools (kafka-acls.sh, kafka-configs.sh) over the PLAINTEXT listener
// (User:ANONYMOUS, a super user here), and whether a user can authenticate and produce with
// kafkajs over the fixture's SASL_SSL listener (SCRAM-SHA-512), using only the password from the
// user Secret.
//
// A tls user produces over the fixture's MTLS listener, which trusts the clients CA the operator
// made (principal = CN). user-client-config.test.ts proves the Secret's files with kcat,
// confluent-kafka and the Java tools.
//
// Quotas throttle: confluent_kafka (the toolchain venv) produces as a SCRAM user with a small
// producerByteRate and reads the throttle time Kafka reports in its produce responses (librdkafka
// statistics `brokers[*].throttle`, and its throttle events); without the quota, none.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import type { KafkaUser } from '../../operator/src/api/kafka-user.ts';
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
import {
  createResource,
  getResource,
  kraftwerkPath,
  mergePatch,
  waitForEvent,
} from '../fixtures/operator.ts';
import { logRoot, waitFor } from '../fixtures/process.ts';
import { StandInKubelet } from '../fixtures/stand-in-kubelet.ts';
import { confluentKafkaPython, kafkaHome, kafkaVersions } from '../fixtures/toolchain.ts';

const execFileP = promisify(execFile);
const CLUSTER = 'sec';
const POD = `${CLUSTER}-kafka-0`;
const NOT_YET = '127.0.0.1:9';
/** One namespace per Kafka version, each with its cluster `sec` and its own Kafka. */
const nsOf = (version: string) => `user-controller-${version.replaceAll('.', '-')}-${process.pid}`;

interface Secret extends KubeObject {
  data?: Record<string, string>;
}
type Conditioned = {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
};

let operator: Operator;
let client: KubeClient;
/** The test Kafka of each namespace, once started (the operator's bootstrap for its cluster). */
const kafkas = new Map<string, SecureKafka>();
const kubelets: StandInKubelet[] = [];
const logFile = join(logRoot, `operator-user-controller-${process.pid}.log`);

const decoded = (s: Secret | undefined, key: string): string =>
  Buffer.from(s?.data?.[key] ?? '', 'base64').toString('utf8');
const readyOf = (o: Conditioned | undefined) =>
  o?.status?.conditions?.find((c) => c.type === 'Ready');

beforeAll(async () => {
  const kubeConfig = loadKubeConfig(inject('kubeconfig'));
  mkdirSync(logRoot, { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  operator = createOperator({
    kubeConfig,
    logger: createLogger({ level: 'debug', write: (line) => log.write(line + '\n') }),
    namespaces: kafkaVersions.map(nsOf),
    // Drift (an ACL added outside) is found by the resync.
    resyncMs: 2_000,
    identity: `test-user-controller-${process.pid}`,
    clusterBootstrap: ({ namespace }) => kafkas.get(namespace)?.replication ?? NOT_YET,
  });
  client = operator.client;
  for (const ns of kafkaVersions.map(nsOf))
    await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
  await operator.start();
}, 60_000);

afterAll(async () => {
  const kubeletsStopped = await Promise.allSettled(kubelets.map((k) => k.stop()));
  await operator?.stop();
  await Promise.all([...kafkas.values()].map((k) => k.stop()));
  // An API error that stopped a stand-in kubelet early fails the file.
  for (const r of kubeletsStopped) if (r.status === 'rejected') throw r.reason;
});

// confluent_kafka produces `total` bytes in 16 KiB messages (acks=all) as a SCRAM user and prints
// what it saw as JSON: the throttle time Kafka put in its produce responses, as librdkafka's
// statistics window `brokers[*].throttle` (max and sum over all windows, ms) and as throttle
// events (throttle_cb), and the bytes per second it got (information only).
const throttleProbe = `
import json, sys, time
from confluent_kafka import Producer
bootstrap, ca, user, password, mechanism, topic, total = sys.argv[1:8]
total = int(total)
seen = {'max': 0, 'sum': 0, 'events': 0, 'stats': 0}
def stats(js):
    seen['stats'] += 1
    for b in json.loads(js).get('brokers', {}).values():
        t = b.get('throttle') or {}
        seen['max'] = max(seen['max'], t.get('max', 0))
        seen['sum'] += t.get('sum', 0)
def throttled(e):
    if e.throttle_time > 0:
        seen['events'] += 1
errors = []
p = Producer({
    'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_SSL', 'ssl.ca.location': ca,
    'sasl.mechanism': mechanism, 'sasl.username': user, 'sasl.password': password,
    'client.id': 'throttle-probe', 'acks': 'all', 'linger.ms': 5,
    'statistics.interval.ms': 100, 'stats_cb': stats, 'throttle_cb': throttled,
    'error_cb': lambda e: errors.append(str(e)),
})
size = 16384
failed = []
def done(err, msg):
    if err is not None:
        failed.append(str(err))
start = time.monotonic()
for i in range(total // size):
    p.produce(topic, b'x' * size, on_delivery=done)
    p.poll(0)
left = p.flush(120)
seconds = time.monotonic() - start
# One more statistics window after the last response.
end = time.monotonic() + 0.5
while time.monotonic() < end:
    p.poll(0.1)
print(json.dumps({'bytes': total, 'seconds': seconds, 'throttleMaxMs': seen['max'],
    'throttleSumMs': seen['sum'], 'throttleEvents': seen['events'], 'statsWindows': seen['stats'],
    'undelivered': left, 'failed': failed[:3], 'errors': errors[:3]}))
`;

interface ThrottleProbe {
  bytes: number;
  seconds: number;
  throttleMaxMs: number;
  throttleSumMs: number;
  throttleEvents: number;
  statsWindows: number;
  undelivered: number;
  failed: string[];
  errors: string[];
}

// The versions side by side (each version's steps in order: { concurrent: false }).
describe.concurrent.each(kafkaVersions)('Kafka %s', (version) => {
  describe('KafkaUser on a secured cluster with StandardAuthorizer', { concurrent: false }, () => {
    const ns = nsOf(version);
    const op = {
      get client() {
        return client;
      },
      namespace: ns,
      logFile,
    };
    const kafka = () => kafkas.get(ns);
    const secret = async (name: string): Promise<Secret | undefined> =>
      client
        .request<Secret>('GET', `/api/v1/namespaces/${ns}/secrets/${name}`)
        .catch((e: unknown) => {
          if (isNotFound(e)) return undefined;
          throw e;
        });
    const withKafka = () => {
      const k = kafka();
      return k ? { process: k.process } : {};
    };
    async function cli(tool: string, args: readonly string[]): Promise<string> {
      // The toolchain's Kafka has no kafka-acls.sh; it is this class of the tools jar (of the core
      // jar before Kafka 4).
      const aclCommand = version.startsWith('3.')
        ? 'kafka.admin.AclCommand'
        : 'org.apache.kafka.tools.AclCommand';
      const [bin, argv] =
        tool === 'kafka-acls.sh'
          ? ['kafka-run-class.sh', [aclCommand, ...args]]
          : [tool, [...args]];
      const { stdout } = await execFileP(join(kafkaHome(version), 'bin', bin), argv, {
        env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx128m' },
        timeout: 60_000,
      });
      return stdout;
    }

    /** The principal's ACLs as kafka-acls.sh lists them: `TOPIC:orders:LITERAL WRITE ALLOW *`. */
    async function aclsOf(principal: string): Promise<string[]> {
      const out = await cli('kafka-acls.sh', [
        '--bootstrap-server',
        kafka()!.plaintext,
        '--list',
        '--principal',
        principal,
      ]);
      const acls: string[] = [];
      let resource = '';
      for (const line of out.split('\n')) {
        const r = /ResourcePattern\(resourceType=(\w+), name=([^,]+), patternType=(\w+)\)/.exec(
          line,
        );
        if (r) resource = `${r[1]}:${r[2]}:${r[3]}`;
        const a = /\(principal=([^,]+), host=([^,]+), operation=(\w+), permissionType=(\w+)\)/.exec(
          line,
        );
        if (a && a[1] === principal) acls.push(`${resource} ${a[3]} ${a[4]} ${a[2]}`);
      }
      return acls.sort();
    }

    /** What kafka-configs.sh --describe --entity-type users says of the user (quota lines). */
    async function quotasOf(user: string): Promise<string> {
      return cli('kafka-configs.sh', [
        '--bootstrap-server',
        kafka()!.plaintext,
        '--describe',
        '--entity-type',
        'users',
        '--entity-name',
        user,
      ]);
    }

    /** Produces one message as a SCRAM user over SASL_SSL, or with a client certificate over the
     *  MTLS listener; the error's type when refused. */
    async function produceAs(
      user: string,
      password: string | { cert: string; key: string },
      topic: string,
    ): Promise<string> {
      const producer = new Kafka({
        clientId: 'user-controller-test',
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        ...(typeof password === 'string'
          ? {
              brokers: [kafka()!.saslSsl],
              ssl: { ca: [kafka()!.ca] },
              sasl: { mechanism: 'scram-sha-512', username: user, password },
            }
          : { brokers: [kafka()!.mtls!], ssl: { ca: [kafka()!.ca], ...password } }),
      }).producer({ allowAutoTopicCreation: false });
      try {
        await producer.connect();
        await producer.send({ topic, messages: [{ value: 'hello' }] });
        return 'ok';
      } catch (e) {
        // kafkajs wraps Kafka's error (with its `type`) in a KafkaJSNonRetriableError's cause.
        let err = e as { type?: string; name?: string; cause?: unknown } | undefined;
        while (err && !err.type && err.cause) err = err.cause as typeof err;
        return err?.type ?? err?.name ?? String(e);
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    }

    function user(name: string, spec: Partial<KafkaUser['spec']> = {}): KafkaUser {
      return {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaUser',
        metadata: { name, namespace: ns },
        spec: { cluster: CLUSTER, authentication: { type: 'scram-sha-512' }, ...spec },
      } as KafkaUser;
    }

    async function waitUser(name: string, reason = 'Ready'): Promise<KafkaUser> {
      return waitFor(
        `KafkaUser ${name} Ready reason ${reason}`,
        async () => {
          const u = await getResource<KafkaUser>(client, ns, 'kafkausers', name);
          const r = readyOf(u);
          return r?.reason === reason && u?.status?.observedGeneration === u?.metadata.generation
            ? u
            : undefined;
        },
        { timeoutMs: 90_000, ...withKafka() },
      );
    }

    const aliceAcls = {
      acls: [
        {
          resource: { type: 'topic', name: 'orders', patternType: 'literal' },
          operations: ['Write', 'Describe', 'Read'],
        },
        { resource: { type: 'group', name: 'app-', patternType: 'prefix' }, operations: ['Read'] },
      ],
    } as NonNullable<KafkaUser['spec']['authorization']>;

    it('a secured cluster with a SCRAM and an mTLS listener becomes Ready', async () => {
      await createResource<KafkaCluster>(client, 'kafkaclusters', {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaCluster',
        metadata: { name: CLUSTER, namespace: ns },
        spec: {
          version: version,
          brokers: { replicas: 1, storage: { type: 'ephemeral' } },
          listeners: [
            {
              name: 'internal',
              port: 9092,
              type: 'internal',
              tls: true,
              authentication: { type: 'scram-sha-512' },
            },
            {
              name: 'mtls',
              port: 9093,
              type: 'internal',
              tls: true,
              authentication: { type: 'tls' },
            },
          ],
          authorization: { type: 'simple' },
          config: { 'default.replication.factor': '1', 'min.insync.replicas': '1' },
        } as KafkaCluster['spec'],
      });
      const clusterCa = await waitFor(`Secret ${CLUSTER}-cluster-ca`, async () => {
        const s = await secret(`${CLUSTER}-cluster-ca`);
        return s?.data?.['ca.crt'] && s.data['ca.key'] ? s : undefined;
      });
      const clientsCa = await waitFor(`Secret ${CLUSTER}-clients-ca`, async () => {
        const s = await secret(`${CLUSTER}-clients-ca`);
        return s?.data?.['ca.crt'] ? s : undefined;
      });
      const ca: IssuedCertificate = {
        certPem: decoded(clusterCa, 'ca.crt'),
        keyPem: decoded(clusterCa, 'ca.key'),
      };
      const node = await issueLeaf({
        ca,
        commonName: `${CLUSTER}-kafka`,
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
        validityDays: 1,
        now: new Date(),
        usage: 'both',
      });
      const started = await SecureKafka.start({
        version: version,
        scram: [],
        plain: [],
        nodeId: 0,
        authorizer: { superUsers: ['User:ANONYMOUS', 'User:kraftwerk-operator'] },
        replication: {
          keystorePem: `${node.keyPem.trim()}\n${node.certPem.trim()}\n`,
          caPem: ca.certPem,
        },
        // As the cluster's mTLS listener: client certificates of the clients CA the operator made.
        mtls: { clientsCaPem: decoded(clientsCa, 'ca.crt') },
      });
      kafkas.set(ns, started);
      const admin = new Kafka({
        clientId: 'user-controller-test',
        brokers: [started.plaintext],
        logLevel: logLevel.NOTHING,
      }).admin();
      await started.waitReady(async () => {
        await admin.connect();
        await admin.listTopics();
      });
      await admin.createTopics({
        topics: [
          { topic: 'orders', numPartitions: 1, replicationFactor: 1 },
          { topic: 'payments', numPartitions: 1, replicationFactor: 1 },
          { topic: 'throttled', numPartitions: 1, replicationFactor: 1 },
        ],
      });
      await admin.disconnect();
      const kubelet = new StandInKubelet(client, ns, [POD], { image: `apache/kafka:${version}` });
      kubelets.push(kubelet.start());
      await waitFor(
        `KafkaCluster ${CLUSTER} Ready=True`,
        async () => {
          const c = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', CLUSTER);
          return readyOf(c)?.status === 'True' ? c : undefined;
        },
        { timeoutMs: 120_000, ...withKafka() },
      );
    }, 240_000);

    it('a SCRAM user: Ready, a Secret a client can use, ACLs and quotas exactly as declared', async () => {
      await createResource(
        client,
        'kafkausers',
        user('alice', {
          authorization: aliceAcls,
          quotas: { producerByteRate: 1048576, requestPercentage: 50 },
        }),
      );
      const u = await waitUser('alice');
      const cluster = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', CLUSTER);
      const internal = cluster?.status?.listeners?.find((l) => l.name === 'internal');
      expect(u.status).toMatchObject({
        username: 'alice',
        principal: 'User:alice',
        secret: 'alice',
        bootstrapServers: internal?.bootstrapServers,
      });

      const s = await secret('alice');
      expect(s?.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'KafkaUser',
        name: 'alice',
        uid: u.metadata.uid,
        controller: true,
      });
      expect(s?.metadata?.labels).toMatchObject({
        'kraftwerk.dev/cluster': CLUSTER,
        'kraftwerk.dev/user': 'alice',
        'app.kubernetes.io/managed-by': 'kraftwerk',
      });
      const password = decoded(s, 'password');
      expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(decoded(s, 'username')).toBe('alice');
      expect(decoded(s, 'sasl.mechanism')).toBe('SCRAM-SHA-512');
      expect(decoded(s, 'ca.crt')).toBe(
        decoded(await secret(`${CLUSTER}-cluster-ca-cert`), 'ca.crt'),
      );
      for (const k of ['client.properties', 'librdkafka.properties', 'bootstrap.servers']) {
        expect(decoded(s, k).length).toBeGreaterThan(0);
      }

      expect(await aclsOf('User:alice')).toEqual([
        'GROUP:app-:PREFIXED READ ALLOW *',
        'TOPIC:orders:LITERAL DESCRIBE ALLOW *',
        'TOPIC:orders:LITERAL READ ALLOW *',
        'TOPIC:orders:LITERAL WRITE ALLOW *',
      ]);
      const quotas = await quotasOf('alice');
      expect(quotas).toContain('producer_byte_rate=1048576.0');
      expect(quotas).toContain('request_percentage=50.0');

      // The password from the Secret works, and only where the ACLs allow.
      expect(await produceAs('alice', password, 'orders')).toBe('ok');
      expect(await produceAs('alice', password, 'payments')).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await produceAs('alice', 'wrong-password', 'orders')).toMatch(/SASL|Authentication/i);
    }, 120_000);

    it('removes an ACL added outside on resync, with a Warning Event', async () => {
      await cli('kafka-acls.sh', [
        '--bootstrap-server',
        kafka()!.plaintext,
        '--add',
        '--allow-principal',
        'User:alice',
        '--operation',
        'Write',
        '--topic',
        'payments',
      ]);
      const e = await waitForEvent(op, 'alice', 'AclsRemoved', { timeoutMs: 60_000 });
      expect(e.note).toContain('added outside');
      expect(e.note).toContain('TOPIC:payments');
      expect(await aclsOf('User:alice')).not.toContain('TOPIC:payments:LITERAL WRITE ALLOW *');
      expect(await aclsOf('User:alice')).toHaveLength(4);
    }, 120_000);

    it('follows the spec: a removed entry is removed in Kafka, quotas changed and removed', async () => {
      await mergePatch(client, ns, 'kafkausers', 'alice', {
        spec: {
          authorization: {
            acls: [
              {
                resource: { type: 'topic', name: 'orders', patternType: 'literal' },
                operations: ['Write', 'Describe'],
              },
            ],
          },
          quotas: { producerByteRate: null, requestPercentage: null, consumerByteRate: 2048 },
        },
      });
      await waitUser('alice');
      expect(await aclsOf('User:alice')).toEqual([
        'TOPIC:orders:LITERAL DESCRIBE ALLOW *',
        'TOPIC:orders:LITERAL WRITE ALLOW *',
      ]);
      const quotas = await quotasOf('alice');
      expect(quotas).toContain('consumer_byte_rate=2048.0');
      expect(quotas).not.toContain('producer_byte_rate');
      expect(quotas).not.toContain('request_percentage');
    }, 120_000);

    it('a producer quota throttles a producer: Kafka reports throttle time with it, none without', async () => {
      const QUOTA = 65536; // bytes/s
      const TOTAL = 1048576; // 16× the quota
      await createResource(
        client,
        'kafkausers',
        user('quinn', {
          authorization: {
            acls: [
              {
                resource: { type: 'topic', name: 'throttled', patternType: 'literal' },
                operations: ['Write', 'Describe'],
              },
            ],
          } as NonNullable<KafkaUser['spec']['authorization']>,
          quotas: { producerByteRate: QUOTA },
        }),
      );
      await waitUser('quinn');
      expect(await quotasOf('quinn')).toContain(`producer_byte_rate=${QUOTA}.0`);
      // Only the Secret's user name, password and mechanism; the address and CA are the test
      // Kafka's SASL_SSL listener (the Secret names the cluster's in-cluster listener).
      const s = await secret('quinn');
      const caFile = join(kafka()!.dir, 'throttle-probe-ca.crt');
      writeFileSync(caFile, kafka()!.ca);
      const probe = async (): Promise<ThrottleProbe> => {
        const { stdout } = await execFileP(
          confluentKafkaPython(),
          [
            '-c',
            throttleProbe,
            kafka()!.saslSsl,
            caFile,
            decoded(s, 'username'),
            decoded(s, 'password'),
            decoded(s, 'sasl.mechanism'),
            'throttled',
            String(TOTAL),
          ],
          { timeout: 150_000 },
        );
        const r = JSON.parse(stdout) as ThrottleProbe;
        expect(r, stdout).toMatchObject({ undelivered: 0, failed: [] });
        return r;
      };
      const rate = (r: ThrottleProbe) => `${Math.round(r.bytes / r.seconds / 1024)} KiB/s`;

      const limited = await probe();
      console.info(
        `[${version}] producerByteRate ${QUOTA}: ${rate(limited)}, Kafka's throttle max ${limited.throttleMaxMs} ms, sum ${limited.throttleSumMs} ms, ${limited.throttleEvents} throttle events`,
      );
      expect(limited.throttleMaxMs).toBeGreaterThan(0);
      expect(limited.throttleEvents).toBeGreaterThan(0);

      // The quota removed from the spec, the operator says it is applied, Kafka agrees.
      await mergePatch(client, ns, 'kafkausers', 'quinn', { spec: { quotas: null } });
      await waitUser('quinn');
      expect(await quotasOf('quinn')).not.toContain('producer_byte_rate');
      const free = await probe();
      console.info(
        `[${version}] no quota: ${rate(free)}, Kafka's throttle max ${free.throttleMaxMs} ms, sum ${free.throttleSumMs} ms, ${free.throttleEvents} throttle events`,
      );
      expect(free.statsWindows).toBeGreaterThan(0);
      expect(free.throttleMaxMs).toBe(0);
      expect(free.throttleSumMs).toBe(0);
      expect(free.throttleEvents).toBe(0);
    }, 240_000);

    it('a tls user: a client certificate CN=<user> from the clients CA, no SCRAM credential', async () => {
      await createResource(
        client,
        'kafkausers',
        user('bob', {
          authentication: { type: 'tls' },
          authorization: {
            acls: [
              {
                resource: { type: 'topic', name: 'orders', patternType: 'literal' },
                operations: ['Write'],
              },
            ],
          } as NonNullable<KafkaUser['spec']['authorization']>,
        }),
      );
      const u = await waitUser('bob');
      const s = await secret('bob');
      const cert = new X509Certificate(decoded(s, 'user.crt'));
      const clientsCa = new X509Certificate(
        decoded(await secret(`${CLUSTER}-clients-ca`), 'ca.crt'),
      );
      expect(cert.subject).toContain('CN=bob');
      expect(cert.verify(clientsCa.publicKey)).toBe(true);
      expect(decoded(s, 'user.key')).toContain('PRIVATE KEY');
      expect(decoded(s, 'password')).toBe('');
      expect(u.status?.certificateNotAfter).toBe(cert.validToDate.toISOString());
      const cluster = await getResource<KafkaCluster>(client, ns, 'kafkaclusters', CLUSTER);
      expect(u.status?.bootstrapServers).toBe(
        cluster?.status?.listeners?.find((l) => l.name === 'mtls')?.bootstrapServers,
      );
      expect(await aclsOf('User:bob')).toEqual(['TOPIC:orders:LITERAL WRITE ALLOW *']);
      // The certificate from the Secret works, and only where the ACLs allow.
      const tls = { cert: decoded(s, 'user.crt'), key: decoded(s, 'user.key') };
      expect(await produceAs('bob', tls, 'orders')).toBe('ok');
      expect(await produceAs('bob', tls, 'payments')).toBe('TOPIC_AUTHORIZATION_FAILED');
      // A certificate user has no password in Kafka.
      expect(await produceAs('bob', 'anything', 'orders')).toMatch(/SASL|Authentication/i);

      // A deleted user Secret is written again at once (the operator watches its Secrets), with
      // a new certificate that works too.
      await client.request('DELETE', `/api/v1/namespaces/${ns}/secrets/bob`);
      const again = await waitFor('Secret bob written again', async () => {
        const n = await secret('bob');
        return n && n.metadata?.uid !== s?.metadata?.uid && n.data?.['user.crt'] ? n : undefined;
      });
      const renewed = { cert: decoded(again, 'user.crt'), key: decoded(again, 'user.key') };
      expect(renewed.cert).not.toBe(tls.cert);
      expect(await produceAs('bob', renewed, 'orders')).toBe('ok');
    }, 120_000);

    it('a referenced password: PasswordSecretNotFound until the Secret exists, then used; a change rotates it', async () => {
      await createResource(
        client,
        'kafkausers',
        user('carol', {
          authentication: {
            type: 'scram-sha-512',
            password: { secretKeyRef: { name: 'carol-password', key: 'pw' } },
          },
        }),
      );
      const u = await waitUser('carol', 'PasswordSecretNotFound');
      expect(readyOf(u)?.message).toContain('carol-password');
      await waitForEvent(op, 'carol', 'PasswordSecretNotFound');

      const put = (pw: string) =>
        client.request('PUT', `/api/v1/namespaces/${ns}/secrets/carol-password`, {
          body: { metadata: { name: 'carol-password', namespace: ns }, stringData: { pw } },
        });
      await client.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
        body: {
          metadata: { name: 'carol-password', namespace: ns },
          stringData: { pw: 'first-Pass-1' },
        },
      });
      await waitUser('carol');
      expect(decoded(await secret('carol'), 'password')).toBe('first-Pass-1');
      expect(await produceAs('carol', 'first-Pass-1', 'orders')).toBe('TOPIC_AUTHORIZATION_FAILED');

      await put('second-Pass-2');
      await waitForEvent(op, 'carol', 'PasswordRotated', { timeoutMs: 60_000 });
      await waitFor('the user Secret holds the new password', async () =>
        decoded(await secret('carol'), 'password') === 'second-Pass-2' ? true : undefined,
      );
      // Authenticated (refused by the authorizer, not by SASL) with the new one only.
      expect(await produceAs('carol', 'second-Pass-2', 'orders')).toBe(
        'TOPIC_AUTHORIZATION_FAILED',
      );
      expect(await produceAs('carol', 'first-Pass-1', 'orders')).toMatch(/SASL|Authentication/i);
    }, 120_000);

    it('bad input ends in a condition and an Event, and nothing is applied', async () => {
      // A Secret of the user's name that somebody else made is never overwritten.
      await client.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
        body: { metadata: { name: 'frank', namespace: ns }, stringData: { mine: 'yes' } },
      });
      await createResource(client, 'kafkausers', user('frank'));
      await waitUser('frank', 'SecretNotOwned');
      await waitForEvent(op, 'frank', 'SecretNotOwned');
      expect(decoded(await secret('frank'), 'mine')).toBe('yes');
      expect(await produceAs('frank', 'x', 'orders')).toMatch(/SASL|Authentication/i);

      // Another KafkaUser claiming alice's name: the older one keeps it.
      await createResource(client, 'kafkausers', user('alice-twin', { username: 'alice' }));
      const twin = await waitUser('alice-twin', 'UsernameConflict');
      expect(readyOf(twin)?.message).toContain('KafkaUser alice');
      await waitForEvent(op, 'alice-twin', 'UsernameConflict');

      // A cluster without authorization and without an mTLS listener (never Ready here: what a
      // person must fix is said at once).
      await createResource<KafkaCluster>(client, 'kafkaclusters', {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaCluster',
        metadata: { name: 'open', namespace: ns },
        spec: {
          version: version,
          brokers: { replicas: 1, storage: { type: 'ephemeral' } },
          listeners: [
            {
              name: 'internal',
              port: 9092,
              type: 'internal',
              tls: true,
              authentication: { type: 'scram-sha-512' },
            },
          ],
        } as KafkaCluster['spec'],
      });
      await createResource(client, 'kafkausers', {
        ...user('dave', { cluster: 'open', authorization: aliceAcls }),
      });
      const dave = await waitUser('dave', 'AuthorizationDisabled');
      expect(readyOf(dave)?.message).toContain('authorization: {type: simple}');
      await waitForEvent(op, 'dave', 'AuthorizationDisabled');
      await createResource(
        client,
        'kafkausers',
        user('erin', { cluster: 'open', authentication: { type: 'tls' } }),
      );
      const erin = await waitUser('erin', 'NoMatchingListener');
      expect(readyOf(erin)?.message).toContain('authentication type tls');
      await waitForEvent(op, 'erin', 'NoMatchingListener');
      expect(await aclsOf('User:dave')).toEqual([]);
    }, 120_000);

    it("deleting the loser of a user name conflict leaves the holder's credentials alone", async () => {
      await client.request('DELETE', kraftwerkPath(ns, 'kafkausers', 'alice-twin'));
      await waitFor('alice-twin gone', async () =>
        (await getResource(client, ns, 'kafkausers', 'alice-twin')) ? undefined : true,
      );
      const password = decoded(await secret('alice'), 'password');
      expect(await produceAs('alice', password, 'orders')).toBe('ok');
      expect(await aclsOf('User:alice')).toHaveLength(2);
    }, 60_000);

    it('deleting a KafkaUser removes its credentials, ACLs and quotas, and nothing else', async () => {
      const password = decoded(await secret('alice'), 'password');
      await client.request('DELETE', kraftwerkPath(ns, 'kafkausers', 'alice'));
      await waitFor(
        'alice gone',
        async () => ((await getResource(client, ns, 'kafkausers', 'alice')) ? undefined : true),
        { timeoutMs: 60_000, ...withKafka() },
      );
      expect(await aclsOf('User:alice')).toEqual([]);
      expect(await quotasOf('alice')).not.toMatch(/byte_rate|request_percentage/);
      expect(await produceAs('alice', password, 'orders')).toMatch(/SASL|Authentication/i);
      // bob's are still there.
      expect(await aclsOf('User:bob')).toEqual(['TOPIC:orders:LITERAL WRITE ALLOW *']);
      // The Secret goes with its owner (the garbage collector).
      await waitFor('Secret alice gone', async () => ((await secret('alice')) ? undefined : true), {
        timeoutMs: 60_000,
      });
    }, 120_000);

    it('never writes a private key or a password to its log', async () => {
      const log = readFileSync(logFile, 'utf8');
      expect(log.length).toBeGreaterThan(0);
      const key = decoded(await secret('bob'), 'user.key');
      const lines = key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(log).not.toContain(line);
      expect(log).not.toContain('second-Pass-2');
    });
  });
});
