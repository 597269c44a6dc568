// Leader election on a real Lease: one of two instances leads; when the leader dies the
// other takes over within the lease duration; a graceful stop hands over at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { waitFor } from '../fixtures/process.ts';
import { KubeClient } from '../../operator/src/runtime/kube-client.ts';
import { LeaderElector, kubeLeaseStore } from '../../operator/src/runtime/leader-election.ts';
import type { Lease } from '../../operator/src/runtime/lease-record.ts';
import { builtinResources } from '../../operator/src/runtime/resource.ts';

let client: KubeClient;
const ns = `runtime-leader-${process.pid}`;

beforeAll(async () => {
  client = KubeClient.fromKubeconfig(inject('kubeconfig'));
  await client.create(builtinResources.Namespace, { metadata: { name: ns } });
});

afterAll(async () => {
  await client.delete(builtinResources.Namespace, undefined, ns);
});

const leaseDurationMs = 4000;

function instance(identity: string, events: string[]) {
  const started = { at: 0 };
  const elector = new LeaderElector({
    // Each instance has its own client, as separate processes would.
    store: kubeLeaseStore(KubeClient.fromKubeconfig(inject('kubeconfig')), ns, 'kraftwerk'),
    leaseName: 'kraftwerk',
    identity,
    leaseDurationMs,
    renewDeadlineMs: 3000,
    retryPeriodMs: 500,
    onStartedLeading: () => {
      started.at = Date.now();
      events.push(`${identity} leads`);
    },
    onStoppedLeading: () => events.push(`${identity} stops`),
  });
  void elector.run();
  return { elector, started };
}

describe('leader election with a Lease', () => {
  it('fails over when the leader dies, and hands over at once on graceful stop', async () => {
    const events: string[] = [];
    const a = instance('a', events);
    await waitFor('a to lead', async () => a.elector.isLeader(), { timeoutMs: 10_000 });
    const b = instance('b', events);
    await new Promise((r) => setTimeout(r, 1500));
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.leader()).toBe('a');

    // a dies: it stops renewing and does not release.
    const died = Date.now();
    await a.elector.stop({ release: false });
    await waitFor('b to take over', async () => b.elector.isLeader(), { timeoutMs: 15_000 });
    const failoverMs = b.started.at - died;
    // Within the lease duration, plus one retry period (+20% jitter) for b's next look.
    expect(failoverMs).toBeLessThanOrEqual(leaseDurationMs + 600 + 500);

    const c = instance('c', events);
    await new Promise((r) => setTimeout(r, 1000));
    expect(c.elector.isLeader()).toBe(false);
    const stopped = Date.now();
    await b.elector.stop();
    await waitFor('c to take over', async () => c.elector.isLeader(), { timeoutMs: 10_000 });
    const handoverMs = c.started.at - stopped;
    expect(handoverMs).toBeLessThan(1500);

    const lease = await client.get<Lease>(builtinResources.Lease, ns, 'kraftwerk');
    expect(lease?.spec?.holderIdentity).toBe('c');
    expect(lease?.spec?.leaseTransitions).toBe(2);
    console.log(
      `[runtime-leader] failover after a crash: ${failoverMs} ms (lease ${leaseDurationMs} ms); handover after release: ${handoverMs} ms`,
    );
    await c.elector.stop();
    expect(events).toEqual(['a leads', 'a stops', 'b leads', 'b stops', 'c leads', 'c stops']);
  });
});
