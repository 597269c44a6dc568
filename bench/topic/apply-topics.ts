// Benchmark (prints numbers; asserts nothing): N KafkaTopic resources applied at once.
//   node bench/topic/apply-topics.ts [N=1000]
// Measures, against a real kube-apiserver and a real Kafka 4.1 node, in one run (so every
// ratio compares numbers taken under the same machine load):
//   - baseline: the same N topics created straight through kafkajs' admin (batches of 100),
//     the Kafka floor any operator sits on;
//   - API floor: N KafkaTopics POSTed (32 at a time) with no operator running, into a
//     namespace of their own, then deleted: what the API server alone takes for the creates;
//   - end to end (the operator, a separate `node operator/src/main.ts` process, running while
//     the N resources are POSTed): time until every resource is Ready and its topic exists in
//     Kafka, topics/s, ratios to both floors, idle and peak RSS, operator CPU, API requests
//     per topic (from kube-apiserver's apiserver_request_total), reconciles per topic and
//     Kafka requests (from the operator's /metrics);
//   - one full pass over N unchanged topics: time, CPU time, API and Kafka requests;
//   - operator catch-up: N resources created while no operator runs, then a fresh operator
//     started: time from its start until all are Ready and in Kafka — the operator alone,
//     without the creates competing for the API server and the CPU. Its peak RSS is printed
//     too (as "catch-up peak").
// For every timed phase: where the machine's CPU went, and the CPU per topic of the operator,
// kube-apiserver, etcd and Kafka with the operator's as a ratio to each of the others.
// Above 1,000 topics (see `large`) each phase's topics leave Kafka once it is measured, and
// Kafka gets a bigger heap: three phases' topics at once in one node (30,000 at N=10,000)
// would exceed vm.max_map_count (65,530; two mmapped index files per partition) and the
// open-file limit. N ≤ 1,000 runs exactly as it always did. How to run, results:
// bench/topic/README.md.
// Results and what bounds them: docs/topics.md, "Load".
// Readiness is followed with a watch (our informer) rather than by listing all N objects every
// 500 ms, which itself loads the API server being measured.
// BENCH_OPERATOR_MAIN=<path to main.ts> runs another checkout's operator (before/after).
// Strimzi's published figures for reference: ~17 topic events/s, ~314 MB at 4,100 topics.
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBenchOperator, type BenchOperator } from '../operator.ts';
import { apiRequests, cpuSeconds, diff, loadAverage, metric, pool, procStatus } from '../lib.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { ControlPlane } from '../../test/fixtures/control-plane.ts';
import { installCrds } from '../../test/fixtures/crds.ts';
import { KafkaFixture } from '../../test/fixtures/kafka.ts';
import { logRoot, waitFor } from '../../test/fixtures/process.ts';

const N = Number(process.argv[2] ?? 1000);
const large = N > 1000;
const startLoad = loadAverage();
const benchStart = performance.now();
/** Progress on stderr, for following a long run in its log. */
const progress = (what: string) =>
  process.stderr.write(
    `[bench +${((performance.now() - benchStart) / 1000).toFixed(0)} s, load ${loadAverage()}] ${what}\n`,
  );
const api = '/apis/kraftwerk.dev/v1alpha1';

/** The requests of one phase that concern topics and events, per topic, minus the bench's own. */
function perTopic(d: Map<string, number>, own: Record<string, number>): string {
  return [...d]
    .filter(([k]) => /kafkatopics|events/.test(k))
    .map(([k, v]) => [k, v - (own[k] ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${(v / N).toFixed(2)}`)
    .join(', ');
}

/** Reconciles of KafkaTopics so far, by result, from the operator's own /metrics. */
async function reconciles(port: number): Promise<Record<string, number>> {
  const r: Record<string, number> = {};
  for (const result of ['success', 'requeue', 'error']) {
    r[result] = await metric(
      port,
      'kraftwerk_reconcile_total',
      `kind="kafkatopic",result="${result}"`,
    );
  }
  return r;
}
/** Kafka requests the operator sent so far, by API, from its /metrics. */
async function kafkaRequests(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^kraftwerk_kafka_requests_total\{api="([^"]+)"\} (\S+)$/.exec(line);
    if (m) counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}
function kafkaSummary(d: Map<string, number>): string {
  const total = [...d.values()].reduce((a, b) => a + b, 0);
  const parts = [...d].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`);
  return `${total} Kafka requests (${parts.join(', ') || 'none'})`;
}
function reconcilesPerTopic(after: Record<string, number>, before: Record<string, number>) {
  const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  return `${((d('success') + d('requeue') + d('error')) / N).toFixed(2)} (requeue ${(d('requeue') / N).toFixed(2)}, error ${(d('error') / N).toFixed(2)})`;
}

type Topic = KubeObject & {
  status?: { topicId?: string; conditions?: { type: string; status: string }[] };
};
const isReady = (t: Topic) =>
  Boolean(t.status?.topicId) &&
  (t.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/** Follows a namespace's KafkaTopics with a watch; `allReady` resolves when N are Ready. */
async function readiness(client: KubeClient, namespace: string) {
  const ready = new Set<string>();
  let done: () => void = () => {};
  const allReady = new Promise<void>((r) => (done = r));
  const informer = new Informer<Topic>({
    client,
    resource: { apiVersion: 'kraftwerk.dev/v1alpha1', kind: 'KafkaTopic' },
    namespaces: [namespace],
  });
  const see = (t: Topic) => {
    if (isReady(t)) ready.add(t.metadata!.name!);
    if (ready.size >= N) done();
  };
  informer.on({ add: see, update: (_, t) => see(t) });
  informer.start();
  await informer.waitForSync();
  return { allReady, stop: () => informer.stop() };
}

function topicBody(namespace: string, name: string) {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name, namespace },
    spec: {
      bootstrapServers: kafka.bootstrapServers,
      partitions: 1,
      replicationFactor: 1,
      config: { 'retention.ms': '86400000' },
    },
  };
}
/** POSTs N KafkaTopics, 32 at a time; returns the seconds it took. */
async function postTopics(namespace: string, prefix: string): Promise<number> {
  const start = performance.now();
  await pool(
    Array.from({ length: N }, (_, i) => i),
    32,
    (i) =>
      client.request('POST', `${api}/namespaces/${namespace}/kafkatopics`, {
        body: topicBody(namespace, `${prefix}${i}`),
      }),
  );
  return (performance.now() - start) / 1000;
}
async function inKafka(prefix: string): Promise<number> {
  return (await admin.listTopics()).filter((n) => n.startsWith(prefix)).length;
}
/** Waits until the broker's metadata shows all N topics; returns the seconds since `t0`. Ready
 *  comes from CreateTopics' answer (the controller committed the topic); the broker applies
 *  the controller's records later, and under load that lags by tens of seconds. */
async function allInKafka(prefix: string, from: number): Promise<number> {
  await waitFor(
    `${N} ${prefix}* topics in the broker's metadata`,
    async () => (await inKafka(prefix)) === N,
    {
      timeoutMs: 20 * 60_000,
      intervalMs: 1000,
    },
  );
  return (performance.now() - from) / 1000;
}
/** Deletes a measured phase's topics from Kafka (large N only) and waits until their files
 *  are gone too; returns the seconds it took. */
async function dropFromKafka(prefix: string): Promise<number> {
  if (!large) return 0;
  const start = performance.now();
  progress(`deleting the ${prefix}* topics from Kafka`);
  const topics = (await admin.listTopics()).filter((n) => n.startsWith(prefix));
  for (let i = 0; i < topics.length; i += 100) {
    await admin.deleteTopics({ topics: topics.slice(i, i + 100), timeout: 60_000 });
  }
  await waitFor(`${prefix}* gone from Kafka`, async () => (await inKafka(prefix)) === 0, {
    timeoutMs: 10 * 60_000,
  });
  // Kafka renames a deleted partition's directory to …-delete and removes it later.
  const dataDirs = kafka.nodes.map((n) => join(kafka.dir, `node-${n.id}`, 'data'));
  await waitFor(
    `${prefix}* files deleted`,
    async () => dataDirs.every((d) => !readdirSync(d).some((f) => f.endsWith('-delete'))),
    { timeoutMs: 10 * 60_000 },
  );
  return (performance.now() - start) / 1000;
}

function startOperator(namespace: string): Promise<BenchOperator> {
  return startBenchOperator({
    kubeconfig: cp.kubeconfigPath,
    namespace,
    // An operator that dies (out of memory, say) would leave the bench waiting for Ready forever.
    onUnaskedExit: (code, signal) => {
      progress(`operator exited unasked (code ${code}, signal ${signal}); giving up`);
      process.exit(1);
    },
  });
}

const cp = await ControlPlane.start({ name: 'bench-topics-cp', controllerManager: false });
const kafka = await KafkaFixture.start({
  name: 'bench-topics-kafka',
  config: {
    'auto.create.topics.enable': 'false',
    // A deleted topic's files (and index mappings) go 1 s after its deletion, not 60 s.
    ...(large ? { 'log.segment.delete.delay.ms': '1000' } : {}),
  },
  // The fixture's 512 MB is plenty for a few thousand partitions, not for 10,000 and more.
  ...(large ? { nodeEnv: () => ({ KAFKA_HEAP_OPTS: '-Xmx2g -Xms256m' }) } : {}),
});

// Where the machine's CPU goes during a phase: every part runs on the same cores, so a phase
// that keeps them busy is bound by the machine, not by any one part.
const parts = (operatorPid?: number): Record<string, number | undefined> => ({
  operator: operatorPid,
  'kube-apiserver': cp.pids.apiserver,
  etcd: cp.pids.etcd,
  Kafka: kafka.nodes[0]?.process.pid,
  bench: process.pid,
});
function cpuOfParts(operatorPid?: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(parts(operatorPid)).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : 0]),
  );
}
/** CPU per topic of each part in a phase, the operator's as a ratio to each of the others. */
function cpuPerTopic(from: Record<string, number>, to: Record<string, number>): string {
  const ms = (k: string) => (((to[k] ?? 0) - (from[k] ?? 0)) / N) * 1000;
  const others = ['kube-apiserver', 'etcd', 'Kafka'];
  const op = ms('operator');
  if (op <= 0) return others.map((k) => `${k} ${ms(k).toFixed(2)} ms`).join(', ');
  return (
    `operator ${op.toFixed(2)} ms = ` +
    others.map((k) => `${(op / ms(k)).toFixed(2)}× ${k} (${ms(k).toFixed(2)} ms)`).join(', ')
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
const client = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
await installCrds(client);
for (const name of ['bench', 'bench-floor', 'bench-catchup']) {
  await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
}
const admin = new Kafka({
  clientId: 'bench',
  brokers: kafka.bootstrapServers.split(','),
  logLevel: logLevel.NOTHING,
}).admin();
await admin.connect();

// Baseline: kafkajs straight to Kafka.
progress(`baseline: ${N} topics through kafkajs`);
const baselineCpu = cpuOfParts();
let t0 = performance.now();
const names = Array.from({ length: N }, (_, i) => `base-${i}`);
// waitForLeaders off: kafkajs gives up polling metadata for 100 fresh topics; instead wait,
// like the operator does, until every topic is visible in metadata.
for (let i = 0; i < N; i += 100) {
  await admin.createTopics({
    waitForLeaders: false,
    topics: names
      .slice(i, i + 100)
      .map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
  });
}
await waitFor(`${N} baseline topics in metadata`, async () => (await inKafka('base-')) === N, {
  timeoutMs: 10 * 60_000,
});
const baselineS = (performance.now() - t0) / 1000;
const baselineCpuAfter = cpuOfParts();
const baselineShare = cpuShare(baselineCpu, baselineCpuAfter, baselineS);
const baselinePerTopic = cpuPerTopic(baselineCpu, baselineCpuAfter);
const dropBaseS = await dropFromKafka('base-');

// API floor: the creates alone, no operator anywhere; then gone again (no finalizers on them).
// A first create pays for the CRD's schema and CEL rules being compiled: not part of a floor.
progress('API floor');
await client.request('POST', `${api}/namespaces/bench-floor/kafkatopics`, {
  body: topicBody('bench-floor', 'warm-up'),
});
const floorS = await postTopics('bench-floor', 'f-');
await client.request('DELETE', `${api}/namespaces/bench-floor/kafkatopics`);

// End to end: the operator runs while the resources are POSTed.
progress('end to end');
const e2e = await startOperator('bench');
await new Promise((r) => setTimeout(r, 2000));
const idleRss = procStatus(e2e.pid, 'VmRSS');
let watch = await readiness(client, 'bench');
let requestsBefore = await apiRequests(client);
const reconcilesBefore = await reconciles(e2e.port);
const e2eCpuBefore = cpuSeconds(e2e.pid);
let kafkaBefore = await kafkaRequests(e2e.port);
const e2ePartsBefore = cpuOfParts(e2e.pid);
t0 = performance.now();
const appliedS = await postTopics('bench', 't-');
await watch.allReady;
const readyS = (performance.now() - t0) / 1000;
const e2ePartsAfter = cpuOfParts(e2e.pid);
const e2eShare = cpuShare(e2ePartsBefore, e2ePartsAfter, readyS);
const e2ePerTopic = cpuPerTopic(e2ePartsBefore, e2ePartsAfter);
const e2eCpu = cpuSeconds(e2e.pid) - e2eCpuBefore;
const e2eKafka = diff(await kafkaRequests(e2e.port), kafkaBefore);
const e2eRequests = diff(await apiRequests(client), requestsBefore);
const e2eInKafkaAtReady = await inKafka('t-');
// Settled: requeues and retries still pending count too.
await new Promise((r) => setTimeout(r, 3000));
const e2eReconciles = reconcilesPerTopic(await reconciles(e2e.port), reconcilesBefore);
const e2eVisibleS = await allInKafka('t-', t0);
await watch.stop();
const peakRss = procStatus(e2e.pid, 'VmHWM');

// One full pass over N unchanged topics: restarting the resync clock is not possible from
// outside, so a label on every resource changes its resourceVersion (but not its generation),
// which reconciles it.
progress('full pass over unchanged topics');
const resyncPartsBefore = cpuOfParts(e2e.pid);
const before = {
  cpu: cpuSeconds(e2e.pid),
  reconciles: await metric(e2e.port, 'kraftwerk_reconcile_total', 'kafkatopic'),
};
requestsBefore = await apiRequests(client);
kafkaBefore = await kafkaRequests(e2e.port);
t0 = performance.now();
await pool(
  Array.from({ length: N }, (_, i) => i),
  32,
  (i) =>
    client.request('PATCH', `${api}/namespaces/bench/kafkatopics/t-${i}`, {
      body: { metadata: { labels: { touched: '1' } } },
      contentType: 'application/merge-patch+json',
    }),
);
await waitFor(
  'one reconcile of every topic',
  async () =>
    (await metric(e2e.port, 'kraftwerk_reconcile_total', 'kafkatopic')) - before.reconciles >= N,
  { timeoutMs: 10 * 60_000 },
);
const resyncS = (performance.now() - t0) / 1000;
const resyncPartsAfter = cpuOfParts(e2e.pid);
const resyncCpu = cpuSeconds(e2e.pid) - before.cpu;
const resyncRequests = diff(await apiRequests(client), requestsBefore);
const resyncKafka = diff(await kafkaRequests(e2e.port), kafkaBefore);
await e2e.stop();
// The t-* resources stay (with their finalizers): the catch-up operator does not watch them.
const dropE2eS = await dropFromKafka('t-');

// Catch-up: N resources wait for an operator that is not running; then one starts.
progress('catch-up');
const preS = await postTopics('bench-catchup', 'c-');
watch = await readiness(client, 'bench-catchup');
requestsBefore = await apiRequests(client);
const catchupPartsBefore = cpuOfParts();
t0 = performance.now();
const catchup = await startOperator('bench-catchup');
await watch.allReady;
const catchupS = (performance.now() - t0) / 1000;
const catchupPartsAfter = cpuOfParts(catchup.pid);
const catchupShare = cpuShare(catchupPartsBefore, catchupPartsAfter, catchupS);
const catchupPerTopic = cpuPerTopic(catchupPartsBefore, catchupPartsAfter);
const catchupCpu = cpuSeconds(catchup.pid);
const catchupKafka = await kafkaRequests(catchup.port);
const catchupRequests = diff(await apiRequests(client), requestsBefore);
const catchupInKafkaAtReady = await inKafka('c-');
const catchupVisibleS = await allInKafka('c-', t0);
await new Promise((r) => setTimeout(r, 3000));
const catchupReconciles = reconcilesPerTopic(await reconciles(catchup.port), {});
await watch.stop();
const catchupPeak = procStatus(catchup.pid, 'VmHWM');
await catchup.stop();

const rate = (s: number) => `${(N / s).toFixed(0)} topics/s`;
const load = loadAverage();
console.log(
  `\nKafkaTopic benchmark, N=${N}, Kafka ${kafka.version} (1 broker), load average ${startLoad} at the start, ${load} at the end, logs in ${logRoot}`,
);
if (large) {
  console.log(
    `  (N > 1000: each phase's topics deleted from Kafka once measured — base-* ${dropBaseS.toFixed(0)} s, t-* ${dropE2eS.toFixed(0)} s — and Kafka on -Xmx2g)`,
  );
}
console.log(`baseline kafkajs createTopics       ${baselineS.toFixed(1)} s  ${rate(baselineS)}`);
console.log(`  machine CPU: ${baselineShare}`);
console.log(`  CPU per topic: ${baselinePerTopic}`);
console.log(
  `API floor: ${N} POSTs, no operator   ${floorS.toFixed(1)} s  ${rate(floorS)}; again before catch-up ${preS.toFixed(1)} s  ${rate(preS)}`,
);
console.log(
  `end to end: POSTs done after         ${appliedS.toFixed(1)} s  ${rate(appliedS)}  (${(appliedS / floorS).toFixed(2)}x the API floor)`,
);
console.log(
  `end to end: all Ready               ${readyS.toFixed(1)} s  ${rate(readyS)}  (${e2eInKafkaAtReady}/${N} in the broker's metadata then)  ${(readyS / baselineS).toFixed(2)}x baseline, ${(readyS / floorS).toFixed(2)}x API floor`,
);
console.log(
  `  all ${N} in the broker's metadata after ${e2eVisibleS.toFixed(1)} s  ${rate(e2eVisibleS)}`,
);
console.log(
  `  API requests per topic: ${perTopic(e2eRequests, { 'POST kafkatopics': N })}; reconciles per topic ${e2eReconciles}; operator CPU ${e2eCpu.toFixed(1)} s; ${kafkaSummary(e2eKafka)}`,
);
console.log(`  machine CPU: ${e2eShare}`);
console.log(`  CPU per topic: ${e2ePerTopic}`);
console.log(
  `operator catch-up: all Ready        ${catchupS.toFixed(1)} s  ${rate(catchupS)}  (${catchupInKafkaAtReady}/${N} in the broker's metadata then; /readyz after ${catchup.startS.toFixed(1)} s)  ${(catchupS / baselineS).toFixed(2)}x baseline`,
);
console.log(
  `  all ${N} in the broker's metadata after ${catchupVisibleS.toFixed(1)} s  ${rate(catchupVisibleS)}`,
);
console.log(
  `  API requests per topic: ${perTopic(catchupRequests, {})}; reconciles per topic ${catchupReconciles}; operator CPU ${catchupCpu.toFixed(1)} s (with start-up); ${kafkaSummary(catchupKafka)}`,
);
console.log(`  machine CPU: ${catchupShare}`);
console.log(`  CPU per topic: ${catchupPerTopic}`);
console.log(
  `operator RSS idle / peak            ${idleRss.toFixed(0)} MB / ${peakRss.toFixed(0)} MB (catch-up peak ${catchupPeak.toFixed(0)} MB)`,
);
console.log(
  `full pass over ${N} unchanged topics  ${resyncS.toFixed(1)} s  CPU ${resyncCpu.toFixed(2)} s (${((resyncCpu / N) * 1000).toFixed(2)} ms/topic)`,
);
console.log(
  `  API requests per topic (besides the bench's label PATCH): ${perTopic(resyncRequests, { 'PATCH kafkatopics': N }) || 'none'}; ${kafkaSummary(resyncKafka)}`,
);
console.log(`  machine CPU: ${cpuShare(resyncPartsBefore, resyncPartsAfter, resyncS)}`);
console.log(
  `  CPU per topic (with the bench's ${N} label PATCHes on kube-apiserver and etcd): ${cpuPerTopic(resyncPartsBefore, resyncPartsAfter)}`,
);
console.log(`reference (Strimzi, published)     ~17 topics/s, ~314 MB at 4,100 topics`);

await admin.disconnect();
await kafka.stop();
await cp.stop();
