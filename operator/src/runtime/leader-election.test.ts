import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { FencedError } from './errors.ts';
import { KubeApiError } from './kube-client.ts';
import { LeaderElector } from './leader-election.ts';
import type { LeaseStore } from './leader-election.ts';
import { decideLease, releasedLease } from './lease-record.ts';
import type { Lease, LeaseSpec } from './lease-record.ts';
import { flush } from './test-support.ts';

/** A Lease with resourceVersion preconditions, as the API server keeps it. */
class MemoryLeaseStore implements LeaseStore {
  lease: Lease | undefined;
  private rv = 0;
  down = false;
  async get() {
    if (this.down) throw new Error('connection refused');
    return this.lease ? structuredClone(this.lease) : undefined;
  }
  async create(spec: LeaseSpec) {
    if (this.down) throw new Error('connection refused');
    if (this.lease) throw new KubeApiError('POST', 'lease', 409, undefined);
    this.lease = { metadata: { resourceVersion: String(++this.rv) }, spec };
    return structuredClone(this.lease);
  }
  async update(lease: Lease, spec: LeaseSpec) {
    if (this.down) throw new Error('connection refused');
    if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) {
      throw new KubeApiError('PUT', 'lease', 409, undefined);
    }
    this.lease = { metadata: { resourceVersion: String(++this.rv) }, spec };
    return structuredClone(this.lease);
  }
}

function elector(store: LeaseStore, clock: FakeClock, identity: string, log: string[]) {
  return new LeaderElector({
    store,
    clock,
    identity,
    leaseName: 'test',
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 500,
    random: () => 0,
    onStartedLeading: () => log.push(`${identity} leads @${clock.now()}`),
    onStoppedLeading: () => log.push(`${identity} stops @${clock.now()}`),
  });
}

async function advance(clock: FakeClock, ms: number) {
  for (let t = 0; t < ms; t += 100) {
    clock.advance(100);
    await flush(4);
  }
}

describe('decideLease', () => {
  it('waits while another holder is fresh, takes an expired or released lease', () => {
    const held: LeaseSpec = { holderIdentity: 'b', leaseDurationSeconds: 10, leaseTransitions: 3 };
    expect(decideLease(held, 'a', 15, 5_000, 0)).toMatchObject({ action: 'wait', holder: 'b' });
    const took = decideLease(held, 'a', 15, 10_000, 0);
    expect(took).toMatchObject({
      action: 'take',
      spec: { holderIdentity: 'a', leaseTransitions: 4 },
    });
    expect(decideLease(releasedLease(held, 0), 'a', 15, 1, 0).action).toBe('take');
    const renew = decideLease({ ...held, holderIdentity: 'a', acquireTime: 'T' }, 'a', 15, 1, 0);
    expect(renew).toMatchObject({ spec: { acquireTime: 'T', leaseTransitions: 3 } });
  });
});

describe('LeaderElector', () => {
  it('elects one leader; when it dies the other takes over within the lease duration', async () => {
    const clock = new FakeClock(1_000_000);
    const store = new MemoryLeaseStore();
    const log: string[] = [];
    const a = elector(store, clock, 'a', log);
    const b = elector(store, clock, 'b', log);
    void a.run();
    await flush(4);
    void b.run();
    await advance(clock, 2000);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(b.leader()).toBe('a');
    const died = clock.now();
    await a.stop({ release: false }); // stops renewing, like a killed process
    await advance(clock, 4000);
    expect(b.isLeader()).toBe(true);
    const took = Number(log.find((l) => l.startsWith('b leads'))!.split('@')[1]);
    expect(took - died).toBeLessThanOrEqual(3000 + 500);
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    await b.stop();
  });

  it('releases on graceful stop so the other leads at once', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryLeaseStore();
    const log: string[] = [];
    const a = elector(store, clock, 'a', log);
    const b = elector(store, clock, 'b', log);
    void a.run();
    await flush(4);
    void b.run();
    await advance(clock, 1000);
    const stopped = clock.now();
    await a.stop();
    expect(store.lease?.spec?.holderIdentity).toBe('');
    await advance(clock, 700);
    expect(b.isLeader()).toBe(true);
    const took = Number(log.find((l) => l.startsWith('b leads'))!.split('@')[1]);
    expect(took - stopped).toBeLessThanOrEqual(600);
    await b.stop();
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryLeaseStore();
    const log: string[] = [];
    let signal: AbortSignal | undefined;
    const a = new LeaderElector({
      store,
      clock,
      identity: 'a',
      leaseName: 'test',
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 500,
      random: () => 0,
      onStartedLeading: (s) => (signal = s),
      onStoppedLeading: () => log.push(`stop @${clock.now()}`),
    });
    const done = a.run();
    await flush(4);
    expect(a.isLeader()).toBe(true);
    store.down = true;
    await advance(clock, 2600);
    await done;
    expect(a.isLeader()).toBe(false);
    expect(signal?.aborted).toBe(true);
    expect(log).toEqual(['stop @2000']);
  });

  it('is fenced the moment its last renew is older than the renew deadline, before any timer runs', async () => {
    // A paused process: the monotonic clock jumps while no timer or promise gets to run.
    const clock = new FakeClock(0);
    let mono = 0;
    const store = new MemoryLeaseStore();
    const stops: number[] = [];
    let signal: AbortSignal | undefined;
    const a = new LeaderElector({
      store,
      clock,
      monotonicNow: () => mono,
      identity: 'a',
      leaseName: 'test',
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 500,
      random: () => 0,
      onStartedLeading: (s) => (signal = s),
      onStoppedLeading: () => stops.push(clock.now()),
    });
    const done = a.run();
    await flush(4);
    expect(a.isLeader()).toBe(true);
    // Healthy: renews every retry period keep the fence ahead, well past one renew deadline.
    for (let t = 0; t < 6000; t += 100) {
      mono += 100;
      clock.advance(100);
      await flush(4);
    }
    expect(a.isLeader()).toBe(true);
    expect(() => a.assertLeader()).not.toThrow();
    // Paused for longer than the renew deadline: fenced at once, though nothing has run.
    mono += 2500;
    expect(a.isLeader()).toBe(false);
    expect(() => a.assertLeader()).toThrow(FencedError);
    expect(signal?.aborted).toBe(false);
    // Resumed: the overdue fence timer aborts the leading signal, and it steps down even
    // though the lease in the store is still its own and a renew would succeed.
    clock.advance(2500);
    await flush(4);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(FencedError);
    await done;
    expect(stops).toHaveLength(1);
    expect(a.isLeader()).toBe(false);
  });

  it('aborts the leading signal at the renew deadline while a renew hangs', async () => {
    const clock = new FakeClock(0);
    const store = new MemoryLeaseStore();
    let signal: AbortSignal | undefined;
    const a = new LeaderElector({
      store,
      clock,
      identity: 'a',
      leaseName: 'test',
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 500,
      random: () => 0,
      onStartedLeading: (s) => (signal = s),
    });
    void a.run();
    await flush(4);
    const hang = new Promise<never>(() => {});
    store.get = () => hang;
    await advance(clock, 1900);
    expect(signal?.aborted).toBe(false);
    expect(a.isLeader()).toBe(true);
    await advance(clock, 200);
    expect(signal?.aborted).toBe(true);
    expect(a.isLeader()).toBe(false);
  });
});
