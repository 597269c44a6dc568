// Benchmark (prints numbers; asserts nothing): what securing a KafkaCluster costs from
// `kubectl apply` to Ready, like for like, in one run on the kind cluster.
//   node bench/tls/apply-ready.ts [--rounds 2] [--version 4.1.1]
// Needs the kind cluster with the operator running (`npm run demo`, or hack/e2e/up.sh). Per
// round, the same 3-node combined cluster (ephemeral storage, the e2e suite's requests and heap)
// is applied twice in namespaces of its own: plaintext (one internal PLAINTEXT listener), and
// secured (the same listener with TLS + SCRAM-SHA-512 and authorization: certificates issued,
// CONTROLLER and REPLICATION over mTLS, the operator connecting with its own certificate). The
// order alternates between rounds so a drift in the machine's load spreads over both; each
// namespace is deleted (and waited for) before the next apply. Prints every round, the medians
// and the ratio secured / plaintext. bench/tls/README.md.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage } from '../lib.ts';
import { KubeClient, loadKubeConfig, isNotFound } from '../../operator/src/runtime/kube-client.ts';
import { waitFor } from '../../test/fixtures/process.ts';
import { cacheRoot } from '../../test/fixtures/toolchain.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    version: { type: 'string', default: '4.1.1' },
  },
});
const rounds = Number(opts.rounds);
// hack/kind/up.sh's kubeconfig, or KIND_KUBECONFIG as the hack/ scripts take it.
const kube = new KubeClient(
  loadKubeConfig(process.env.KIND_KUBECONFIG ?? join(cacheRoot, 'kind', 'kraftwerk.kubeconfig')),
);

type Mode = 'plaintext' | 'secured';

function cluster(mode: Mode) {
  const listener =
    mode === 'secured'
      ? { tls: true, authentication: { type: 'scram-sha-512' } }
      : ({} as Record<string, unknown>);
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'bench' },
    spec: {
      version: opts.version,
      brokers: {
        replicas: 3,
        storage: { type: 'ephemeral' },
        resources: { requests: { cpu: '100m', memory: '640Mi' } },
        jvm: { heap: '320m' },
      },
      listeners: [{ name: 'internal', port: 9092, type: 'internal', ...listener }],
      ...(mode === 'secured' ? { authorization: { type: 'simple' } } : {}),
      config: { 'default.replication.factor': '3', 'min.insync.replicas': '2' },
    },
  };
}

interface Cluster {
  metadata: { generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
  };
}

async function applyUntilReady(mode: Mode, round: number): Promise<number> {
  const ns = `bench-ready-${mode}-${round}`;
  await kube.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
  const path = `/apis/kraftwerk.dev/v1alpha1/namespaces/${ns}/kafkaclusters/bench`;
  const started = Date.now();
  await kube.request('PATCH', `${path}?fieldManager=bench&force=true`, {
    body: cluster(mode),
    contentType: 'application/apply-patch+yaml',
  });
  await waitFor(
    `${ns} Ready`,
    async () => {
      const c = await kube.request<Cluster>('GET', path);
      const ready = c.status?.conditions?.find((x) => x.type === 'Ready');
      return c.status?.observedGeneration === c.metadata.generation && ready?.status === 'True';
    },
    { timeoutMs: 15 * 60_000, intervalMs: 500 },
  );
  const ms = Date.now() - started;
  await kube.request('DELETE', path);
  await kube.request('DELETE', `/api/v1/namespaces/${ns}`);
  await waitFor(
    `${ns} gone`,
    async () =>
      kube.request('GET', `/api/v1/namespaces/${ns}`).then(
        () => false,
        (e: unknown) => {
          if (isNotFound(e)) return true;
          throw e;
        },
      ),
    { timeoutMs: 10 * 60_000, intervalMs: 1000 },
  );
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const times: Record<Mode, number[]> = { plaintext: [], secured: [] };
console.log(`load average at start: ${loadAverage()}`);
for (let r = 1; r <= rounds; r++) {
  const order: Mode[] = r % 2 ? ['plaintext', 'secured'] : ['secured', 'plaintext'];
  for (const mode of order) {
    const ms = await applyUntilReady(mode, r);
    times[mode].push(ms);
    console.log(
      `round ${r} ${mode.padEnd(9)} apply → Ready ${(ms / 1000).toFixed(1)} s (load ${loadAverage()})`,
    );
  }
}
const plain = median(times.plaintext);
const secured = median(times.secured);
console.log(
  `median apply → Ready: plaintext ${(plain / 1000).toFixed(1)} s, secured ${(secured / 1000).toFixed(1)} s, ratio ${(secured / plain).toFixed(2)}×`,
);
