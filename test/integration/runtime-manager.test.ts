// The runtime assembled as the operator will use it, against the real API server: caches
// sync, the Lease is taken, a controller reconciles, /readyz and /metrics answer, and a
// shutdown drains and hands the Lease back.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../fixtures/process.ts';
import { Controller } from '../../operator/src/runtime/controller.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { KubeClient } from '../../operator/src/runtime/kube-client.ts';
import { kubeLeaseStore } from '../../operator/src/runtime/leader-election.ts';
import type { Lease } from '../../operator/src/runtime/lease-record.ts';
import { Manager } from '../../operator/src/runtime/manager.ts';
import { createOperatorMetrics } from '../../operator/src/runtime/operator-metrics.ts';
import { builtinResources } from '../../operator/src/runtime/resource.ts';

let client: KubeClient;
const ns = `runtime-manager-${process.pid}`;

beforeAll(async () => {
  client = KubeClient.fromKubeconfig(inject('kubeconfig'));
  await client.create(builtinResources.Namespace, { metadata: { name: ns } });
});

afterAll(async () => {
  await client.delete(builtinResources.Namespace, undefined, ns);
});

describe('Manager against a real API server', () => {
  it('reconciles while leading, serves health and metrics, and releases the Lease on stop', async () => {
    const metrics = createOperatorMetrics();
    const informer = new Informer({
      client,
      resource: builtinResources.ConfigMap,
      namespaces: [ns],
      metrics,
    });
    const reconciled: string[] = [];
    const manager = new Manager({
      metrics,
      healthPort: 0,
      healthHost: '127.0.0.1',
      leaderElection: {
        store: kubeLeaseStore(client, ns, 'kraftwerk'),
        leaseName: 'kraftwerk',
        identity: 'manager-test',
        leaseDurationMs: 4000,
        renewDeadlineMs: 3000,
        retryPeriodMs: 500,
      },
    });
    manager.addInformer(informer);
    manager.addController(
      new Controller({
        name: 'ConfigMap',
        informer,
        metrics,
        reconcile: async (key) => {
          reconciled.push(key);
        },
      }),
    );
    await manager.start();
    const base = `http://127.0.0.1:${manager.healthPort()}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await waitFor('leadership', async () => manager.isLeader(), { timeoutMs: 10_000 });

    await client.create(builtinResources.ConfigMap, { metadata: { name: 'hello', namespace: ns } });
    await waitFor('a reconcile of hello', async () => reconciled.includes(`${ns}/hello`), {
      timeoutMs: 10_000,
    });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/kraftwerk_reconcile_total\{kind="ConfigMap",result="success"\} \d+/);
    expect(text).toContain('kraftwerk_leader_is_leader{lease="kraftwerk"} 1');
    expect(text).toContain(
      'kraftwerk_reconcile_duration_seconds_bucket{kind="ConfigMap",le="+Inf"}',
    );

    await manager.stop('signal');
    const lease = await client.get<Lease>(builtinResources.Lease, ns, 'kraftwerk');
    expect(lease?.spec?.holderIdentity).toBe('');
    expect(await manager.done).toBe('signal');
  });
});
