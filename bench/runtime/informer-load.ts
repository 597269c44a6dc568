// Informer load benchmark: operator RSS idle and with 5,000 KafkaTopics in the cache, and the
// time from an object's change to its reconcile starting (p50, p99), with 100 objects
// (baseline) and with 5,000.
//
//   node bench/runtime/informer-load.ts [--kubeconfig PATH] [--objects 5000] [--changes 500]
//                                        [--operator-node-flags=--max-semi-space-size=1]
//
// Without --kubeconfig it starts a private control plane (test/fixtures). The "operator" is a
// child process running only the runtime (informer + controller, managedFields stripped), so
// its RSS is not muddled by the load generator. "Change" is measured from the moment the
// PATCH is sent, so the latency includes the API server's write.
import { execFileSync, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pool } from '../lib.ts';
import { apply } from '../../operator/src/runtime/apply.ts';
import { Controller } from '../../operator/src/runtime/controller.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient } from '../../operator/src/runtime/kube-client.ts';
import type { KubeObject, ResourceInfo } from '../../operator/src/runtime/resource.ts';
import { builtinResources } from '../../operator/src/runtime/resource.ts';

const ns = 'bench';
const topics: ResourceInfo = {
  group: 'kraftwerk.dev',
  version: 'v1alpha1',
  kind: 'KafkaTopic',
  plural: 'kafkatopics',
  namespaced: true,
};
const now = () => performance.timeOrigin + performance.now();

type Msg =
  | { type: 'ready' }
  | { type: 'stats'; rss: number; maxRss: number; heapUsed: number; size: number }
  | { type: 'reconcile'; key: string; seq: string | undefined; at: number; eventAt: number };

// ---- the operator side (child process) ----------------------------------------------------

async function operator(kubeconfig: string): Promise<void> {
  const client = KubeClient.fromKubeconfig(kubeconfig);
  const informer = new Informer({
    client,
    resource: topics,
    namespaces: [ns],
  });
  const send = (m: Msg) => process.send!(m);
  // When the watch event reached the cache, to split the latency into the API server's part
  // and ours (registered before the controller's handler, so it runs first).
  const eventAt = new Map<string, number>();
  informer.on({
    update: (_old, obj) => {
      const seq = obj.metadata?.annotations?.['bench/seq'];
      if (seq) eventAt.set(seq, now());
    },
  });
  const controller = new Controller({
    name: 'KafkaTopic',
    informer,
    concurrency: 4,
    reconcile: async (key) => {
      const seq = informer.get(key)?.metadata?.annotations?.['bench/seq'];
      const at = now();
      send({ type: 'reconcile', key, seq, at, eventAt: (seq && eventAt.get(seq)) || NaN });
      if (seq) eventAt.delete(seq);
    },
  });
  informer.start();
  await informer.waitForSync(120_000);
  controller.start();
  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stats') return;
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    send({
      type: 'stats',
      rss: mem.rss,
      // The high-water mark: listing 5,000 objects and the changes briefly cost more.
      maxRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: mem.heapUsed,
      size: informer.size,
    });
  });
  send({ type: 'ready' });
}

// ---- the load generator (parent) ----------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function topic(i: number): KubeObject {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name: `t-${String(i).padStart(5, '0')}`, namespace: ns },
    spec: {
      cluster: 'demo',
      partitions: 12,
      replicationFactor: 3,
      config: { 'retention.ms': '604800000' },
    },
  } as KubeObject;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      objects: { type: 'string', default: '5000' },
      changes: { type: 'string', default: '500' },
      operator: { type: 'string' },
      // V8 flags for the operator process, e.g. "--max-semi-space-size=1" (space-separated).
      'operator-node-flags': { type: 'string', default: '' },
    },
  });
  if (values.operator) return operator(values.operator);
  const total = Number(values.objects);
  const operatorFlags = (values['operator-node-flags'] ?? '').split(' ').filter(Boolean);
  const changes = Number(values.changes);

  let stopControlPlane: (() => Promise<void>) | undefined;
  let kubeconfig = values.kubeconfig;
  if (!kubeconfig) {
    const { ControlPlane } = await import('../../test/fixtures/control-plane.ts');
    const cp = await ControlPlane.start({ name: 'bench-informer-load', controllerManager: false });
    kubeconfig = cp.kubeconfigPath;
    stopControlPlane = () => cp.stop();
  }
  const client = KubeClient.fromKubeconfig(kubeconfig);
  // The CRD from the API's one source of truth (what crds/ is generated from). Imported here,
  // not at the top: crd.ts loads @kubernetes/client-node (YAML), which the operator child
  // (this same file) must not load, or its RSS measures the library again.
  const { renderCrd } = await import('../../operator/src/api/crd.ts');
  const { kafkaTopicDefinition } = await import('../../operator/src/api/kafka-topic.ts');
  await apply(client, renderCrd(kafkaTopicDefinition) as unknown as KubeObject);
  for (let i = 0; i < 60; i++) {
    if (await client.resource('kraftwerk.dev/v1alpha1', 'KafkaTopic').catch(() => undefined)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await apply(
    client,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      resource: builtinResources.Namespace,
    },
  );

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--operator', kubeconfig], {
    execArgv: ['--expose-gc', ...operatorFlags],
  });
  const waiters = new Set<(m: Msg) => void>();
  const reconciled = new Map<string, { at: number; eventAt: number }>();
  child.on('message', (m: Msg) => {
    if (m.type === 'reconcile' && m.seq) reconciled.set(m.seq, { at: m.at, eventAt: m.eventAt });
    for (const w of waiters) w(m);
  });
  const next = <T extends Msg['type']>(type: T) =>
    new Promise<Extract<Msg, { type: T }>>((resolve) => {
      const w = (m: Msg) => {
        if (m.type === type) {
          waiters.delete(w);
          resolve(m as Extract<Msg, { type: T }>);
        }
      };
      waiters.add(w);
    });
  const stats = async () => {
    const p = next('stats');
    child.send({ type: 'stats' });
    return p;
  };
  const waitForSize = async (n: number) => {
    for (;;) {
      const s = await stats();
      if (s.size >= n) return s;
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  try {
    const existing = (await client.list(topics, ns, { limit: 1 })).items.length;
    if (existing > 0)
      throw new Error(`namespace ${ns} already has KafkaTopics; use a fresh cluster`);
    await next('ready');
    await new Promise((r) => setTimeout(r, 1000));
    const idle = await stats();

    const create = async (from: number, to: number) => {
      const ids = Array.from({ length: to - from }, (_, k) => from + k);
      await pool(ids, 16, async (i) => {
        await client.create(topics, topic(i));
      });
    };
    const measure = async (count: number, objects: number, ratePerSecond: number) => {
      const sent = new Map<string, number>();
      const ids = Array.from({ length: count }, (_, k) => Math.floor((k * objects) / count));
      const started = now();
      await pool(ids, 8, async (i) => {
        // Pace the changes so this measures latency under a steady load, not a burst.
        const k = sent.size;
        const due = started + (k * 1000) / ratePerSecond;
        const wait = due - now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const seq = `${Math.random().toString(36).slice(2)}-${k}`;
        sent.set(seq, now());
        await client.mergePatch(topics, ns, topic(i).metadata!.name!, {
          metadata: { annotations: { 'bench/seq': seq } },
        });
      });
      const deadline = Date.now() + 60_000;
      while ([...sent.keys()].some((s) => !reconciled.has(s)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const endToEnd = [...sent].map(([s, t]) => (reconciled.get(s)?.at ?? NaN) - t);
      const ours = [...sent].map(([s]) => {
        const r = reconciled.get(s);
        return r ? r.at - r.eventAt : NaN;
      });
      const missing = endToEnd.filter((x) => Number.isNaN(x)).length;
      const sorted = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      const e = sorted(endToEnd);
      const o = sorted(ours);
      return {
        p50: percentile(e, 50),
        p99: percentile(e, 99),
        eventToReconcileP50: percentile(o, 50),
        eventToReconcileP99: percentile(o, 99),
        missing,
      };
    };

    // The floors: node with only our API transport loaded, and with @kubernetes/client-node
    // (which the transport no longer imports; kubeconfig.ts loads it only for exec users).
    const floor = (code: string) =>
      Number(
        execFileSync(process.execPath, [
          '--expose-gc',
          ...operatorFlags,
          '--input-type=module',
          '-e',
          `${code}; gc(); console.log(process.memoryUsage().rss)`,
        ]).toString(),
      );
    const transportRss = floor(
      `await import(${JSON.stringify(new URL('../../operator/src/runtime/kube-client.ts', import.meta.url).href)})`,
    );
    const clientNodeRss = floor("await import('@kubernetes/client-node')");
    const t0 = Date.now();
    await create(0, 100);
    await waitForSize(100);
    const small = await measure(Math.min(200, changes), 100, 50);
    await create(100, total);
    const loaded = await waitForSize(total);
    const createSeconds = (Date.now() - t0) / 1000;
    const big = await measure(changes, total, 50);
    const loadedAfter = await stats();

    const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
    const ms = (x: number) => x.toFixed(1);
    console.log(
      `informer-load: ${total} KafkaTopics (created in ${createSeconds.toFixed(0)} s); operator node flags: ${operatorFlags.join(' ') || 'none'}`,
    );
    console.log(
      `  RSS idle (0 objects, synced)        ${mb(idle.rss)} MB (heap ${mb(idle.heapUsed)} MB)`,
    );
    console.log(
      `  RSS with ${total} objects cached    ${mb(loaded.rss)} MB (heap ${mb(loaded.heapUsed)} MB); ratio ${(loaded.rss / idle.rss).toFixed(2)}x idle`,
    );
    console.log(`  RSS after ${changes} changes           ${mb(loadedAfter.rss)} MB`);
    console.log(`  peak RSS (high-water mark)          ${mb(loadedAfter.maxRss)} MB`);
    console.log(
      `  RSS of node + our transport (kube-client.ts) alone: ${mb(transportRss)} MB; runtime + cache of ${total} objects add ${mb(loaded.rss - transportRss)} MB`,
    );
    console.log(`  for comparison, node + @kubernetes/client-node alone: ${mb(clientNodeRss)} MB`);
    for (const [label, r] of [
      ['100 objects (baseline)', small],
      [`${total} objects`, big],
    ] as const) {
      console.log(
        `  change -> reconcile start, ${label}: p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms (watch event -> reconcile start: p50 ${ms(r.eventToReconcileP50)} ms, p99 ${ms(r.eventToReconcileP99)} ms), missing ${r.missing}`,
      );
    }
    console.log(`  p99 ratio loaded/baseline: ${(big.p99 / small.p99).toFixed(2)}x`);
    console.log(
      `  load average: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    const under150 = (b: number) => (b < 150 * 1024 * 1024 ? 'met' : 'NOT met');
    console.log(
      `  targets: RSS < 150 MB: ${under150(loaded.rss)} (peak: ${under150(loadedAfter.maxRss)}); p99 < 100 ms: ${big.p99 < 100 ? 'met' : 'NOT met'}`,
    );
    console.log(
      JSON.stringify({
        objects: total,
        rssIdleBytes: idle.rss,
        rssLoadedBytes: loaded.rss,
        rssPeakBytes: loadedAfter.maxRss,
        rssTransportAloneBytes: transportRss,
        rssClientNodeAloneBytes: clientNodeRss,
        latencyBaselineMs: small,
        latencyLoadedMs: big,
      }),
    );
  } finally {
    child.kill('SIGTERM');
    await stopControlPlane?.();
  }
}

await main();
