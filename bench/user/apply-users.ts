// Benchmark (prints numbers; asserts nothing): N KafkaUsers applied at once, each with a
// SCRAM-SHA-512 credential (generated password) and two ACL entries (Write+Describe on topic
// orders-<i> literal, Read on groups prefixed g-<i>: three Kafka ACL bindings).
//   node bench/user/apply-users.ts [N=1000]
// Modelled on bench/topic/apply-topics.ts. Against a real kube-apiserver (with
// kube-controller-manager: the cluster's pod comes from its StatefulSet) and a real secured
// Kafka 4.1 node with StandardAuthorizer (test/fixtures/kafka-secure.ts), which the operator
// reaches on the REPLICATION listener with its own certificate, as in
// test/integration/user-controller.test.ts. The operator is a process of its own
// (bench/user/operator-main.ts: main.ts plus where that listener is); a stand-in kubelet
// (test/fixtures/stand-in-kubelet.ts) marks the cluster's one pod Ready. In one run, so every ratio
// compares numbers taken under the same machine load:
//   - Kafka floor: the same N users' credentials and ACLs written straight with the operator's
//     own wire client (KafkaUserAdmin, same listener and identity, same 8192 SCRAM iterations),
//     batched as a sane script would (100 users per AlterUserScramCredentials and CreateAcls),
//     then removed again;
//   - API floor: N KafkaUsers POSTed (32 at a time) with no operator watching their namespace,
//     then deleted;
//   - end to end: the N KafkaUsers POSTed while the operator runs; time until every one is
//     Ready (observedGeneration current); then Kafka is asked (one DescribeUserScramCredentials,
//     one DescribeAcls) how many have their credential and all three bindings. Users/s, ratios
//     to both floors and to Strimzi's published ≈2 users/s, API requests per user by verb and
//     resource (kube-apiserver's apiserver_request_total), Kafka requests by API and reconciles
//     (the operator's /metrics), operator CPU, idle and peak RSS, where the machine's CPU went;
//   - one full pass over N unchanged users (a label PATCH on each, as the topic bench does):
//     time, operator CPU, API and Kafka requests;
//   - deletion of the N users (DELETE of the collection): time until all are gone, what the
//     finalizer cost, and that Kafka holds none of them after;
//   - operator catch-up: N users created while no operator runs, then a fresh operator
//     started: time until all are Ready — the operator without the POSTs competing.
// Results and what bounds them: bench/user/README.md and docs/users.md, "Load".
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBenchOperator } from '../operator.ts';
import { apiRequests, cpuSeconds, diff, loadAverage, metric, pool, procStatus } from '../lib.ts';
import { KafkaUserAdmin } from '../../operator/src/kafka/user-admin.ts';
import type { AclBinding } from '../../operator/src/kafka/user-port.ts';
import { issueLeaf } from '../../operator/src/pki/certificates.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { ControlPlane } from '../../test/fixtures/control-plane.ts';
import { installCrds } from '../../test/fixtures/crds.ts';
import { SecureKafka } from '../../test/fixtures/kafka-secure.ts';
import { logRoot, waitFor } from '../../test/fixtures/process.ts';
import { repoRoot } from '../../test/fixtures/toolchain.ts';
import { StandInKubelet } from '../../test/fixtures/stand-in-kubelet.ts';

const N = Number(process.argv[2] ?? 1000);
const VERSION = '4.1.1';
const NS = 'bench';
const CLUSTER = 'sec';
const api = '/apis/kraftwerk.dev/v1alpha1';
const STRIMZI_USERS_PER_S = 19_300 / 9_624;
const loadAtStart = loadAverage();

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}
const WRITE = /^(POST|PUT|PATCH|DELETE|APPLY) /;
/** A phase's requests on users, their Secrets, Events and the cluster, per user, minus the
 *  bench's own; `writes`: only POST/PUT/PATCH/DELETE, else the reads only. */
function perUser(d: Map<string, number>, own: Record<string, number>, writes: boolean): string {
  return (
    [...d]
      .filter(([k]) => /kafkausers|kafkaclusters|secrets|events|pods|statefulsets/.test(k))
      .filter(([k]) => WRITE.test(k) === writes)
      .map(([k, v]) => [k, v - (own[k] ?? 0)] as const)
      .filter(([, v]) => v / N >= 0.005)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k} ${(v / N).toFixed(2)}`)
      .join(', ') || 'none'
  );
}
function totalPerUser(d: Map<string, number>, own: Record<string, number>): string {
  let writes = 0;
  let all = 0;
  for (const [k, v] of d) {
    const n = v - (own[k] ?? 0);
    all += n;
    if (WRITE.test(k)) writes += n;
  }
  return `${(all / N).toFixed(2)} requests per user, ${(writes / N).toFixed(2)} writes`;
}

async function reconciles(port: number): Promise<Record<string, number>> {
  const r: Record<string, number> = {};
  for (const result of ['success', 'requeue', 'error']) {
    r[result] = await metric(
      port,
      'kraftwerk_reconcile_total',
      `kind="kafkauser",result="${result}"`,
    );
  }
  return r;
}
/** Mean duration of the KafkaUser reconciles so far (sum and count of the histogram). */
async function reconcileSeconds(port: number): Promise<{ sum: number; count: number }> {
  const l = 'kind="kafkauser"';
  return {
    sum: await metric(port, 'kraftwerk_reconcile_duration_seconds_sum', l),
    count: await metric(port, 'kraftwerk_reconcile_duration_seconds_count', l),
  };
}
function meanMs(after: { sum: number; count: number }, before: { sum: number; count: number }) {
  return `${(((after.sum - before.sum) / Math.max(1, after.count - before.count)) * 1000).toFixed(0)} ms`;
}
function reconcilesPerUser(after: Record<string, number>, before: Record<string, number>) {
  const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  return `${((d('success') + d('requeue') + d('error')) / N).toFixed(2)} (requeue ${(d('requeue') / N).toFixed(2)}, error ${(d('error') / N).toFixed(2)})`;
}
/** Kafka requests the operator sent so far, by API, from its /metrics. */
async function kafkaRequests(port: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const line of (await metricsText(port)).split('\n')) {
    const m = /^kraftwerk_kafka_requests_total\{api="([^"]+)"\} (\S+)$/.exec(line);
    if (m) counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}
/** The operator's own API requests so far, by "METHOD resource code", from its /metrics: which
 *  of apiserver_request_total's are the operator's (the garbage collector, for one, GETs owners). */
async function operatorApiRequests(port: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const line of (await metricsText(port)).split('\n')) {
    if (!line.startsWith('kraftwerk_kube_requests_total{')) continue;
    const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(line)?.[1] ?? '';
    const key = `${label('method')} ${label('resource')} ${label('code')}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.split(' ').pop()));
  }
  return counts;
}
function operatorApiPerUser(d: Map<string, number>): string {
  // Below 0.005 per user: the cluster's own reconciles, not the users'.
  return [...d]
    .filter(([, v]) => v / N >= 0.005)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${(v / N).toFixed(2)}`)
    .join(', ');
}
function kafkaSummary(d: Map<string, number>): string {
  const total = [...d.values()].reduce((a, b) => a + b, 0);
  const parts = [...d].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`);
  return `${total} Kafka requests, ${(total / N).toFixed(3)} per user (${parts.join(', ') || 'none'})`;
}

type Conditioned = KubeObject & {
  metadata: { generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
};
const isReady = (u: Conditioned) =>
  u.status?.observedGeneration === u.metadata.generation &&
  (u.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/** Follows the namespace's KafkaUsers named `prefix…` with a watch; resolves when N are Ready. */
async function readiness(client: KubeClient, prefix: string) {
  const ready = new Set<string>();
  let done: () => void = () => {};
  const allReady = new Promise<void>((r) => (done = r));
  const informer = new Informer<Conditioned>({
    client,
    resource: { apiVersion: 'kraftwerk.dev/v1alpha1', kind: 'KafkaUser' },
    namespaces: [NS],
  });
  const see = (u: Conditioned) => {
    const name = u.metadata.name!;
    if (name.startsWith(prefix) && isReady(u)) ready.add(name);
    if (ready.size >= N) done();
  };
  informer.on({ add: see, update: (_, u) => see(u) });
  informer.start();
  await informer.waitForSync();
  return {
    allReady,
    /** How many of them exist now (as the watch has seen). */
    count: () => informer.list(NS).filter((u) => u.metadata.name!.startsWith(prefix)).length,
    stop: () => informer.stop(),
  };
}

function userBody(namespace: string, name: string, i: number) {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaUser',
    metadata: { name, namespace },
    spec: {
      cluster: CLUSTER,
      authentication: { type: 'scram-sha-512' },
      authorization: {
        acls: [
          {
            resource: { type: 'topic', name: `orders-${i}`, patternType: 'literal' },
            operations: ['Write', 'Describe'],
          },
          {
            resource: { type: 'group', name: `g-${i}`, patternType: 'prefix' },
            operations: ['Read'],
          },
        ],
      },
    },
  };
}
/** POSTs N KafkaUsers, 32 at a time; returns the seconds it took. */
async function postUsers(namespace: string, prefix: string): Promise<number> {
  const start = performance.now();
  await pool(
    Array.from({ length: N }, (_, i) => i),
    32,
    (i) =>
      client.request('POST', `${api}/namespaces/${namespace}/kafkausers`, {
        body: userBody(namespace, `${prefix}${i}`, i),
      }),
  );
  return (performance.now() - start) / 1000;
}
/** The three bindings a user u of index i declares, as Kafka holds them. */
function bindingsOf(user: string, i: number): AclBinding[] {
  const b = (
    resourceType: AclBinding['resourceType'],
    resourceName: string,
    patternType: AclBinding['patternType'],
    operation: AclBinding['operation'],
  ): AclBinding => ({
    resourceType,
    resourceName,
    patternType,
    principal: `User:${user}`,
    host: '*',
    operation,
    permissionType: 'ALLOW',
  });
  return [
    b('TOPIC', `orders-${i}`, 'LITERAL', 'WRITE'),
    b('TOPIC', `orders-${i}`, 'LITERAL', 'DESCRIBE'),
    b('GROUP', `g-${i}`, 'PREFIXED', 'READ'),
  ];
}
/** How many users named `prefix<i>` Kafka holds completely: a SCRAM-SHA-512 credential and
 *  all three bindings (one DescribeUserScramCredentials, one DescribeAcls). */
async function completeInKafka(
  prefix: string,
): Promise<{ scram: number; acls: number; both: number }> {
  const scram = new Set(
    (await admin.describeScramCredentials())
      .filter((u) => u.user.startsWith(prefix))
      .filter((u) => u.credentials.some((c) => c.mechanism === 'SCRAM-SHA-512'))
      .map((u) => u.user),
  );
  const acls = new Map<string, number>();
  for (const a of await admin.describeAcls({
    resourceType: 'ANY',
    resourceName: null,
    patternType: 'ANY',
    principal: null,
    host: null,
    operation: 'ANY',
    permissionType: 'ANY',
  })) {
    const user = a.principal.slice('User:'.length);
    if (!user.startsWith(prefix)) continue;
    const i = Number(user.slice(prefix.length));
    const key = (x: AclBinding) =>
      `${x.resourceType} ${x.resourceName} ${x.patternType} ${x.operation} ${x.permissionType}`;
    if (bindingsOf(user, i).some((x) => key(x) === key(a)))
      acls.set(user, (acls.get(user) ?? 0) + 1);
  }
  const full = [...acls].filter(([, n]) => n === 3).map(([u]) => u);
  return { scram: scram.size, acls: full.length, both: full.filter((u) => scram.has(u)).length };
}

const startOperator = () =>
  startBenchOperator({
    kubeconfig: cp.kubeconfigPath,
    namespace: NS,
    main: join(repoRoot, 'bench/user/operator-main.ts'),
    env: { BENCH_CLUSTER_BOOTSTRAP_FILE: bootstrapFile },
  });

interface Secret extends KubeObject {
  data?: Record<string, string>;
}
const decoded = (s: Secret, key: string): string =>
  Buffer.from(s.data?.[key] ?? '', 'base64').toString('utf8');
async function secret(name: string): Promise<Secret | undefined> {
  return client
    .request<Secret>('GET', `/api/v1/namespaces/${NS}/secrets/${name}`)
    .catch(() => undefined);
}

// Where the machine's CPU goes during a phase (all parts share the same cores).
function cpuOfParts(operatorPid: number): Record<string, number> {
  const parts: Record<string, number | undefined> = {
    operator: operatorPid,
    'kube-apiserver': cp.pids.apiserver,
    etcd: cp.pids.etcd,
    Kafka: kafka.process.pid,
    bench: process.pid,
  };
  return Object.fromEntries(
    Object.entries(parts).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : 0]),
  );
}
function cpuShare(from: Record<string, number>, to: Record<string, number>, wallS: number): string {
  const used = Object.entries(to).map(([k, v]) => [k, v - (from[k] ?? 0)] as const);
  const total = used.reduce((s, [, v]) => s + v, 0);
  const cores = availableParallelism();
  return (
    `${total.toFixed(1)} CPU-s of ${(cores * wallS).toFixed(1)} (${cores} cores × ${wallS.toFixed(1)} s, ` +
    `${((total / (cores * wallS)) * 100).toFixed(0)}%): ` +
    used
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')
  );
}

// --- Setup: API server, operator, a secured KafkaCluster and the Kafka standing in for it. ---
const bootstrapFile = join(logRoot, 'bench-users-bootstrap');
const cp = await ControlPlane.start({ name: 'bench-users-cp' });
const client = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
await installCrds(client);
for (const name of [NS, 'bench-floor']) {
  await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
}
const operator = await startOperator();
await client.request('POST', `${api}/namespaces/${NS}/kafkaclusters`, {
  body: {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: CLUSTER, namespace: NS },
    spec: {
      version: VERSION,
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
      authorization: { type: 'simple' },
      config: { 'default.replication.factor': '1', 'min.insync.replicas': '1' },
    },
  },
});
const clusterCa = await waitFor(`Secret ${CLUSTER}-cluster-ca`, async () => {
  const s = await secret(`${CLUSTER}-cluster-ca`);
  return s?.data?.['ca.crt'] && s.data['ca.key'] ? s : undefined;
});
const ca = { certPem: decoded(clusterCa, 'ca.crt'), keyPem: decoded(clusterCa, 'ca.key') };
const node = await issueLeaf({
  ca,
  commonName: `${CLUSTER}-kafka`,
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1'],
  validityDays: 1,
  now: new Date(),
  usage: 'both',
});
const kafka = await SecureKafka.start({
  version: VERSION,
  scram: [],
  plain: [],
  nodeId: 0,
  authorizer: { superUsers: ['User:ANONYMOUS', 'User:kraftwerk-operator'] },
  replication: {
    keystorePem: `${node.keyPem.trim()}\n${node.certPem.trim()}\n`,
    caPem: ca.certPem,
  },
});
const probe = new Kafka({
  clientId: 'bench',
  brokers: [kafka.plaintext],
  logLevel: logLevel.NOTHING,
}).admin();
await kafka.waitReady(async () => {
  await probe.connect();
  await probe.listTopics();
});
await probe.disconnect();
writeFileSync(bootstrapFile, kafka.replication!);
const kubelet = new StandInKubelet(client, NS, [`${CLUSTER}-kafka-0`], {
  image: `apache/kafka:${VERSION}`,
}).start();
await waitFor(
  `KafkaCluster ${CLUSTER} Ready=True`,
  async () => {
    const c = await client.request<Conditioned>(
      'GET',
      `${api}/namespaces/${NS}/kafkaclusters/${CLUSTER}`,
    );
    return c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
  },
  { timeoutMs: 180_000, process: kafka.process },
);
// Nothing resets the pod's status later (no real kubelet): its GETs would only add to the counts.
await kubelet.stop();
// The raw client: the operator's own wire client with the operator's own identity.
const certs = await waitFor(`Secret ${CLUSTER}-operator-certs`, () =>
  secret(`${CLUSTER}-operator-certs`),
);
let kafkaFloorRequests = 0;
const admin = new KafkaUserAdmin({
  bootstrap: kafka.replication!,
  clientId: 'bench',
  onRequest: () => kafkaFloorRequests++,
  security: {
    tls: {
      ca: ca.certPem,
      cert: decoded(certs, 'tls.crt'),
      key: decoded(certs, 'tls.key'),
      servername: 'localhost',
    },
  },
});

// --- Kafka floor: the raw client, 100 users per request. ---
const BATCH = 100;
const baseNames = Array.from({ length: N }, (_, i) => `base-${i}`);
let partsBefore = cpuOfParts(operator.pid);
let t0 = performance.now();
for (let i = 0; i < N; i += BATCH) {
  const users = baseNames.slice(i, i + BATCH);
  const results = await admin.alterScramCredentials({
    upsertions: users.map((user) => ({
      user,
      mechanism: 'SCRAM-SHA-512' as const,
      password: `pw-${user}-0123456789abcdef0123456789`,
    })),
  });
  const refused = results.filter((r) => r.error);
  if (refused.length) throw new Error(`baseline SCRAM refused: ${String(refused[0]!.error)}`);
  const acls = await admin.createAcls(users.flatMap((u, j) => bindingsOf(u, i + j)));
  if (acls.some(Boolean)) throw new Error(`baseline ACLs refused: ${String(acls.find(Boolean))}`);
}
const baselineS = (performance.now() - t0) / 1000;
const baselineRequests = kafkaFloorRequests;
const baselineShare = cpuShare(partsBefore, cpuOfParts(operator.pid), baselineS);
const baselineComplete = await completeInKafka('base-');
for (let i = 0; i < N; i += BATCH) {
  const users = baseNames.slice(i, i + BATCH);
  await admin.alterScramCredentials({
    deletions: users.map((user) => ({ user, mechanism: 'SCRAM-SHA-512' as const })),
  });
  await admin.deleteAcls(
    users.map((u) => ({
      resourceType: 'ANY' as const,
      resourceName: null,
      patternType: 'ANY' as const,
      principal: `User:${u}`,
      host: null,
      operation: 'ANY' as const,
      permissionType: 'ANY' as const,
    })),
  );
}

// --- API floor: the creates alone, in a namespace no operator watches; then gone again. ---
// A first create pays for the CRD's schema and CEL rules being compiled: not part of a floor.
await client.request('POST', `${api}/namespaces/bench-floor/kafkausers`, {
  body: userBody('bench-floor', 'warm-up', 0),
});
const floorS = await postUsers('bench-floor', 'f-');
await client.request('DELETE', `${api}/namespaces/bench-floor/kafkausers`);

// --- End to end. ---
await new Promise((r) => setTimeout(r, 2000));
const idleRss = procStatus(operator.pid, 'VmRSS');
const watch = await readiness(client, 'u-');
let requestsBefore = await apiRequests(client);
const reconcilesBefore = await reconciles(operator.port);
let durationBefore = await reconcileSeconds(operator.port);
let kafkaBefore = await kafkaRequests(operator.port);
let opApiBefore = await operatorApiRequests(operator.port);
partsBefore = cpuOfParts(operator.pid);
t0 = performance.now();
const appliedS = await postUsers(NS, 'u-');
await watch.allReady;
const readyS = (performance.now() - t0) / 1000;
const e2eParts = cpuOfParts(operator.pid);
const e2eShare = cpuShare(partsBefore, e2eParts, readyS);
const e2eCpu = e2eParts.operator! - partsBefore.operator!;
const e2eKafka = diff(await kafkaRequests(operator.port), kafkaBefore);
const e2eRequests = diff(await apiRequests(client), requestsBefore);
const e2eOpApi = diff(await operatorApiRequests(operator.port), opApiBefore);
// Settled: requeues and retries still pending count too.
await new Promise((r) => setTimeout(r, 3000));
const e2eReconciles = reconcilesPerUser(await reconciles(operator.port), reconcilesBefore);
const e2eMean = meanMs(await reconcileSeconds(operator.port), durationBefore);
const e2eComplete = await completeInKafka('u-');
// What each of the operator's any-principal DescribeAcls (user-batcher.ts) costs now that the
// cluster holds 3N bindings: the answer carries all of them, whatever the batch needed. The
// median of 5, against one principal's.
async function describeAclsMs(principal: string | null): Promise<{ ms: number; bindings: number }> {
  const runs: number[] = [];
  let bindings = 0;
  for (let k = 0; k < 5; k++) {
    const start = performance.now();
    bindings = (
      await admin.describeAcls({
        resourceType: 'ANY',
        resourceName: null,
        patternType: 'ANY',
        principal,
        host: null,
        operation: 'ANY',
        permissionType: 'ANY',
      })
    ).length;
    runs.push(performance.now() - start);
  }
  return { ms: runs.sort((a, b) => a - b)[2]!, bindings };
}
const onePrincipal = await describeAclsMs('User:u-0');
const anyPrincipal = await describeAclsMs(null);
const peakRss = procStatus(operator.pid, 'VmHWM');

// --- One full pass over N unchanged users: a label changes each resourceVersion (not its
// generation), which reconciles it (as in the topic bench). ---
const before = {
  cpu: cpuSeconds(operator.pid),
  reconciles: await metric(operator.port, 'kraftwerk_reconcile_total', 'kind="kafkauser"'),
};
requestsBefore = await apiRequests(client);
kafkaBefore = await kafkaRequests(operator.port);
opApiBefore = await operatorApiRequests(operator.port);
durationBefore = await reconcileSeconds(operator.port);
partsBefore = cpuOfParts(operator.pid);
t0 = performance.now();
await pool(
  Array.from({ length: N }, (_, i) => i),
  32,
  (i) =>
    client.request('PATCH', `${api}/namespaces/${NS}/kafkausers/u-${i}`, {
      body: { metadata: { labels: { touched: '1' } } },
      contentType: 'application/merge-patch+json',
    }),
);
await waitFor(
  'one reconcile of every user',
  async () =>
    (await metric(operator.port, 'kraftwerk_reconcile_total', 'kind="kafkauser"')) -
      before.reconciles >=
    N,
  { timeoutMs: 10 * 60_000 },
);
const resyncS = (performance.now() - t0) / 1000;
const resyncShare = cpuShare(partsBefore, cpuOfParts(operator.pid), resyncS);
const resyncCpu = cpuSeconds(operator.pid) - before.cpu;
const resyncRequests = diff(await apiRequests(client), requestsBefore);
const resyncKafka = diff(await kafkaRequests(operator.port), kafkaBefore);
const resyncOpApi = diff(await operatorApiRequests(operator.port), opApiBefore);
const resyncMean = meanMs(await reconcileSeconds(operator.port), durationBefore);

// --- Deletion of the N users: the finalizer removes credential and bindings from Kafka. ---
requestsBefore = await apiRequests(client);
kafkaBefore = await kafkaRequests(operator.port);
partsBefore = cpuOfParts(operator.pid);
t0 = performance.now();
await client.request('DELETE', `${api}/namespaces/${NS}/kafkausers`);
await waitFor('every KafkaUser gone', async () => watch.count() === 0, { timeoutMs: 10 * 60_000 });
const deleteS = (performance.now() - t0) / 1000;
const deleteShare = cpuShare(partsBefore, cpuOfParts(operator.pid), deleteS);
const deleteRequests = diff(await apiRequests(client), requestsBefore);
const deleteKafka = diff(await kafkaRequests(operator.port), kafkaBefore);
await watch.stop();
const afterDelete = await completeInKafka('u-');
await operator.stop();

// --- Catch-up: N users created while no operator runs; then a fresh one starts. ---
const preS = await postUsers(NS, 'c-');
const catchupWatch = await readiness(client, 'c-');
requestsBefore = await apiRequests(client);
t0 = performance.now();
const catchup = await startOperator();
const catchupParts = cpuOfParts(catchup.pid);
await catchupWatch.allReady;
const catchupS = (performance.now() - t0) / 1000;
const catchupShare = cpuShare(catchupParts, cpuOfParts(catchup.pid), catchupS);
const catchupCpu = cpuSeconds(catchup.pid);
const catchupKafka = await kafkaRequests(catchup.port);
const catchupRequests = diff(await apiRequests(client), requestsBefore);
await new Promise((r) => setTimeout(r, 3000));
const catchupReconciles = reconcilesPerUser(await reconciles(catchup.port), {});
await catchupWatch.stop();
const catchupComplete = await completeInKafka('c-');
const catchupPeak = procStatus(catchup.pid, 'VmHWM');

const rate = (s: number) => `${(N / s).toFixed(1)} users/s`;
console.log(
  `\nKafkaUser benchmark, N=${N} (SCRAM-SHA-512 + 2 ACL entries = 3 bindings each), Kafka ${kafka.version} (1 node, StandardAuthorizer, mTLS), load average ${loadAtStart} at start, ${loadAverage()} at end, logs in ${logRoot}`,
);
console.log(
  `Kafka floor: raw KafkaUserAdmin, ${BATCH}/request  ${baselineS.toFixed(1)} s  ${rate(baselineS)}  (${baselineRequests} Kafka requests; ${baselineComplete.both}/${N} complete in Kafka)`,
);
console.log(`  machine CPU: ${baselineShare}`);
console.log(`API floor: ${N} POSTs, no operator       ${floorS.toFixed(1)} s  ${rate(floorS)}`);
console.log(
  `end to end: POSTs done after             ${appliedS.toFixed(1)} s  ${rate(appliedS)}  (${(appliedS / floorS).toFixed(2)}x the API floor)`,
);
console.log(
  `end to end: all Ready                    ${readyS.toFixed(1)} s  ${rate(readyS)}  ${(readyS / baselineS).toFixed(2)}x Kafka floor, ${(readyS / floorS).toFixed(2)}x API floor, ${(N / readyS / STRIMZI_USERS_PER_S).toFixed(0)}x Strimzi's ${STRIMZI_USERS_PER_S.toFixed(2)} users/s`,
);
console.log(
  `  in Kafka: ${e2eComplete.scram}/${N} SCRAM-SHA-512, ${e2eComplete.acls}/${N} all 3 bindings, ${e2eComplete.both}/${N} both`,
);
console.log(
  `  API: ${totalPerUser(e2eRequests, { 'POST kafkausers': N })} (bench's POSTs and watch excluded)`,
);
console.log(`    writes per user: ${perUser(e2eRequests, { 'POST kafkausers': N }, true)}`);
console.log(`    reads per user: ${perUser(e2eRequests, {}, false)}`);
console.log(
  `    the operator's own, per user (method resource code): ${operatorApiPerUser(e2eOpApi)}`,
);
console.log(
  `  reconciles per user ${e2eReconciles}, ${e2eMean} each on average (64 at a time); operator CPU ${e2eCpu.toFixed(1)} s (${((e2eCpu / N) * 1000).toFixed(1)} ms/user)`,
);
console.log(`  ${kafkaSummary(e2eKafka)}`);
console.log(`  machine CPU: ${e2eShare}`);
console.log(
  `  one DescribeAcls now (median of 5): one principal ${onePrincipal.bindings} bindings ${onePrincipal.ms.toFixed(0)} ms; any principal ${anyPrincipal.bindings} bindings ${anyPrincipal.ms.toFixed(0)} ms`,
);
console.log(
  `operator RSS idle / peak                 ${idleRss.toFixed(0)} MB / ${peakRss.toFixed(0)} MB`,
);
console.log(
  `full pass over ${N} unchanged users       ${resyncS.toFixed(1)} s  operator CPU ${resyncCpu.toFixed(2)} s (${((resyncCpu / N) * 1000).toFixed(2)} ms/user), reconciles ${resyncMean} each on average`,
);
console.log(
  `  API: ${totalPerUser(resyncRequests, { 'PATCH kafkausers': N })}; writes per user (besides the bench's label PATCH): ${perUser(resyncRequests, { 'PATCH kafkausers': N }, true)}; reads per user: ${perUser(resyncRequests, {}, false)}`,
);
console.log(`  the operator's own, per user: ${operatorApiPerUser(resyncOpApi) || 'none'}`);
console.log(`  ${kafkaSummary(resyncKafka)}`);
console.log(`  machine CPU: ${resyncShare}`);
console.log(
  `deletion of the ${N} users (finalizer)   ${deleteS.toFixed(1)} s  ${rate(deleteS)}  (left in Kafka: ${afterDelete.scram} credentials, ${afterDelete.acls} users with bindings)`,
);
console.log(
  `  API: ${totalPerUser(deleteRequests, { 'DELETE kafkausers': 1 })}; writes per user: ${perUser(deleteRequests, { 'DELETE kafkausers': 1 }, true)}`,
);
console.log(`  ${kafkaSummary(deleteKafka)}`);
console.log(`  machine CPU: ${deleteShare}`);
console.log(
  `operator catch-up: ${N} waiting, then started  ${catchupS.toFixed(1)} s  ${rate(catchupS)}  (POSTs before it: ${preS.toFixed(1)} s; ${catchupComplete.both}/${N} complete in Kafka)  ${(catchupS / baselineS).toFixed(2)}x Kafka floor`,
);
console.log(
  `  API: ${totalPerUser(catchupRequests, {})}; writes per user: ${perUser(catchupRequests, {}, true)}; reconciles per user ${catchupReconciles}; operator CPU ${catchupCpu.toFixed(1)} s (with start-up); peak RSS ${catchupPeak.toFixed(0)} MB`,
);
console.log(`  ${kafkaSummary(catchupKafka)}`);
console.log(`  machine CPU: ${catchupShare}`);
console.log(
  `reference (Strimzi, published): 19,300 users in 9,624 s ≈ ${STRIMZI_USERS_PER_S.toFixed(2)} users/s (multi-node cluster)`,
);

await catchup.stop();
await admin.close();
await kafka.stop();
await cp.stop();
