import { describe, expect, it } from 'vitest';
import { Controller } from './controller.ts';
import { Informer } from './informer.ts';
import type { ListWatchSource } from './informer.ts';
import { KubeApiError } from './kube-client.ts';
import type { LeaseStore } from './leader-election.ts';
import type { Lease, LeaseSpec } from './lease-record.ts';
import { Manager } from './manager.ts';
import { createOperatorMetrics } from './operator-metrics.ts';
import { builtinResources } from './resource.ts';

function memoryLeases(): LeaseStore & { lease: Lease | undefined } {
  let rv = 0;
  const store = {
    lease: undefined as Lease | undefined,
    get: async () => (store.lease ? structuredClone(store.lease) : undefined),
    create: async (spec: LeaseSpec) => {
      if (store.lease) throw new KubeApiError('POST', 'l', 409, undefined);
      store.lease = { metadata: { resourceVersion: String(++rv) }, spec };
      return structuredClone(store.lease);
    },
    update: async (lease: Lease, spec: LeaseSpec) => {
      if (lease.metadata?.resourceVersion !== store.lease?.metadata?.resourceVersion) {
        throw new KubeApiError('PUT', 'l', 409, undefined);
      }
      store.lease = { metadata: { resourceVersion: String(++rv) }, spec };
      return structuredClone(store.lease);
    },
  };
  return store;
}

const source: ListWatchSource = {
  list: async () => ({
    metadata: { resourceVersion: '1' },
    items: [{ metadata: { namespace: 'n', name: 'a', resourceVersion: '1' } }],
  }),
  watch: async () => ({ abort: () => {} }),
};

describe('Manager', () => {
  it('syncs, leads, reconciles, serves health, and shuts down in order', async () => {
    const metrics = createOperatorMetrics();
    const leases = memoryLeases();
    const order: string[] = [];
    let release!: () => void;
    const inFlight = new Promise<void>((r) => (release = r));
    const informer = new Informer({ source, resource: builtinResources.ConfigMap });
    const manager = new Manager({
      metrics,
      healthPort: 0,
      healthHost: '127.0.0.1',
      shutdownDeadlineMs: 5000,
      leaderElection: {
        store: leases,
        leaseName: 'kraftwerk',
        identity: 'me',
        leaseDurationMs: 3000,
        renewDeadlineMs: 2000,
        retryPeriodMs: 500,
      },
    });
    manager.addInformer(informer);
    manager.addController(
      new Controller({
        name: 'Test',
        informer,
        metrics,
        reconcile: async (key) => {
          order.push(`reconcile ${key} start`);
          await inFlight;
          order.push(`reconcile ${key} end`);
        },
      }),
    );
    await manager.start();
    const base = `http://127.0.0.1:${manager.healthPort()}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    for (let i = 0; i < 50 && order.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(manager.isLeader()).toBe(true);
    expect(order).toEqual(['reconcile n/a start']);

    const stopping = manager.stop('signal');
    setTimeout(() => {
      order.push(`lease holder while draining: ${leases.lease?.spec?.holderIdentity}`);
      release();
    }, 50);
    await stopping;
    expect(order).toEqual([
      'reconcile n/a start',
      'lease holder while draining: me',
      'reconcile n/a end',
    ]);
    expect(leases.lease?.spec?.holderIdentity).toBe('');
    expect(await manager.done).toBe('signal');
    expect(metrics.reconcileTotal.get({ kind: 'Test', result: 'success' })).toBe(1);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('on SIGTERM stops once, releases the Lease and exits 0; a second signal exits at once', async () => {
    const leases = memoryLeases();
    const informer = new Informer({ source, resource: builtinResources.ConfigMap });
    const manager = new Manager({
      metrics: createOperatorMetrics(),
      leaderElection: {
        store: leases,
        leaseName: 'kraftwerk',
        identity: 'me',
        leaseDurationMs: 3000,
        renewDeadlineMs: 2000,
        retryPeriodMs: 500,
      },
    });
    manager.addInformer(informer);
    await manager.start();
    for (let i = 0; i < 50 && !manager.isLeader(); i++) await new Promise((r) => setTimeout(r, 10));
    const exits: number[] = [];
    const exited = new Promise<void>((resolve) => {
      const off = manager.handleSignals((code) => {
        exits.push(code);
        if (code === 0) {
          off();
          resolve();
        }
      });
    });
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    await exited;
    expect(exits).toEqual([1, 0]);
    expect(leases.lease?.spec?.holderIdentity).toBe('');
    expect(await manager.done).toBe('signal');
  });
});
