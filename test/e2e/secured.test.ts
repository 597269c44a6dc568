// Scenario 10 (issue #14): a secured cluster, reached from the host by clients that are not ours.
// Its own KafkaCluster in its own namespace — 3 combined nodes (a quorum of 3 and 3 brokers in
// 3 pods: the least a roll under load needs beside the suite's 6 pods on 2 cores) with no
// plaintext listener at all: an internal TLS + SCRAM listener (9092) and two nodeport
// listeners advertised as localhost:
//   scram  TLS + SCRAM-SHA-512   localhost:30096-30098
//   mtls   TLS + client certs    localhost:30099-30101
// (kind-config.yaml maps these; the demo's secured listener uses 30096-30098 too, and
// hack/e2e/up.sh removes a running demo first.)
//
// Authorization is on (StandardAuthorizer), and every client is a KafkaUser (#15): alice
// (SCRAM, her password from a Secret of her own) may do anything with topics named secured-*;
// e2e-client (a client certificate the operator issues) may write and read secured-orders only;
// order-reader (SCRAM, generated password) may read secured-work as group secured-readers and
// runs as a Deployment of Kafka's console consumer configured by nothing but its KafkaUser
// Secret's client.properties, scaled by a KafkaConsumerGroup on lag.
//
// Clients: confluent_kafka 2.12 from the toolchain's venv for SCRAM (Debian's librdkafka 2.0.2
// cannot do SCRAM against Kafka 4; docs/environment.md), the system kcat with the KafkaUser
// Secret's librdkafka.properties for mTLS, and Kafka's console consumer in pods. Then a CA key
// replacement (which re-issues every node certificate too) rolls the cluster under an
// idempotent acks=all SCRAM producer: nothing acknowledged is lost, never two pods down at
// once. On a failure the pods, Events, the KafkaCluster's status and the
// logs of Kafka and the operator are printed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logRoot } from '../fixtures/process.ts';
import { confluentKafkaPython } from '../fixtures/toolchain.ts';
import {
  e2e,
  get,
  ignoreNotFound,
  kube,
  kubectl,
  PodWatch,
  podReady,
  RoleWatch,
  seconds,
  SteadyProducer,
  waitFor,
  type Pod,
  type Resource,
} from './lib.ts';

const namespace = 'kraftwerk-e2e-secured';
const name = 'secured';
const scramPorts = [30096, 30097, 30098];
const mtlsPorts = [30099, 30100, 30101];
const scramBootstrap = `localhost:${scramPorts[0]}`;
const mtlsBootstrap = `localhost:${mtlsPorts[0]}`;
const user = { name: 'alice', password: `alice-${Date.now().toString(36)}` };
const dir = join(logRoot, 'e2e-secured');
/** Where the mTLS user's Secret is written, as a user would (kubectl get secret … | base64 -d). */
const clientDir = join(dir, 'e2e-client');

const api = `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}`;
const core = `/api/v1/namespaces/${namespace}`;
const clusterPath = `${api}/kafkaclusters/${name}`;
const podNames = [0, 1, 2].map((i) => `${name}-kafka-${i}`);
const statefulSet = `${name}-kafka`;

const cluster = {
  apiVersion: 'kraftwerk.dev/v1alpha1',
  kind: 'KafkaCluster',
  metadata: { name },
  spec: {
    version: e2e.kafkaImage.split(':')[1],
    brokers: {
      replicas: 3,
      storage: { type: 'persistent-claim', size: '1Gi', deleteClaim: true },
      resources: { requests: { cpu: '100m', memory: '640Mi' } },
      jvm: { heap: '320m' },
    },
    listeners: [
      // Admission wants one internal listener; in-cluster clients get TLS + SCRAM too.
      {
        name: 'internal',
        port: 9092,
        type: 'internal',
        tls: true,
        authentication: { type: 'scram-sha-512' },
      },
      {
        name: 'scram',
        port: 9095,
        type: 'nodeport',
        nodePortBase: scramPorts[0],
        advertisedHost: 'localhost',
        tls: true,
        authentication: { type: 'scram-sha-512' },
      },
      {
        name: 'mtls',
        port: 9096,
        type: 'nodeport',
        nodePortBase: mtlsPorts[0],
        advertisedHost: 'localhost',
        tls: true,
        authentication: { type: 'tls' },
      },
    ],
    authorization: { type: 'simple' },
    config: {
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
      'auto.create.topics.enable': 'false',
    },
    template: { podDisruptionBudget: { maxUnavailable: 1 } },
  },
};

const users = {
  alice: {
    cluster: name,
    authentication: {
      type: 'scram-sha-512',
      password: { secretKeyRef: { name: 'alice-password', key: 'password' } },
    },
    authorization: {
      acls: [
        {
          resource: { type: 'topic', name: 'secured-', patternType: 'prefix' },
          operations: ['All'],
        },
        { resource: { type: 'group', name: 'e2e-', patternType: 'prefix' }, operations: ['Read'] },
      ],
    },
  },
  'e2e-client': {
    cluster: name,
    authentication: { type: 'tls' },
    authorization: {
      acls: [
        {
          resource: { type: 'topic', name: 'secured-orders' },
          operations: ['Read', 'Write', 'Describe'],
        },
        { resource: { type: 'group', name: 'kcat', patternType: 'prefix' }, operations: ['Read'] },
      ],
    },
  },
  'order-reader': {
    cluster: name,
    authentication: { type: 'scram-sha-512' },
    authorization: {
      acls: [
        { resource: { type: 'topic', name: 'secured-work' }, operations: ['Read', 'Describe'] },
        { resource: { type: 'group', name: 'secured-readers' }, operations: ['Read'] },
      ],
    },
  },
};

async function apply(path: string, obj: object): Promise<void> {
  await kube.request('PATCH', `${path}?fieldManager=kraftwerk-e2e&force=true`, {
    body: obj,
    contentType: 'application/apply-patch+yaml',
  });
}

interface ListenerStatus {
  name: string;
  bootstrapServers: string;
  securityProtocol?: string;
  saslMechanism?: string;
  caSecret?: string;
}
type Cluster = Resource & { status?: { listeners?: ListenerStatus[] } };

function readyFor(c: Resource): boolean {
  const ready = c.status?.conditions?.find((x) => x.type === 'Ready');
  return c.status?.observedGeneration === c.metadata.generation && ready?.status === 'True';
}

async function waitClusterReady(timeoutMs: number): Promise<Cluster> {
  let last: Cluster | undefined;
  return waitFor(
    `KafkaCluster ${namespace}/${name} Ready`,
    async () => ((last = await get<Cluster>(clusterPath)), readyFor(last) ? last : undefined),
    { timeoutMs, intervalMs: 1000 },
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}; status: ${JSON.stringify(last?.status)}`, { cause: e });
  });
}

interface Secret {
  data?: Record<string, string>;
}
async function secretFile(secret: string, key: string): Promise<string> {
  const s = await get<Secret>(`${core}/secrets/${secret}`);
  const b64 = s.data?.[key];
  if (!b64) throw new Error(`Secret ${secret} has no ${key}`);
  return Buffer.from(b64, 'base64').toString('utf8');
}
const pemCount = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
const firstPem = (pem: string) =>
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? '';

function file(nameInDir: string, content: string): string {
  const path = join(dir, nameInDir);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

// ---- clients that are not ours ----------------------------------------------------------

/** kcat (Debian's, librdkafka 2.0.2: fine for TLS and mTLS) against one of our listeners. */
function kcatAt(
  bootstrap: string,
  settings: Record<string, string>,
  args: string[],
  input = '',
): Promise<{ code: number | null; out: string; err: string }> {
  const x = Object.entries(settings).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  return run('kcat', ['-b', bootstrap, ...x, ...args], input);
}

function run(
  command: string,
  args: string[],
  input = '',
  cwd?: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'pipe', ...(cwd ? { cwd } : {}) });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(input);
  });
}

// confluent_kafka from the venv: `produce N PREFIX` prints each acknowledged value; `consume`
// prints every value from the beginning to the end offsets taken at its start; `probe` asks for
// metadata and prints the broker count, or exits 3 with the errors librdkafka reported. The
// librdkafka settings (password included) come from KAFKA_CONFIG, not argv.
const pyClient = `
import json, os, sys, uuid
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
conf = json.loads(os.environ['KAFKA_CONFIG'])
mode = sys.argv[1]
errors = []
conf['error_cb'] = lambda e: errors.append('%s: %s' % (e.name(), e.str()))
if mode == 'probe':
    try:
        md = Producer(conf).list_topics(timeout=20)
        print('brokers %d' % len(md.brokers))
    except KafkaException as e:
        sys.stderr.write('\\n'.join(errors + [str(e)]) + '\\n')
        sys.exit(3)
elif mode == 'produce':
    topic, n, prefix = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    p = Producer({**conf, 'acks': 'all', 'enable.idempotence': True})
    def done(err, msg):
        if err is None:
            print(msg.value().decode())
        else:
            errors.append(str(err))
    for i in range(n):
        # Keyed: a burst spreads over the partitions (unkeyed, the sticky partitioner puts it
        # in one).
        p.produce(topic, ('%s-%d' % (prefix, i)).encode(), key=str(i).encode(), on_delivery=done)
    if p.flush(120) or errors:
        sys.stderr.write('\\n'.join(errors) + '\\n')
        sys.exit(1)
elif mode == 'consume':
    topic = sys.argv[2]
    c = Consumer({**conf, 'group.id': 'e2e-' + uuid.uuid4().hex, 'enable.auto.commit': False})
    parts = c.list_topics(topic, timeout=30).topics[topic].partitions
    end = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in parts}
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    pos = {p: 0 for p in parts}
    while any(pos[p] < end[p] for p in parts):
        m = c.poll(30)
        if m is None:
            sys.exit('no message for 30 s; at %s of %s' % (pos, end))
        if m.error():
            raise KafkaException(m.error())
        pos[m.partition()] = m.offset() + 1
        print(m.value().decode())
    c.close()
`;

function py(
  args: string[],
  config: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(confluentKafkaPython(), ['-c', pyClient, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KAFKA_CONFIG: JSON.stringify(config) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
const lines = (s: string) => s.split('\n').filter(Boolean);

// Set in beforeAll / the first test.
let caFile = '';
const scram = (password = user.password, ca = caFile) => ({
  'bootstrap.servers': scramBootstrap,
  'security.protocol': 'SASL_SSL',
  'sasl.mechanism': 'SCRAM-SHA-512',
  'sasl.username': user.name,
  'sasl.password': password,
  'ssl.ca.location': ca,
});

/** kcat configured by the mTLS user's Secret alone: `-F librdkafka.properties`, run from the
 *  directory the Secret was written to (its file paths are relative to it). */
function kcatAsClient(
  args: string[],
  input = '',
): Promise<{ code: number | null; out: string; err: string }> {
  return run('kcat', ['-F', 'librdkafka.properties', ...args], input, clientDir);
}

async function topic(topicName: string): Promise<void> {
  const path = `${api}/kafkatopics/${topicName}`;
  await apply(path, {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name: topicName },
    spec: {
      cluster: name,
      partitions: 3,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    },
  });
  await waitFor(`KafkaTopic ${topicName} Ready`, async () => readyFor(await get(path)), {
    timeoutMs: 180_000,
    intervalMs: 1000,
  }).catch(async (e: unknown) => {
    throw new Error(`${String(e)}; last seen: ${JSON.stringify((await get(path)).status)}`, {
      cause: e,
    });
  });
}

// ---- the cluster's pods during a roll ----------------------------------------------------

const listPods = async () =>
  (
    await get<{ items: Pod[] }>(
      `${core}/pods?labelSelector=${encodeURIComponent(`kraftwerk.dev/cluster=${name}`)}`,
    )
  ).items;

/** The pod template's certificates hash every pod should run with (the StatefulSet's). */
async function certificatesHash(): Promise<string | undefined> {
  const sts = await get<{
    spec: { template: { metadata?: { annotations?: Record<string, string> } } };
  }>(`/apis/apps/v1/namespaces/${namespace}/statefulsets/${statefulSet}`);
  return sts.spec.template.metadata?.annotations?.['kraftwerk.dev/certificates-hash'];
}

/** Every pod Ready on the StatefulSet's current certificates hash, the cluster Ready. */
async function settled(): Promise<boolean> {
  const want = await certificatesHash();
  const pods = await listPods();
  if (pods.length !== podNames.length || !pods.every(podReady)) return false;
  if (!pods.every((p) => p.metadata.annotations?.['kraftwerk.dev/certificates-hash'] === want))
    return false;
  return readyFor(await get(clusterPath));
}

/**
 * settled() on every poll for `ms`: between the operator's write of a Secret and its apply of
 * the StatefulSet that rolls for it, the old pods still match the old template, and one look
 * would take that moment for the end (the CA replacement has three such steps).
 */
async function settledFor(ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await settled())) return false;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return settled();
}

interface Renewal {
  watch: RoleWatch;
  /** Failed list/watch requests of the pod watch (0: every change was seen). */
  watchErrors: number;
  acked: string[];
  lost: string[];
  ms: number;
}

/**
 * Annotates the cluster with kraftwerk.dev/renew-certificates=`kind` while an idempotent
 * acks=all SCRAM producer writes, and waits until `done()` and every pod is Ready on the new
 * certificates. `onTrustChange` may swap the producer (a client that reloads its trust
 * bundle when the CA Secret changes).
 */
async function renewUnderLoad(
  kind: 'leaves' | 'ca',
  topicName: string,
  done: () => Promise<boolean>,
  onTrustChange?: (swap: (ca: string) => Promise<void>) => Promise<void>,
): Promise<Renewal> {
  await topic(topicName);
  const watch = new RoleWatch('combined', () => podNames);
  const pods = await new PodWatch([watch], {
    namespace,
    selector: `kraftwerk.dev/cluster=${name}`,
  }).start();
  const producers: SteadyProducer[] = [];
  const start = (ca: string) => {
    const p = new SteadyProducer(topicName, 100, {
      bootstrap: scramBootstrap,
      config: scram(user.password, ca),
      python: confluentKafkaPython(),
    });
    producers.push(p);
    return p;
  };
  try {
    const acked: string[] = [];
    let trust = caFile;
    let current = start(trust);
    await waitFor(
      'the producer has 200 messages acknowledged',
      async () => current.acked() >= 200,
      {
        timeoutMs: 120_000,
      },
    );
    const started = Date.now();
    let watchErrors = 0;
    await kube.request('PATCH', clusterPath, {
      body: { metadata: { annotations: { 'kraftwerk.dev/renew-certificates': kind } } },
      contentType: 'application/merge-patch+json',
    });
    await onTrustChange?.(async (ca) => {
      trust = ca;
      const next = start(ca);
      await waitFor('the new producer writes', async () => next.acked() >= 50, {
        timeoutMs: 120_000,
      });
      const stopped = await current.stop();
      acked.push(...stopped.acked);
      console.log(`producer swapped to the new trust bundle; the old one: ${stopped.summary}`);
      current = next;
    });
    try {
      await waitFor(
        `renew-certificates=${kind} done, every pod Ready on the new certificates`,
        // Each pod restarted at least once, too: right after the annotation nothing has
        // changed yet, and the old pods match the old template.
        async () =>
          podNames.every((p) => (watch.uids.get(p)?.size ?? 0) >= 2) &&
          (await done()) &&
          (await settledFor(20_000)),
        { timeoutMs: 20 * 60_000, intervalMs: 2000 },
      );
    } finally {
      watchErrors = pods.errors;
      await pods.stop();
    }
    const ms = Date.now() - started;
    const last = await current.stop();
    acked.push(...last.acked);
    const consumed = await py(['consume', topicName], scram(user.password, trust));
    expect(consumed.code, consumed.err).toBe(0);
    const read = new Set(lines(consumed.out));
    const lost = acked.filter((v) => !read.has(v));
    console.log(
      `renew-certificates=${kind}: ${seconds(ms)}, ${watch.restarts()} pod restarts ` +
        `(down → Ready: ${watch.outages.map((o) => `${o.pod} ${seconds(o.ms)} (${seconds(o.from - started)} → ${seconds(o.to - started)})`).join(', ')}); ` +
        `producer: ${last.summary}, ${acked.length} acknowledged, ${lost.length} lost`,
    );
    return { watch, watchErrors, acked, lost: lost.slice(0, 20), ms };
  } finally {
    // A failed step must not leave a producer writing into the next scenario (stop is
    // idempotent: a stopped one has exited already).
    await Promise.allSettled(producers.map((p) => p.stop()));
  }
}

// ---- evidence ------------------------------------------------------------------------------

let failed = false;
beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    failed = true;
  });
});

async function evidence(): Promise<void> {
  const out = async (what: string, args: string[]) => {
    const text = await kubectl(...args).catch((e: unknown) => String(e));
    console.log(`---- ${what}\n${text}`);
  };
  await out('pods', ['-n', namespace, 'get', 'pods', '-o', 'wide']);
  await out('KafkaCluster status', ['-n', namespace, 'get', 'kafkacluster', name, '-o', 'yaml']);
  await out('KafkaUsers', ['-n', namespace, 'get', 'kafkausers', '-o', 'yaml']);
  await out('KafkaConsumerGroups', ['-n', namespace, 'get', 'kafkaconsumergroups', '-o', 'yaml']);
  await out('Events', ['-n', namespace, 'get', 'events', '--sort-by=.lastTimestamp']);
  await out('consumer logs (tail)', [
    '-n',
    namespace,
    'logs',
    '-l',
    'app=order-reader',
    '--tail=30',
  ]);
  for (const pod of podNames) {
    await out(`${pod} log (tail)`, ['-n', namespace, 'logs', pod, '-c', 'kafka', '--tail=80']);
    await out(`${pod} previous log (tail)`, [
      '-n',
      namespace,
      'logs',
      pod,
      '-c',
      'kafka',
      '--previous',
      '--tail=40',
    ]);
  }
  await out('operator log (tail)', [
    '-n',
    'kraftwerk-system',
    'logs',
    'deploy/kraftwerk',
    '--tail=150',
  ]);
}

// ---- the scenario --------------------------------------------------------------------------

describe('a secured cluster from the host', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // A namespace left by an interrupted run goes first: the scenario assumes a fresh cluster.
    if (await get(core).catch(ignoreNotFound)) {
      await kube.request('DELETE', clusterPath).catch(ignoreNotFound);
      await kube.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(ignoreNotFound);
      await waitFor(
        `leftover namespace ${namespace} gone`,
        async () =>
          (await get(`/api/v1/namespaces/${namespace}`).catch(ignoreNotFound)) === undefined,
        { timeoutMs: 600_000, intervalMs: 2000 },
      );
    }
    await apply(`/api/v1/namespaces/${namespace}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    });
  });

  afterAll(async () => {
    if (failed) await evidence();
    // Topics, users and groups first (their finalizers need Kafka), then the cluster, then the
    // namespace.
    for (const plural of ['kafkatopics', 'kafkausers', 'kafkaconsumergroups']) {
      await kube.request('DELETE', `${api}/${plural}`).catch(ignoreNotFound);
    }
    await waitFor(
      'topics, users and groups gone',
      async () => {
        for (const plural of ['kafkatopics', 'kafkausers', 'kafkaconsumergroups']) {
          if ((await get<{ items: unknown[] }>(`${api}/${plural}`)).items.length > 0) return false;
        }
        return true;
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    ).catch((e: unknown) => console.log(String(e)));
    await kube.request('DELETE', clusterPath).catch(ignoreNotFound);
    await waitFor(
      'the secured cluster gone',
      async () => (await get(clusterPath).catch(ignoreNotFound)) === undefined,
      { timeoutMs: 600_000, intervalMs: 2000 },
    ).catch((e: unknown) => console.log(String(e)));
    await kube.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(ignoreNotFound);
  });

  it('becomes Ready; status.listeners name SASL_SSL / SSL and the CA Secret', async () => {
    const applied = Date.now();
    await apply(clusterPath, cluster);
    const c = await waitClusterReady(12 * 60_000);
    console.log(
      `benchmark: kubectl apply of the secured 3-node cluster → Ready in ${seconds(Date.now() - applied)}`,
    );
    const byName = new Map((c.status?.listeners ?? []).map((l) => [l.name, l]));
    expect(byName.get('scram')).toMatchObject({
      bootstrapServers: expect.stringContaining(scramBootstrap),
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'SCRAM-SHA-512',
      caSecret: `${name}-cluster-ca-cert`,
    });
    expect(byName.get('mtls')).toMatchObject({
      bootstrapServers: expect.stringContaining(mtlsBootstrap),
      securityProtocol: 'SSL',
      caSecret: `${name}-cluster-ca-cert`,
    });
    expect(byName.get('mtls')?.saslMechanism).toBeUndefined();

    // What a user does: trust the cluster CA, and declare the users.
    caFile = file('ca.crt', await secretFile(`${name}-cluster-ca-cert`, 'ca.crt'));
    await apply(`${core}/secrets/alice-password`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'alice-password' },
      stringData: { password: user.password },
    });
    const usersApplied = Date.now();
    for (const [userName, spec] of Object.entries(users)) {
      await apply(`${api}/kafkausers/${userName}`, {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaUser',
        metadata: { name: userName },
        spec,
      });
    }
    for (const userName of Object.keys(users)) {
      await waitFor(
        `KafkaUser ${userName} Ready`,
        async () => readyFor(await get(`${api}/kafkausers/${userName}`)),
        { timeoutMs: 120_000, intervalMs: 500 },
      ).catch(async (e: unknown) => {
        const u = await get(`${api}/kafkausers/${userName}`);
        throw new Error(`${String(e)}; status: ${JSON.stringify(u.status)}`, { cause: e });
      });
    }
    console.log(
      `benchmark: ${Object.keys(users).length} KafkaUsers applied → Ready in ${seconds(Date.now() - usersApplied)}`,
    );
    // The mTLS user's Secret, every key a file, as `kubectl get secret` and base64 -d give it.
    mkdirSync(clientDir, { recursive: true });
    const clientSecret = await get<Secret>(`${core}/secrets/e2e-client`);
    for (const [key, b64] of Object.entries(clientSecret.data ?? {})) {
      writeFileSync(join(clientDir, key), Buffer.from(b64, 'base64'), { mode: 0o600 });
    }
    expect(readFileSync(join(clientDir, 'bootstrap.servers'), 'utf8').trim()).toContain(
      mtlsBootstrap,
    );
    // The password alice's Secret names is the one her KafkaUser Secret carries.
    expect(await secretFile('alice', 'password')).toBe(user.password);
  });

  it('a KafkaTopic becomes Ready: the operator reaches Kafka with its own certificate', async () => {
    await topic('secured-orders');
    const md = await kcatAsClient(['-L', '-J', '-t', 'secured-orders']);
    expect(md.code, md.err).toBe(0);
    const parsed = JSON.parse(md.out) as {
      brokers: { name: string }[];
      topics: { partitions: { replicas: unknown[] }[] }[];
    };
    expect(parsed.brokers.map((b) => b.name).sort()).toEqual(
      mtlsPorts.map((p) => `localhost:${p}`),
    );
    expect(parsed.topics[0]!.partitions).toHaveLength(3);
    expect(parsed.topics[0]!.partitions.every((p) => p.replicas.length === 3)).toBe(true);
  });

  it('SCRAM over TLS: confluent_kafka writes and reads back; a wrong password is refused', async () => {
    const probe = await py(['probe'], scram());
    expect(probe.code, probe.err).toBe(0);
    expect(probe.out.trim()).toBe('brokers 3');
    const produced = await py(['produce', 'secured-orders', '200', 'scram'], scram());
    expect(produced.code, produced.err).toBe(0);
    expect(lines(produced.out)).toHaveLength(200);
    const consumed = await py(['consume', 'secured-orders'], scram());
    expect(consumed.code, consumed.err).toBe(0);
    expect(
      lines(consumed.out)
        .filter((v) => v.startsWith('scram-'))
        .sort(),
    ).toEqual(lines(produced.out).sort());

    const wrong = await py(['probe'], scram('not-the-password'));
    expect(wrong.code).toBe(3);
    expect(wrong.err).toMatch(/_AUTHENTICATION|SASL authentication error/);
  });

  it('mTLS: kcat with a client certificate writes and reads back; without one it is refused', async () => {
    const values = Array.from({ length: 200 }, (_, i) => `mtls-${i}`);
    const produced = await kcatAsClient(
      ['-P', '-t', 'secured-orders', '-X', 'acks=all'],
      values.join('\n') + '\n',
    );
    expect(produced.code, produced.err).toBe(0);
    const consumed = await kcatAsClient([
      '-C',
      '-t',
      'secured-orders',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%s\n',
    ]);
    expect(consumed.code, consumed.err).toBe(0);
    expect(
      lines(consumed.out)
        .filter((v) => v.startsWith('mtls-'))
        .sort(),
    ).toEqual([...values].sort());
    // The SCRAM writes are there too: both listeners are the same brokers.
    expect(lines(consumed.out).filter((v) => v.startsWith('scram-'))).toHaveLength(200);

    const noCert = await kcatAt(
      mtlsBootstrap,
      { 'security.protocol': 'SSL', 'ssl.ca.location': caFile },
      ['-L', '-m', '15'],
    );
    expect(noCert.code).not.toBe(0);
    expect(noCert.err).toMatch(/SSL|certificate|handshake|Disconnected/i);

    // Its ACLs name secured-orders only: another topic of the cluster is refused to it.
    await topic('secured-other');
    const elsewhere = await kcatAsClient(
      ['-P', '-t', 'secured-other', '-X', 'acks=all'],
      'not-allowed\n',
    );
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.err).toMatch(/TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/i);
  });

  it('a plaintext client at the TLS ports gets no metadata', async () => {
    // Both at once: each waits out kcat's 15 s metadata timeout.
    const bootstraps = [scramBootstrap, mtlsBootstrap];
    const answers = await Promise.all(bootstraps.map((b) => kcatAt(b, {}, ['-L', '-m', '15'])));
    answers.forEach((plain, i) => {
      expect(plain.code, `${bootstraps[i]}: ${plain.out}`).not.toBe(0);
      expect(plain.err).toMatch(/Disconnected|security\.protocol|transport failure/i);
    });
  });

  it('a consumer Deployment configured by its KafkaUser Secret alone is scaled on lag and drains the backlog', async () => {
    const work = 'secured-work';
    const reader = 'order-reader';
    const groupPath = `${api}/kafkaconsumergroups/${reader}`;
    const deploymentPath = `/apis/apps/v1/namespaces/${namespace}/deployments/${reader}`;
    const replicas = async () =>
      (await get<{ spec: { replicas?: number } }>(deploymentPath)).spec.replicas ?? 1;
    await topic(work);
    await apply(deploymentPath, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: reader, labels: { app: reader } },
      spec: {
        selector: { matchLabels: { app: reader } },
        template: {
          metadata: { labels: { app: reader } },
          spec: {
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 5,
            volumes: [{ name: 'user', secret: { secretName: reader } }],
            containers: [
              {
                name: 'consumer',
                image: e2e.kafkaImage,
                imagePullPolicy: 'IfNotPresent',
                command: ['bash', '-o', 'pipefail', '-c'],
                // Everything about the connection comes from the KafkaUser's Secret: the
                // address, TLS trust and SCRAM login. About 100 messages a second per replica.
                args: [
                  `/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server "$(cat /etc/kafka-user/bootstrap.servers)" ` +
                    `--consumer.config /etc/kafka-user/client.properties --topic ${work} --group secured-readers ` +
                    `--consumer-property auto.offset.reset=earliest | while read -r _; do sleep 0.01; done`,
                ],
                volumeMounts: [{ name: 'user', mountPath: '/etc/kafka-user', readOnly: true }],
                env: [
                  { name: 'KAFKA_HEAP_OPTS', value: '-Xmx96m' },
                  { name: 'LOG_DIR', value: '/tmp' },
                ],
                resources: { requests: { cpu: '10m', memory: '160Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    });
    await apply(groupPath, {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaConsumerGroup',
      metadata: { name: reader },
      spec: {
        cluster: name,
        groupId: 'secured-readers',
        topics: [work],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: reader },
        minReplicas: 0,
        maxReplicas: 6,
        lagThreshold: 300,
        activationLagThreshold: 10,
        pollIntervalSeconds: 2,
        scaleUp: { dwellSeconds: 10, rebalanceSeconds: 10 },
        scaleDown: { stabilizationSeconds: 15, maxStepPercent: 100 },
        offsetResetPolicy: 'earliest',
      },
    });
    await waitFor('the idle group at zero', async () => (await replicas()) === 0, {
      timeoutMs: 120_000,
      intervalMs: 1000,
    });
    // And its first pod gone, not just asked to go: a consumer still running would fetch the
    // whole backlog at once (auto-commit counts what is fetched, and a pipe holds thousands of
    // these lines), and there would be no lag to scale on.
    await waitFor(
      'no order-reader pod left',
      async () =>
        (
          await get<{ items: unknown[] }>(
            `${core}/pods?labelSelector=${encodeURIComponent(`app=${reader}`)}`,
          )
        ).items.length === 0,
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    const started = Date.now();
    const produced = await py(['produce', work, '3000', 'work'], scram());
    expect(produced.code, produced.err).toBe(0);
    let most = 0;
    const history: string[] = [];
    const watch = setInterval(() => {
      Promise.all([replicas(), get(groupPath)]).then(
        ([r, g]) => {
          most = Math.max(most, r);
          const st = g.status as { lag?: { total?: number } } | undefined;
          const ready = g.status?.conditions?.find((c) => c.type === 'Ready');
          history.push(
            `+${seconds(Date.now() - started)} replicas ${r} lag ${st?.lag?.total} ${ready?.reason ?? ''}: ${ready?.message ?? ''}`,
          );
        },
        () => undefined,
      );
    }, 1000);
    try {
      // 3000 at 300 per replica asks for 10; the 3 partitions cap it at 3.
      await waitFor('scaled up to the 3 partitions', async () => (await replicas()) === 3, {
        timeoutMs: 120_000,
        intervalMs: 1000,
      }).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${history.slice(-30).join('\n')}`, { cause: e });
      });
      // Back to zero only once the group's committed offsets reach the end: the consumers,
      // authenticated as order-reader, read and committed all of it.
      await waitFor('drained and back to zero', async () => (await replicas()) === 0, {
        timeoutMs: 5 * 60_000,
        intervalMs: 2000,
      }).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${history.slice(-30).join('\n')}`, { cause: e });
      });
    } finally {
      clearInterval(watch);
    }
    const g = await get(groupPath);
    expect((g.status as { lag?: { total?: number } }).lag?.total).toBe(0);
    expect(most).toBe(3);
    console.log(
      `KafkaUser consumer: 0 → 3 → 0 replicas, 3000 messages drained in ${seconds(Date.now() - started)}`,
    );
  });

  // Not here any more: `renew-certificates=leaves` on its own (a 2.2-minute roll). The CA key
  // replacement below re-issues every leaf and rolls under the same producer (never two down,
  // nothing lost), and the integration tier renews on `leaves` (operator-identity.test.ts);
  // the suite's time went to the KafkaUser scenarios (CI budget, docs/e2e.md).

  it('a CA key replacement rolls one pod at a time; clients that reload the CA bundle lose nothing', async () => {
    const oldCa = await secretFile(`${name}-cluster-ca-cert`, 'ca.crt');
    expect(pemCount(oldCa)).toBe(1);
    const r = await renewUnderLoad(
      'ca',
      'secured-renew-ca',
      async () => {
        const bundle = await secretFile(`${name}-cluster-ca-cert`, 'ca.crt');
        const ca = await get<Secret>(`${core}/secrets/${name}-cluster-ca`);
        return pemCount(bundle) === 1 && bundle !== oldCa && !ca.data?.['ca-previous.crt'];
      },
      // A client that reloads the trust bundle when the Secret changes (as one that mounts
      // the Secret and restarts on a change): it starts trusting old + new CA while the old
      // one still signs the brokers' certificates, so it is never cut off.
      async (swap) => {
        const both = await waitFor(
          'the CA Secret trusts the old and the new CA',
          async () => {
            const b = await secretFile(`${name}-cluster-ca-cert`, 'ca.crt');
            return pemCount(b) === 2 ? b : undefined;
          },
          { timeoutMs: 5 * 60_000, intervalMs: 500 },
        );
        expect(both).toContain(firstPem(oldCa));
        await swap(file('ca-both.crt', both));
      },
    );
    expect(r.lost).toEqual([]);
    expect(r.acked.length).toBeGreaterThan(1000);
    expect(r.watch.maxDownAtOnce).toBe(1);
    expect(r.watchErrors).toBe(0);
    // Trust, leaves, trust again: each pod rolled at least once and never more than thrice.
    for (const p of podNames) {
      const restarts = (r.watch.uids.get(p)?.size ?? 1) - 1;
      expect(restarts, p).toBeGreaterThanOrEqual(1);
      expect(restarts, p).toBeLessThanOrEqual(3);
    }

    // Afterwards only the new CA is trusted: a client with the new one connects, one that
    // kept the old one alone is refused.
    const newCa = await secretFile(`${name}-cluster-ca-cert`, 'ca.crt');
    caFile = file('ca-new.crt', newCa);
    const ok = await py(['probe'], scram(user.password, caFile));
    expect(ok.code, ok.err).toBe(0);
    const stale = await py(['probe'], scram(user.password, file('ca-old.crt', oldCa)));
    expect(stale.code).toBe(3);
    expect(stale.err).toMatch(/certificate verify failed|_SSL|SSL handshake failed/i);
    expect(readFileSync(caFile, 'utf8')).not.toContain(firstPem(oldCa));
  });
});
