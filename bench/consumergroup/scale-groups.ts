// Benchmark (prints numbers; asserts nothing): GROUPS KafkaConsumerGroups polling every 5 s.
//   node bench/consumergroup/scale-groups.ts [GROUPS=1000]
// Against a real kube-apiserver (no controller-manager: the Deployments stay podless, their
// scale subresource works all the same) and a real Kafka 4.1 node:
//   - setup: TOPICS topics × 6 partitions with a few records each, GROUPS consumer groups with
//     committed offsets on one topic each (every third behind by 4 records a partition, so lag
//     is non-zero there), one Deployment per group (replicas 1) and one KafkaConsumerGroup per
//     group (pollIntervalSeconds 5, minReplicas 1: the steady state writes no scale);
//   - the operator, a separate `node operator/src/main.ts` with the shipped NODE_OPTIONS, runs
//     while the resources are POSTed; its RSS with nothing to do is "idle";
//   - once every group reports Ready=True with a lag, a settle pause, then a steady window of
//     WINDOW_S seconds: polls/s (reconciles of KafkaConsumerGroups), Kafka requests/s by API
//     (the operator's kraftwerk_kafka_requests_total), operator CPU per poll and its ratio to
//     Kafka's and kube-apiserver's CPU in the same window, the machine's CPU split, API
//     requests/s by verb (writes should be zero: an unchanged group's poll writes nothing),
//     operator RSS over the window and its peak (VmHWM).
// BENCH_OPERATOR_MAIN=<path to main.ts> runs another checkout's operator (before/after).
// Results: bench/consumergroup/README.md, "1,000 groups polled every 5 s".
import { availableParallelism } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { startBenchOperator } from '../operator.ts';
import { apiRequests, cpuSeconds, diff, loadAverage, metric, pool, procStatus } from '../lib.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { ControlPlane } from '../../test/fixtures/control-plane.ts';
import { installCrds } from '../../test/fixtures/crds.ts';
import { KafkaFixture } from '../../test/fixtures/kafka.ts';
import { logRoot, waitFor } from '../../test/fixtures/process.ts';

const GROUPS = Number(process.argv[2] ?? 1000);
const TOPICS = Number(process.env.TOPICS ?? 100);
const PARTITIONS = 6;
const RECORDS = 10; // per partition
const POLL_S = 5;
const SETTLE_S = Number(process.env.SETTLE_S ?? 15);
const WINDOW_S = Number(process.env.WINDOW_S ?? 60);
const api = '/apis/kraftwerk.dev/v1alpha1';
const namespace = 'bench';
const topicOf = (i: number) => `t-${i % TOPICS}`;

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
const polls = (port: number) => metric(port, 'kraftwerk_reconcile_total', 'kafkaconsumergroup');
const pollErrors = (port: number) =>
  metric(port, 'kraftwerk_reconcile_total', 'kind="kafkaconsumergroup",result="error"');

type Group = KubeObject & {
  status?: { lag?: { total: number }; conditions?: { type: string; status: string }[] };
};
const isMeasured = (g: Group) =>
  g.status?.lag !== undefined &&
  (g.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/** Follows the KafkaConsumerGroups with a watch; `allMeasured` resolves when all are. */
async function readiness(client: KubeClient) {
  const measured = new Set<string>();
  let done: () => void = () => {};
  const allMeasured = new Promise<void>((r) => (done = r));
  const informer = new Informer<Group>({
    client,
    resource: { apiVersion: 'kraftwerk.dev/v1alpha1', kind: 'KafkaConsumerGroup' },
    namespaces: [namespace],
  });
  const see = (g: Group) => {
    if (isMeasured(g)) measured.add(g.metadata!.name!);
    else measured.delete(g.metadata!.name!);
    if (measured.size >= GROUPS) done();
  };
  informer.on({ add: see, update: (_, g) => see(g) });
  informer.start();
  await informer.waitForSync();
  return { allMeasured, measured, stop: () => informer.stop() };
}

const startOperator = () => startBenchOperator({ kubeconfig: cp.kubeconfigPath, namespace });

const cp = await ControlPlane.start({ name: 'bench-groups-cp', controllerManager: false });
const kafka = await KafkaFixture.start({
  name: 'bench-groups-kafka',
  config: { 'auto.create.topics.enable': 'false' },
});
const parts = (operatorPid: number): Record<string, number | undefined> => ({
  operator: operatorPid,
  'kube-apiserver': cp.pids.apiserver,
  etcd: cp.pids.etcd,
  Kafka: kafka.nodes[0]?.process.pid,
  bench: process.pid,
});
const cpuOfParts = (operatorPid: number): Record<string, number> =>
  Object.fromEntries(
    Object.entries(parts(operatorPid)).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : 0]),
  );

const client = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
await installCrds(client);
await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } });

// Kafka: topics with a few records, and every group's committed offsets.
const kafkaClient = new Kafka({
  clientId: 'bench',
  brokers: kafka.bootstrapServers.split(','),
  logLevel: logLevel.NOTHING,
});
const admin = kafkaClient.admin();
await admin.connect();
let t0 = performance.now();
const topicNames = Array.from({ length: TOPICS }, (_, i) => `t-${i}`);
await admin.createTopics({
  waitForLeaders: true,
  topics: topicNames.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
});
// Asked again: Metadata names a new partition's leader a moment before that broker serves it
// (NOT_LEADER_FOR_PARTITION).
const producer = kafkaClient.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
await waitFor('records produced', async () => {
  try {
    await producer.sendBatch({
      topicMessages: topicNames.map((topic) => ({
        topic,
        messages: Array.from({ length: PARTITIONS * RECORDS }, (_, j) => ({
          partition: j % PARTITIONS,
          value: 'x',
        })),
      })),
    });
    return true;
  } catch {
    return false;
  }
});
await producer.disconnect();
// A partly failed batch sent again wrote some partitions twice: commit against the real ends.
const ends = new Map<string, number[]>();
for (const topic of topicNames) {
  const offsets = await admin.fetchTopicOffsets(topic);
  ends.set(
    topic,
    Array.from({ length: PARTITIONS }, (_, p) =>
      Number(offsets.find((o) => o.partition === p)!.high),
    ),
  );
}
await pool(
  Array.from({ length: GROUPS }, (_, i) => i),
  16,
  (i) =>
    admin.setOffsets({
      groupId: `g-${i}`,
      topic: topicOf(i),
      partitions: ends.get(topicOf(i))!.map((end, partition) => ({
        partition,
        offset: String(i % 3 === 0 ? end - 4 : end),
      })),
    }),
);
const kafkaSetupS = (performance.now() - t0) / 1000;

// Kubernetes: the Deployments first (podless: no controller-manager).
t0 = performance.now();
await pool(
  Array.from({ length: GROUPS }, (_, i) => i),
  32,
  (i) =>
    client.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `c-${i}`, namespace },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: `c-${i}` } },
          template: {
            metadata: { labels: { app: `c-${i}` } },
            spec: { containers: [{ name: 'consumer', image: 'consumer:bench' }] },
          },
        },
      },
    }),
);
const deploymentsS = (performance.now() - t0) / 1000;

const op = await startOperator();
await new Promise((r) => setTimeout(r, 3000));
const idleRss = procStatus(op.pid, 'VmRSS');

const watch = await readiness(client);
t0 = performance.now();
await pool(
  Array.from({ length: GROUPS }, (_, i) => i),
  32,
  (i) =>
    client.request('POST', `${api}/namespaces/${namespace}/kafkaconsumergroups`, {
      body: {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaConsumerGroup',
        metadata: { name: `g-${i}`, namespace },
        spec: {
          bootstrapServers: kafka.bootstrapServers,
          groupId: `g-${i}`,
          topics: [topicOf(i)],
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `c-${i}` },
          minReplicas: 1,
          maxReplicas: 10,
          pollIntervalSeconds: POLL_S,
        },
      },
    }),
);
const postedS = (performance.now() - t0) / 1000;
let giveUp: ReturnType<typeof setTimeout> | undefined;
await Promise.race([
  watch.allMeasured,
  new Promise((_, reject) => {
    giveUp = setTimeout(
      () => reject(new Error(`only ${watch.measured.size}/${GROUPS} groups measured after 10 min`)),
      10 * 60_000,
    );
  }),
]);
clearTimeout(giveUp);
const measuredS = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, SETTLE_S * 1000));

// The steady window.
const before = {
  cpu: cpuOfParts(op.pid),
  polls: await polls(op.port),
  errors: await pollErrors(op.port),
  kafka: await kafkaRequests(op.port),
  api: await apiRequests(client),
};
const rss: number[] = [];
t0 = performance.now();
while (performance.now() - t0 < WINDOW_S * 1000) {
  await new Promise((r) => setTimeout(r, 1000));
  rss.push(procStatus(op.pid, 'VmRSS'));
}
const windowS = (performance.now() - t0) / 1000;
const after = {
  cpu: cpuOfParts(op.pid),
  polls: await polls(op.port),
  errors: await pollErrors(op.port),
  kafka: await kafkaRequests(op.port),
  api: await apiRequests(client),
};
const stillMeasured = watch.measured.size;
await watch.stop();
const peakRss = procStatus(op.pid, 'VmHWM');

const cpu = Object.fromEntries(
  Object.entries(after.cpu).map(([k, v]) => [k, v - (before.cpu[k] ?? 0)]),
);
const pollCount = after.polls - before.polls;
const kafkaD = diff(after.kafka, before.kafka);
const kafkaTotal = [...kafkaD.values()].reduce((a, b) => a + b, 0);
// The bench's own two reads of kube-apiserver's /metrics count as "GET " (no resource).
const apiD = diff(after.api, before.api);
const byVerb = new Map<string, number>();
for (const [k, v] of apiD) {
  const verb = k.split(' ')[0]!;
  byVerb.set(verb, (byVerb.get(verb) ?? 0) + v);
}
const writes = [...apiD]
  .filter(([k]) => /^(POST|PUT|PATCH|DELETE|APPLY) /.test(k))
  .map(([k, v]) => `${k} ${(v / windowS).toFixed(2)}/s`);
const reads = [...apiD]
  .filter(([k]) => /^(GET|LIST|WATCH) /.test(k))
  .map(([k, n]) => `${k} ${(n / windowS).toFixed(1)}/s`);

const perS = (n: number) => (n / windowS).toFixed(1);
const cores = availableParallelism();
const totalCpu = Object.values(cpu).reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '∞');

console.log(
  `\nKafkaConsumerGroup benchmark, GROUPS=${GROUPS}, ${TOPICS} topics × ${PARTITIONS} partitions, poll ${POLL_S} s, Kafka ${kafka.version} (1 broker), load average ${loadAverage()}, logs in ${logRoot}`,
);
console.log(
  `setup: Kafka topics + offsets ${kafkaSetupS.toFixed(1)} s, Deployments ${deploymentsS.toFixed(1)} s, KafkaConsumerGroups POSTed ${postedS.toFixed(1)} s, all measured after ${measuredS.toFixed(1)} s`,
);
console.log(
  `steady window ${windowS.toFixed(1)} s (after ${SETTLE_S} s settle): ${stillMeasured}/${GROUPS} measured at its end`,
);
console.log(
  `polls                  ${perS(pollCount)}/s (${pollCount} reconciles, ${after.errors - before.errors} errors; ideal ${(GROUPS / POLL_S).toFixed(0)}/s)`,
);
console.log(
  `Kafka requests         ${perS(kafkaTotal)}/s, ${ratio(kafkaTotal, pollCount)} per poll: ` +
    [...kafkaD]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${perS(n)}/s`)
      .join(', '),
);
console.log(
  `operator CPU           ${cpu.operator!.toFixed(1)} s = ${((cpu.operator! / windowS) * 100).toFixed(0)}% of a core, ${((cpu.operator! / Math.max(pollCount, 1)) * 1000).toFixed(2)} ms per poll`,
);
console.log(
  `  ratio operator/Kafka ${ratio(cpu.operator!, cpu.Kafka!)}, operator/kube-apiserver ${ratio(cpu.operator!, cpu['kube-apiserver']!)}`,
);
console.log(
  `machine CPU            ${totalCpu.toFixed(1)} CPU-s of ${(cores * windowS).toFixed(1)} (${((totalCpu / (cores * windowS)) * 100).toFixed(0)}%): ` +
    Object.entries(cpu)
      .map(([k, s]) => `${k} ${s.toFixed(1)}`)
      .join(', '),
);
console.log(
  `API requests           ${[...byVerb].map(([k, n]) => `${k} ${perS(n)}/s`).join(', ')}; writes: ${writes.join(', ') || 'none'}`,
);
console.log(`  reads: ${reads.join(', ')}`);
const meanRss = rss.reduce((a, b) => a + b, 0) / Math.max(rss.length, 1);
console.log(
  `operator RSS           idle ${idleRss.toFixed(0)} MB; window mean ${meanRss.toFixed(0)} MB, max ${Math.max(...rss).toFixed(0)} MB; peak (VmHWM) ${peakRss.toFixed(0)} MB`,
);

await op.stop();
await admin.disconnect();
await kafka.stop();
await cp.stop();
