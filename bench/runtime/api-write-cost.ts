// Benchmark (prints numbers; asserts nothing): what one write of each kind costs the API server.
//   node bench/runtime/api-write-cost.ts [N=1000]
// Against a real kube-apiserver + etcd with our CRDs: N KafkaTopics POSTed (the baseline every
// ratio is taken against), then one write per object of each kind the topic reconciler could
// send — the finalizer and the status, each as a server-side apply (what it sends) and as the
// cheapest patch that would do the same — 32 at a time, like the reconciler's bursts. Per kind:
// wall time, kube-apiserver + etcd CPU per write (from /proc), ratio to a POST.
// Why: at 1,000 new topics the machine is CPU-bound and kube-apiserver is its largest user
// (bench/topic/apply-topics.ts prints the split); docs/topics.md, "Load", has the numbers.
import { cpuSeconds, loadAverage, pool } from '../lib.ts';
import { KubeClient, loadKubeConfig } from '../../operator/src/runtime/kube-client.ts';
import { ControlPlane } from '../../test/fixtures/control-plane.ts';
import { installCrds } from '../../test/fixtures/crds.ts';

const N = Number(process.argv[2] ?? 1000);
const api = '/apis/kraftwerk.dev/v1alpha1';

const cp = await ControlPlane.start({ name: 'bench-api-cost', controllerManager: false });
const client = new KubeClient(loadKubeConfig(cp.kubeconfigPath));
await installCrds(client);
const ns = 'cost';
await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
const path = (i: number, sub = '') => `${api}/namespaces/${ns}/kafkatopics/t-${i}${sub}`;

const status = (i: number) => ({
  observedGeneration: 1,
  topicName: `t-${i}`,
  topicId: 'q8Vt4yBfR3qmC1uL0kYw7A',
  partitions: 1,
  replicationFactor: 1,
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      reason: 'TopicReady',
      message: `topic "t-${i}" is as declared`,
      observedGeneration: 1,
      lastTransitionTime: '2026-11-22T08:00:00Z',
    },
    {
      type: 'Reconciling',
      status: 'False',
      reason: 'TopicReady',
      message: 'nothing to do',
      observedGeneration: 1,
      lastTransitionTime: '2026-11-22T08:00:00Z',
    },
  ],
});

const kinds: [string, (i: number, round: number) => Promise<unknown>][] = [
  [
    'POST KafkaTopic (baseline)',
    (i, round) =>
      client.request('POST', `${api}/namespaces/${ns}/kafkatopics`, {
        body: {
          apiVersion: 'kraftwerk.dev/v1alpha1',
          kind: 'KafkaTopic',
          metadata: { name: `t-${i + round * N}`, namespace: ns },
          spec: { bootstrapServers: 'kafka:9092', partitions: 1, replicationFactor: 1 },
        },
      }),
  ],
  [
    'finalizer, server-side apply',
    (i, round) =>
      client.request('PATCH', path(i + round * N), {
        body: {
          apiVersion: 'kraftwerk.dev/v1alpha1',
          kind: 'KafkaTopic',
          metadata: {
            name: `t-${i + round * N}`,
            namespace: ns,
            finalizers: ['kraftwerk.dev/topic'],
          },
        },
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'kraftwerk-finalizer/kraftwerk.dev/topic', force: 'true' },
      }),
  ],
  [
    'finalizer, JSON patch',
    (i, round) =>
      client.request('PATCH', path(i + round * N), {
        body: [{ op: 'add', path: '/metadata/finalizers', value: ['kraftwerk.dev/topic'] }],
        contentType: 'application/json-patch+json',
      }),
  ],
  [
    'status, server-side apply',
    (i, round) =>
      client.request('PATCH', path(i + round * N, '/status'), {
        body: {
          apiVersion: 'kraftwerk.dev/v1alpha1',
          kind: 'KafkaTopic',
          metadata: { name: `t-${i + round * N}`, namespace: ns },
          status: status(i),
        },
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'kraftwerk', force: 'true' },
      }),
  ],
  [
    'status, merge patch',
    (i, round) =>
      client.request('PATCH', path(i + round * N, '/status'), {
        body: { status: status(i) },
        contentType: 'application/merge-patch+json',
      }),
  ],
];

// Two sets of N objects: the apply and the patch variants each get fresh objects (round 0 and
// 1), so neither is measured as a no-op on what the other wrote. A warm-up write first: the
// CRD's schema and CEL rules are compiled on first use.
await kinds[0]![1](0, 2);
const results: { name: string; wallS: number; cpuMs: number }[] = [];
const order = [
  [0, 0],
  [0, 1],
  [1, 0],
  [2, 1],
  [3, 0],
  [4, 1],
] as const;
for (const [k, round] of order) {
  const [name, write] = kinds[k]!;
  const cpu0 = cpuSeconds(cp.pids.apiserver) + cpuSeconds(cp.pids.etcd);
  const t0 = performance.now();
  await pool(
    Array.from({ length: N }, (_, i) => i),
    32,
    (i) => write(i, round),
  );
  const wallS = (performance.now() - t0) / 1000;
  const cpuMs = ((cpuSeconds(cp.pids.apiserver) + cpuSeconds(cp.pids.etcd) - cpu0) * 1000) / N;
  results.push({ name: k === 0 ? `${name}, set ${round + 1}` : name, wallS, cpuMs });
}

const base = (results[0]!.cpuMs + results[1]!.cpuMs) / 2;
const load = loadAverage();
console.log(`\nAPI write cost, N=${N} per kind, 32 at a time; load average ${load}`);
for (const r of results) {
  console.log(
    `${r.name.padEnd(34)} ${r.wallS.toFixed(1).padStart(5)} s  ${(N / r.wallS).toFixed(0).padStart(4)}/s  ` +
      `kube-apiserver+etcd ${r.cpuMs.toFixed(2)} ms CPU per write  (${(r.cpuMs / base).toFixed(2)}x a POST)`,
  );
}
await cp.stop();
