// Benchmark (prints numbers; asserts nothing): N KafkaTopic resources applied at once.
//   node bench/topic/apply-topics.ts [N=1000]
// Measures, against a real kube-apiserver and a real Kafka 4.1 node:
//   - baseline: the same N topics created straight through kafkajs' admin (batches of 100),
//     the floor any operator sits on;
//   - the operator (a separate `node operator/src/main.ts` process): time until every resource
//     is Ready and its topic exists in Kafka, topics/s, ratio to the baseline, idle and peak RSS;
//   - one full resync of N unchanged topics: reconciles, CPU time, API writes.
// Strimzi's published figures for reference: ~17 topic events/s, ~314 MB at 4,100 topics.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { operatorNodeOptions } from '../../operator/src/node-options.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import { ControlPlane } from '../../test/fixtures/control-plane.ts';
import { installCrds } from '../../test/fixtures/crds.ts';
import { KafkaFixture } from '../../test/fixtures/kafka.ts';
import { freePort } from '../../test/fixtures/ports.ts';
import { logRoot, waitFor } from '../../test/fixtures/process.ts';
import { repoRoot } from '../../test/fixtures/toolchain.ts';

const N = Number(process.argv[2] ?? 1000);
const namespace = 'bench';

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
}
async function metric(port: number, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(label))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}
async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

const cp = await ControlPlane.start({ name: 'bench-topics-cp', controllerManager: false });
const kafka = await KafkaFixture.start({
  name: 'bench-topics-kafka',
  config: { 'auto.create.topics.enable': 'false' },
});
const client = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
await installCrds(client);
await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } });
const admin = new Kafka({
  clientId: 'bench',
  brokers: kafka.bootstrapServers.split(','),
  logLevel: logLevel.NOTHING,
}).admin();
await admin.connect();

// Baseline: kafkajs straight to Kafka.
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
await waitFor(
  `${N} baseline topics in metadata`,
  async () => (await admin.listTopics()).filter((n) => n.startsWith('base-')).length === N,
  { timeoutMs: 10 * 60_000 },
);
const baselineS = (performance.now() - t0) / 1000;

// The operator, as a separate process.
const port = await freePort();
const operator = spawn(process.execPath, [join(repoRoot, 'operator/src/main.ts')], {
  env: {
    ...process.env,
    // As shipped (chart, cdk8s); OPERATOR_NODE_OPTIONS='' measures V8's defaults instead.
    NODE_OPTIONS: process.env.OPERATOR_NODE_OPTIONS ?? operatorNodeOptions,
    KUBECONFIG: cp.kubeconfigPath,
    KRAFTWERK_WATCH_NAMESPACES: namespace,
    KRAFTWERK_LEADER_ELECTION: 'false',
    KRAFTWERK_HTTP_PORT: String(port),
    KRAFTWERK_RESYNC_SECONDS: '3600',
    KRAFTWERK_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const pid = operator.pid!;
await waitFor(
  'operator /readyz',
  async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok,
);
await new Promise((r) => setTimeout(r, 2000));
const idleRss = procStatus(pid, 'VmRSS');

t0 = performance.now();
await pool(
  Array.from({ length: N }, (_, i) => i),
  32,
  (i) =>
    client.request('POST', `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkatopics`, {
      body: {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaTopic',
        metadata: { name: `t-${i}`, namespace },
        spec: {
          bootstrapServers: kafka.bootstrapServers,
          partitions: 1,
          replicationFactor: 1,
          config: { 'retention.ms': '86400000' },
        },
      },
    }),
);
const appliedS = (performance.now() - t0) / 1000;
await waitFor(
  `${N} KafkaTopics Ready`,
  async () => {
    const list = await client.request<{
      items: { status?: { topicId?: string; conditions?: { type: string; status: string }[] } }[];
    }>('GET', `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkatopics`);
    return (
      list.items.filter(
        (t) =>
          t.status?.topicId &&
          t.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length === N
    );
  },
  { timeoutMs: 15 * 60_000, intervalMs: 500 },
);
const readyS = (performance.now() - t0) / 1000;
const inKafka = (await admin.listTopics()).filter((n) => n.startsWith('t-')).length;
const peakRss = procStatus(pid, 'VmHWM');

// One full resync of N unchanged topics: enqueue every key by touching nothing — restart the
// resync clock is not possible from outside, so measure a relist-driven pass instead: a label
// on every resource changes its resourceVersion (but not its generation), which reconciles it.
const before = {
  cpu: cpuSeconds(pid),
  reconciles: await metric(port, 'kraftwerk_reconcile_total', 'kafkatopic'),
};
t0 = performance.now();
await pool(
  Array.from({ length: N }, (_, i) => i),
  32,
  (i) =>
    client.request(
      'PATCH',
      `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkatopics/t-${i}`,
      {
        body: { metadata: { labels: { touched: '1' } } },
        contentType: 'application/merge-patch+json',
      },
    ),
);
await waitFor(
  'one reconcile of every topic',
  async () =>
    (await metric(port, 'kraftwerk_reconcile_total', 'kafkatopic')) - before.reconciles >= N,
  { timeoutMs: 10 * 60_000 },
);
const resyncS = (performance.now() - t0) / 1000;
const resyncCpu = cpuSeconds(pid) - before.cpu;

console.log(
  `\nKafkaTopic benchmark, N=${N}, Kafka ${kafka.version} (1 broker), logs in ${logRoot}`,
);
console.log(
  `baseline kafkajs createTopics      ${baselineS.toFixed(1)} s  ${(N / baselineS).toFixed(0)} topics/s`,
);
console.log(`operator: resources applied in     ${appliedS.toFixed(1)} s`);
console.log(
  `operator: all Ready + in Kafka     ${readyS.toFixed(1)} s  ${(N / readyS).toFixed(0)} topics/s  (${inKafka}/${N} in Kafka)  ratio to baseline ${(readyS / baselineS).toFixed(2)}x`,
);
console.log(
  `operator RSS idle / peak            ${idleRss.toFixed(0)} MB / ${peakRss.toFixed(0)} MB`,
);
console.log(
  `full pass over ${N} unchanged topics  ${resyncS.toFixed(1)} s  CPU ${resyncCpu.toFixed(2)} s (${((resyncCpu / N) * 1000).toFixed(2)} ms/topic)`,
);
console.log(`reference (Strimzi, published)     ~17 topics/s, ~314 MB at 4,100 topics`);

operator.kill('SIGTERM');
await admin.disconnect();
await kafka.stop();
await cp.stop();
