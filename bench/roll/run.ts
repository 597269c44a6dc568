// Benchmark (prints numbers; asserts nothing but the data): a rolling restart of 6 brokers in
// 3 zones, one pod at a time vs one zone at a time, under a steady acks=all producer.
//   KUBECONFIG=<multi-node kind> node bench/roll/run.ts [--rounds 1] [--rate 100] [--version 4.1.1]
//   node bench/roll/run.ts --dry-run      (the pure parts only; no cluster)
// Needs a kind cluster whose worker nodes carry topology.kubernetes.io/zone in at least 3 zones,
// and the operator running (it stamps each broker with its node's zone: broker.rack); it refuses
// to start otherwise.
// Per round and strategy, in a namespace of its own: apply the KafkaCluster, wait Ready, a
// KafkaTopic (12 partitions, RF 3, min ISR 2), start the producer pod, change a static config
// key, time the roll until Ready again, stop the producer, read the topic back. bench/roll/README.md.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { loadAverage } from '../lib.ts';
import { KubeClient, isNotFound, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import { waitFor } from '../../test/fixtures/process.ts';
import { kubernetesBinary } from '../../test/fixtures/toolchain.ts';
import {
  CLUSTER,
  DownTracker,
  STRATEGIES,
  TOPIC,
  ZONE_LABEL,
  benchCluster,
  benchTopic,
  formatRun,
  lostValues,
  parseProducerLog,
  producerScript,
  summary,
  type BenchOptions,
  type PodSnapshot,
  type RunResult,
  type Strategy,
} from './measure.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    rate: { type: 'string', default: '100' },
    version: { type: 'string', default: '4.1.1' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const bench: BenchOptions = { version: opts.version, brokers: 6, controllers: 3 };
const rate = Number(opts.rate);

if (opts['dry-run']) {
  dryRun();
  process.exit(0);
}

const kubeconfig = process.env.KUBECONFIG;
if (!kubeconfig) {
  console.error('KUBECONFIG must name the multi-node kind cluster to measure on');
  process.exit(2);
}
const kube = new KubeClient(loadKubeConfig(kubeconfig));
const run = promisify(execFile);

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubernetesBinary('kubectl'), args, {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    maxBuffer: 256 << 20,
  });
  return stdout;
}

interface Obj {
  metadata: {
    name: string;
    generation?: number;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
  };
  spec?: {
    taints?: { effect: string }[];
    template?: { spec?: { containers?: { image: string }[] } };
  };
  status?: {
    observedGeneration?: number;
    updateRevision?: string;
    conditions?: { type: string; status: string }[];
  };
}

const api = {
  cluster: (ns: string) => `/apis/kraftwerk.dev/v1alpha1/namespaces/${ns}/kafkaclusters/${CLUSTER}`,
  topic: (ns: string) => `/apis/kraftwerk.dev/v1alpha1/namespaces/${ns}/kafkatopics/${TOPIC}`,
  pods: (ns: string) => `/api/v1/namespaces/${ns}/pods`,
  sts: (ns: string, role: string) =>
    `/apis/apps/v1/namespaces/${ns}/statefulsets/${CLUSTER}-${role}`,
};

async function applyObject(path: string, body: object): Promise<Obj> {
  return kube.request<Obj>('PATCH', `${path}?fieldManager=bench-roll&force=true`, {
    body,
    contentType: 'application/apply-patch+yaml',
  });
}

const isReady = (o: Obj) =>
  o.status?.observedGeneration === o.metadata.generation &&
  o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function waitReady(path: string, what: string): Promise<void> {
  await waitFor(what, async () => isReady(await kube.request<Obj>('GET', path)), {
    timeoutMs: 20 * 60_000,
    intervalMs: 1000,
  });
}

/** Zones of the nodes pods can run on; the bench needs three. */
async function zones(): Promise<Set<string>> {
  const nodes = await kube.request<{ items: Obj[] }>('GET', '/api/v1/nodes');
  const out = new Set<string>();
  for (const n of nodes.items) {
    if ((n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule')) continue;
    const z = n.metadata.labels?.[ZONE_LABEL];
    if (z) out.add(z);
  }
  return out;
}

async function listPods(ns: string, role: string): Promise<Obj[]> {
  const sel = encodeURIComponent(`kraftwerk.dev/cluster=${CLUSTER},kraftwerk.dev/role=${role}`);
  return (await kube.request<{ items: Obj[] }>('GET', `${api.pods(ns)}?labelSelector=${sel}`))
    .items;
}

function snapshot(p: Obj & { status?: { conditions?: { type: string; status: string }[] } }) {
  return {
    name: p.metadata.name,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    terminating: p.metadata.deletionTimestamp !== undefined,
  } satisfies PodSnapshot;
}

/** Every pod of both roles runs its StatefulSet's update revision. */
async function allOnNewSpec(ns: string): Promise<boolean> {
  for (const role of ['controller', 'broker']) {
    const sts = await kube.request<Obj>('GET', api.sts(ns, role));
    const pods = await listPods(ns, role);
    const want = sts.status?.updateRevision;
    if (!want) return false;
    if (pods.some((p) => p.metadata.labels?.['controller-revision-hash'] !== want)) return false;
  }
  return true;
}

async function producerLog(ns: string): Promise<string> {
  return kubectl('-n', ns, 'logs', 'producer', '-c', 'producer');
}

async function measure(strategy: Strategy, round: number): Promise<RunResult> {
  const ns = `bench-roll-${strategy.toLowerCase()}-${round}`;
  await kube.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
  try {
    await applyObject(api.cluster(ns), benchCluster(strategy, bench, '500'));
    await waitReady(api.cluster(ns), `${ns}/${CLUSTER} Ready`);
    const brokers = await listPods(ns, 'broker');
    // The operator stamps each broker pod with its node's zone (kraftwerk.dev/rack); on 1.35+
    // PodTopologyLabels also copies the zone label onto the pod.
    const brokerZones = new Set(
      brokers.map(
        (p) => p.metadata.annotations?.['kraftwerk.dev/rack'] ?? p.metadata.labels?.[ZONE_LABEL],
      ),
    );
    if (brokerZones.has(undefined) || brokerZones.size < 3) {
      throw new Error(
        `broker pods carry zones ${[...brokerZones].join(',')}: every broker needs a rack (the operator's kraftwerk.dev/rack stamp from the node's ${ZONE_LABEL}) in 3 zones, or RackAtATime rolls one at a time`,
      );
    }
    await applyObject(api.topic(ns), benchTopic());
    await waitReady(api.topic(ns), `${ns}/${TOPIC} Ready`);

    const sts = await kube.request<Obj>('GET', api.sts(ns, 'broker'));
    const image =
      sts.spec?.template?.spec?.containers?.[0]?.image ?? `apache/kafka:${bench.version}`;
    const bootstrap = `${CLUSTER}-kafka-bootstrap.${ns}.svc:9092`;
    await kube.request('POST', api.pods(ns), {
      body: {
        metadata: { name: 'producer' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'producer',
              image,
              command: ['sh', '-c', producerScript(bootstrap, rate)],
              env: [
                { name: 'KAFKA_HEAP_OPTS', value: '-Xmx256m' },
                { name: 'LOG_DIR', value: '/tmp' },
              ],
              resources: { requests: { cpu: '100m', memory: '384Mi' } },
            },
          ],
        },
      },
    });
    let died: string | undefined;
    await waitFor(
      'the producer has 200 messages acknowledged',
      async () => {
        const log = await producerLog(ns).catch(() => '');
        // A producer that could not start never acknowledges anything: stop at once, say why.
        died = /^Exception in thread "main" (.*)$/m.exec(log)?.[1];
        return died !== undefined || parseProducerLog(log).acked.length >= 200;
      },
      { timeoutMs: 5 * 60_000, intervalMs: 2000 },
    );
    if (died) throw new Error(`the producer exited: ${died}`);

    // The roll: a static key changes, every pod restarts once.
    const expected = Array.from({ length: bench.brokers }, (_, i) => `${CLUSTER}-broker-${i}`);
    const tracker = new DownTracker(expected);
    const started = Date.now();
    const changed = await applyObject(api.cluster(ns), benchCluster(strategy, bench, '501'));
    const generation = changed.metadata.generation;
    await waitFor(
      `${ns} rolled`,
      async () => {
        tracker.observe((await listPods(ns, 'broker')).map(snapshot), Date.now() - started);
        const kc = await kube.request<Obj>('GET', api.cluster(ns));
        return kc.metadata.generation === generation && isReady(kc) && (await allOnNewSpec(ns));
      },
      { timeoutMs: 60 * 60_000, intervalMs: 1000 },
    );
    const totalMs = Date.now() - started;

    await kubectl('-n', ns, 'exec', 'producer', '--', 'touch', '/tmp/stop');
    const produced = await waitFor(
      'the producer to flush and stop',
      async () => {
        const log = parseProducerLog(await producerLog(ns));
        return log.done && log;
      },
      { timeoutMs: 6 * 60_000, intervalMs: 2000 },
    );
    // Read back from the beginning; a lost message makes it wait out --timeout-ms (and shows).
    const consumed = await run(
      kubernetesBinary('kubectl'),
      [
        '-n',
        ns,
        'exec',
        'producer',
        '--',
        '/opt/kafka/bin/kafka-console-consumer.sh',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        TOPIC,
        '--from-beginning',
        '--max-messages',
        String(produced.acked.length),
        '--timeout-ms',
        '60000',
      ],
      { env: { ...process.env, KUBECONFIG: kubeconfig }, maxBuffer: 256 << 20 },
    ).then(
      (r) => r.stdout,
      // The console consumer exits non-zero on its timeout: what it printed still counts.
      (e: { stdout?: string }) => e.stdout ?? '',
    );
    const lost = lostValues(produced.acked, consumed.split('\n').filter(Boolean));
    if (lost.length > 0) console.log(`  lost: ${lost.slice(0, 20).join(',')}…`);
    return {
      strategy,
      round,
      totalMs,
      brokerMs:
        tracker.firstDownMs !== undefined && tracker.lastBackMs !== undefined
          ? tracker.lastBackMs - tracker.firstDownMs
          : 0,
      maxBrokersDown: tracker.maxDown,
      acked: produced.acked.length,
      failed: produced.failed,
      lost: lost.length,
    };
  } finally {
    await kube.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
    await waitFor(
      `${ns} gone`,
      async () =>
        kube.request('GET', `/api/v1/namespaces/${ns}`).then(
          () => false,
          (e: unknown) => isNotFound(e),
        ),
      { timeoutMs: 10 * 60_000, intervalMs: 2000 },
    );
  }
}

function dryRun(): void {
  console.log(JSON.stringify(benchCluster('RackAtATime', bench, '501'), null, 2));
  console.log(JSON.stringify(benchTopic(), null, 2));
  console.log(producerScript(`${CLUSTER}-kafka-bootstrap.ns.svc:9092`, rate));
  const log = parseProducerLog(
    [
      '{"timestamp":1,"name":"startup_complete"}',
      '[2026-12-03 06:00:00,000] WARN some log line',
      '{"timestamp":2,"name":"producer_send_success","key":null,"value":"0","topic":"roll","partition":3,"offset":0}',
      '{"timestamp":3,"name":"producer_send_success","key":null,"value":"1","topic":"roll","partition":4,"offset":0}',
      '{"timestamp":4,"name":"producer_send_error","exception":"x","message":"y","topic":"roll","key":null,"value":"2"}',
      '{"timestamp":5,"name":"shutdown_complete"}',
      '{"timestamp":6,"name":"tool_data","sent":3,"acked":2,"target_throughput":100,"avg_throughput":99.0}',
      'BENCH-PRODUCER-DONE',
    ].join('\n'),
  );
  console.log('parsed producer log:', JSON.stringify(log));
  console.log('lost of [0,1] reading back [1]:', lostValues(log.acked, ['1']));
  const tracker = new DownTracker(['b-0', 'b-1']);
  const up = (name: string, ready = true) => ({ name, ready, terminating: false });
  tracker.observe([up('b-0'), up('b-1')], 0);
  tracker.observe([up('b-1')], 1000);
  tracker.observe([up('b-0', false), up('b-1', false)], 2000);
  tracker.observe([up('b-0'), up('b-1')], 5000);
  console.log('down tracker:', JSON.stringify(tracker));
  const results: RunResult[] = [
    {
      strategy: 'OneAtATime',
      round: 1,
      totalMs: 300_000,
      brokerMs: 240_000,
      maxBrokersDown: 1,
      acked: 30_000,
      failed: 0,
      lost: 0,
    },
    {
      strategy: 'RackAtATime',
      round: 1,
      totalMs: 150_000,
      brokerMs: 90_000,
      maxBrokersDown: 2,
      acked: 15_000,
      failed: 0,
      lost: 0,
    },
  ];
  console.log('report of made-up runs (the format, not a measurement):');
  for (const r of results) console.log(formatRun(r));
  for (const line of summary(results)) console.log(line);
}

const found = await zones();
if (found.size < 3) {
  console.error(
    `the cluster in ${kubeconfig} has schedulable nodes in ${found.size} zone(s) (${[...found].join(', ') || 'none labelled'}); this bench needs 3 (${ZONE_LABEL} on the worker nodes)`,
  );
  process.exit(2);
}
console.log(`zones: ${[...found].join(', ')}; load average at start: ${loadAverage()}`);
const results: RunResult[] = [];
for (let round = 1; round <= Number(opts.rounds); round++) {
  // Alternate the order, so a drift in the machine's load spreads over both.
  const order = round % 2 ? STRATEGIES : [...STRATEGIES].reverse();
  for (const strategy of order) {
    const r = await measure(strategy, round);
    results.push(r);
    console.log(`${formatRun(r)} (load ${loadAverage()})`);
  }
}
for (const line of summary(results)) console.log(line);
