// A watch survives the API server process going away and coming back: changes made while
// the informer was disconnected reach the cache and the handlers, nothing is missed.
import { CoreV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlane } from '../fixtures/control-plane.ts';
import { waitFor } from '../fixtures/process.ts';
import { Informer, kubeListWatch } from '../../operator/src/runtime/informer.ts';
import type { ListWatchSource } from '../../operator/src/runtime/informer.ts';
import { KubeClient } from '../../operator/src/runtime/kube-client.ts';
import { createLogger } from '../../operator/src/runtime/logger.ts';
import { createOperatorMetrics } from '../../operator/src/runtime/operator-metrics.ts';
import { builtinResources } from '../../operator/src/runtime/resource.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';

type ConfigMap = KubeObject & { data?: Record<string, string> };

let cp: ControlPlane;
let client: KubeClient;
const ns = 'restart';
const cm = builtinResources.ConfigMap;

beforeAll(async () => {
  cp = await ControlPlane.start({
    name: `runtime-restart-${process.pid}`,
    controllerManager: false,
  });
  client = KubeClient.fromKubeconfig(cp.kubeconfigPath);
  await client.create(builtinResources.Namespace, { metadata: { name: ns } });
});

afterAll(async () => {
  await cp?.stop();
});

describe('informer across an API server restart', () => {
  it('misses nothing that changed while it was disconnected', async () => {
    // The real informer on the real server, with a gate in front of its connections: closed
    // while the API server is down, it holds the informer disconnected until the writes made
    // after the restart are done.
    const real = kubeListWatch(client);
    let gate: Promise<void> = Promise.resolve();
    let openGate = () => {};
    const source: ListWatchSource = {
      list: async (p, q, s) => {
        await gate;
        return real.list(p, q, s);
      },
      watch: async (p, q, e, d) => {
        await gate;
        return real.watch(p, q, e, d);
      },
    };
    const informer = new Informer<ConfigMap>({
      source,
      resource: cm,
      namespaces: [ns],
      backoff: { baseMs: 200, maxMs: 1000 },
    });
    const seen: string[] = [];
    informer.on({
      add: (o) => seen.push(`add ${o.metadata?.name}`),
      update: (_a, o) => seen.push(`update ${o.metadata?.name} v=${o.data?.v}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    await client.create(cm, { metadata: { name: 'g-changed', namespace: ns }, data: { v: '1' } });
    await client.create(cm, { metadata: { name: 'g-deleted', namespace: ns }, data: { v: '1' } });
    informer.start();
    await informer.waitForSync(30_000);

    // Evidence for informer.ts's header: client-node's own informer, through the same outage.
    const theirConfig = new KubeConfig();
    theirConfig.loadFromFile(cp.kubeconfigPath);
    const core = theirConfig.makeApiClient(CoreV1Api);
    const theirs = makeInformer<V1ConfigMap>(
      theirConfig,
      `/api/v1/namespaces/${ns}/configmaps`,
      () => core.listNamespacedConfigMap({ namespace: ns }),
    );
    const theirErrors: unknown[] = [];
    theirs.on('error', (e: unknown) => theirErrors.push(e));
    await theirs.start();

    await cp.stopApiServer();
    await waitFor('the informer to notice the outage', async () => informer.stats.errors > 0, {
      timeoutMs: 60_000,
    });
    gate = new Promise((resolve) => (openGate = resolve));
    await cp.startApiServer();
    const writer = KubeClient.fromKubeconfig(cp.kubeconfigPath);
    await writer.mergePatch(cm, ns, 'g-changed', { data: { v: '2' } });
    await writer.create(cm, { metadata: { name: 'g-created', namespace: ns }, data: { v: '1' } });
    await writer.delete(cm, ns, 'g-deleted');
    await new Promise((r) => setTimeout(r, 1000));
    // Still disconnected: the cache has not heard of any of it.
    expect(informer.get(`${ns}/g-changed`)?.data?.v).toBe('1');
    expect(informer.get(`${ns}/g-created`)).toBeUndefined();
    const listsBefore = informer.stats.lists;
    openGate();
    await waitFor(
      'the cache to converge',
      async () =>
        informer.get(`${ns}/g-changed`)?.data?.v === '2' &&
        informer.get(`${ns}/g-created`) !== undefined &&
        informer.get(`${ns}/g-deleted`) === undefined,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(seen).toEqual(
      expect.arrayContaining(['update g-changed v=2', 'add g-created', 'delete g-deleted']),
    );
    // Give client-node's informer the same chance, then look at what it believes.
    await new Promise((r) => setTimeout(r, 3000));
    const theirView = theirs.get('g-changed', ns)?.data?.v;
    console.log(
      `[runtime-restart/client-node makeInformer] errors reported: ${theirErrors.length}; sees g-changed v=${theirView}, g-created ${theirs.get('g-created', ns) ? 'present' : 'absent'}, g-deleted ${theirs.get('g-deleted', ns) ? 'still present' : 'gone'}`,
    );
    await theirs.stop();
    console.log(
      `[runtime-restart/gated] caught up by ${informer.stats.lists > listsBefore ? 'a relist after 410 Gone' : 'resuming the watch from its resourceVersion'}; errors ${informer.stats.errors}, restarts ${informer.stats.watchRestarts}`,
    );
    await informer.stop();
  });

  it('reconnects by itself after a restart and converges', async () => {
    const lines: string[] = [];
    const metrics = createOperatorMetrics();
    const informer = new Informer<ConfigMap>({
      client,
      resource: cm,
      namespaces: [ns],
      metrics,
      logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
      // Fixed 2 s between attempts: long enough that the writes below land while the
      // informer is still disconnected, short enough to keep the test quick.
      backoff: { baseMs: 2000, maxMs: 2000 },
    });
    const seen: string[] = [];
    informer.on({
      add: (o) => seen.push(`add ${o.metadata?.name}`),
      update: (_a, o) => seen.push(`update ${o.metadata?.name} v=${o.data?.v}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    await client.create(cm, { metadata: { name: 'changed', namespace: ns }, data: { v: '1' } });
    await client.create(cm, { metadata: { name: 'deleted', namespace: ns }, data: { v: '1' } });
    informer.start();
    await informer.waitForSync(30_000);

    await cp.stopApiServer();
    await waitFor('the informer to notice the outage', async () => informer.stats.errors > 0, {
      timeoutMs: 60_000,
    });
    const errorsWhileDown = informer.stats.errors;
    await cp.startApiServer();
    // Write at once, before the informer's next attempt (it is sleeping in its backoff).
    const writeClient = KubeClient.fromKubeconfig(cp.kubeconfigPath);
    await writeClient.mergePatch(cm, ns, 'changed', { data: { v: '2' } });
    await writeClient.create(cm, {
      metadata: { name: 'created', namespace: ns },
      data: { v: '1' },
    });
    await writeClient.delete(cm, ns, 'deleted');
    const wroteAt = Date.now();
    await waitFor(
      'the cache to converge',
      async () =>
        informer.get(`${ns}/changed`)?.data?.v === '2' &&
        informer.get(`${ns}/created`) !== undefined &&
        informer.get(`${ns}/deleted`) === undefined,
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const convergedMs = Date.now() - wroteAt;
    expect(seen).toEqual(
      expect.arrayContaining(['update changed v=2', 'add created', 'delete deleted']),
    );
    expect(informer.stats.watchRestarts).toBeGreaterThan(0);
    const restarts = metrics.registry
      .render()
      .split('\n')
      .filter((l) => l.startsWith('kraftwerk_watch_restarts_total'));
    console.log(
      `[runtime-restart] errors while down: ${errorsWhileDown}, lists: ${informer.stats.lists}, converged ${convergedMs} ms after the writes; ${restarts.join('; ')}`,
    );
    // The informer kept going by itself: a later change arrives on the resumed watch.
    await writeClient.mergePatch(cm, ns, 'changed', { data: { v: '3' } });
    await waitFor('v=3', async () => informer.get(`${ns}/changed`)?.data?.v === '3', {
      timeoutMs: 10_000,
    });
    expect(
      lines.some((l) => l.includes('"watch failed, will reconnect"') || l.includes('list failed')),
    ).toBe(true);
    await informer.stop();
  });
});
