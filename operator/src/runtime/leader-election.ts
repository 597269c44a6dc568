// Leader election on a Lease, with client-go's timing model: a leader renews every
// retryPeriod and steps down if it could not renew within renewDeadline; others take over
// once they have seen the lease unchanged for leaseDuration, or at once when it is released.
//
// Fencing: a leader counts as one only until renewDeadline after the start of its last
// successful renew, on a monotonic clock. Another instance can take over no earlier than
// leaseDuration after it saw that renew, so the leader stops believing first, with
// leaseDuration - renewDeadline to spare for a request already on the wire. A process that was
// paused (SIGSTOP, a frozen VM) sees the elapsed time at once when it resumes: isLeader() is
// false before any timer or renew has run, and write paths that check it refuse to write.
import { sleep, systemClock } from './clock.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { FencedError } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { isConflict, isNotFound } from './kube-client.ts';
import { decideLease, releasedLease, sameLeaseSpec } from './lease-record.ts';
import type { Lease, LeaseSpec } from './lease-record.ts';
import { silentLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import { builtinResources, resourcePath } from './resource.ts';

/** Where the Lease lives; the Kubernetes one is kubeLeaseStore, tests may use memory. */
export interface LeaseStore {
  get(): Promise<Lease | undefined>;
  /** Throws a conflict (isConflict) when someone else created it first. */
  create(spec: LeaseSpec): Promise<Lease>;
  /** Optimistic: throws a conflict when `lease` is not the latest version. */
  update(lease: Lease, spec: LeaseSpec): Promise<Lease>;
}

export function kubeLeaseStore(
  client: KubeClient,
  namespace: string,
  name: string,
  requestTimeoutMs = 5_000,
): LeaseStore {
  const path = resourcePath(builtinResources.Lease, namespace, name);
  // Lease requests are the one write a fenced instance may make: they are how it learns it
  // lost, and optimistic concurrency (resourceVersion) keeps them from doing harm.
  // Each call is bounded well inside the renew deadline, so a hung connection cannot keep a
  // leader that can no longer renew believing it leads.
  const timeoutMs = requestTimeoutMs;
  return {
    get: async () => {
      try {
        return await client.request<Lease>('GET', path, { timeoutMs, unfenced: true });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    create: (spec) =>
      client.request<Lease>('POST', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec,
        },
        timeoutMs,
        unfenced: true,
      }),
    update: (lease, spec) =>
      client.request<Lease>('PUT', path, {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
          spec,
        },
        timeoutMs,
        unfenced: true,
      }),
  };
}

export interface LeaderElectorOptions {
  store: LeaseStore;
  /** Names the lease in logs and metrics. */
  leaseName: string;
  /** Unique per instance: pod name plus a random suffix survives restarts of one pod. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Step down explicitly on stop() so the next leader starts at once (default true). */
  releaseOnStop?: boolean;
  /** Leading starts; `signal` aborts when leadership ends for any reason. */
  onStartedLeading: (signal: AbortSignal) => void;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  /**
   * A clock that never jumps, for the fence: `clock.now` when a clock is given (tests),
   * otherwise performance.now (CLOCK_MONOTONIC, which runs on while the process is stopped).
   */
  monotonicNow?: () => number;
  logger?: Logger;
  metrics?: OperatorMetrics;
  random?: () => number;
}

export class LeaderElector {
  private readonly o: Required<
    Pick<LeaderElectorOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>
  > &
    LeaderElectorOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly stopper = new AbortController();
  private observed: { spec: LeaseSpec | undefined; atMs: number; lease: Lease | undefined } = {
    spec: undefined,
    atMs: 0,
    lease: undefined,
  };
  private leading: AbortController | undefined;
  private lastLeader: string | undefined;
  private running: Promise<void> | undefined;
  private releaseOnStop: boolean;
  private readonly mono: () => number;
  /** Monotonic time from which this instance no longer counts as leader. */
  private fenceAt = -Infinity;
  private fenceTimer: TimerHandle | undefined;

  constructor(options: LeaderElectorOptions) {
    const o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      ...options,
    };
    if (o.leaseDurationMs <= o.renewDeadlineMs) {
      throw new Error('leaseDuration must be greater than renewDeadline');
    }
    if (o.renewDeadlineMs <= o.retryPeriodMs) {
      throw new Error('renewDeadline must be greater than retryPeriod');
    }
    this.o = o;
    this.clock = o.clock ?? systemClock;
    this.log = (o.logger ?? silentLogger).child({ lease: o.leaseName, identity: o.identity });
    this.releaseOnStop = o.releaseOnStop ?? true;
    const clock = this.clock;
    this.mono = o.monotonicNow ?? (o.clock ? () => clock.now() : () => performance.now());
  }

  /** Leading, and the last renew is recent enough that no other instance can have taken over. */
  isLeader(): boolean {
    return this.leading !== undefined && !this.leading.signal.aborted && this.mono() < this.fenceAt;
  }

  /** Throws a FencedError unless isLeader(): the check every write makes before it goes out. */
  assertLeader(): void {
    if (!this.isLeader()) throw new FencedError();
  }

  /** The holder we last saw ('' when released). */
  leader(): string | undefined {
    return this.lastLeader;
  }

  /** Campaigns, leads until stopped or the lease is lost, then resolves. Call once. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops campaigning or leading. release=false leaves the lease to expire (a crash). */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (options.release !== undefined) this.releaseOnStop = options.release;
    this.stopper.abort();
    await this.running;
  }

  private get leaseSeconds(): number {
    return Math.max(1, Math.ceil(this.o.leaseDurationMs / 1000));
  }

  private jittered(ms: number): number {
    // client-go waits retryPeriod * (1 + up to 20%) so campaigners do not move in lockstep.
    return ms * (1 + 0.2 * (this.o.random ?? Math.random)());
  }

  private async loop(): Promise<void> {
    const stop = this.stopper.signal;
    for (;;) {
      if (stop.aborted) return;
      const attempt = this.mono();
      if (await this.tryAcquireOrRenew()) {
        this.leading = new AbortController();
        this.renewed(attempt);
        break;
      }
      await sleep(this.clock, this.jittered(this.o.retryPeriodMs), stop);
    }

    this.o.metrics?.leader.set({ lease: this.o.leaseName }, 1);
    this.log.info('became leader');
    try {
      this.o.onStartedLeading(this.leading.signal);
    } catch (err) {
      this.log.error('onStartedLeading threw', { err });
    }

    let lastRenew = this.clock.now();
    const ended = AbortSignal.any([stop, this.leading.signal]);
    while (!ended.aborted) {
      await sleep(this.clock, this.o.retryPeriodMs, ended);
      if (ended.aborted) break;
      const attempt = this.mono();
      if (await this.tryAcquireOrRenew()) {
        // A renew answered after the fence fell comes too late: fenced is final.
        if (this.leading.signal.aborted) break;
        this.renewed(attempt);
        lastRenew = this.clock.now();
        continue;
      }
      if (this.clock.now() - lastRenew >= this.o.renewDeadlineMs) {
        this.log.error('could not renew the lease within the renew deadline; stepping down', {
          renewDeadlineMs: this.o.renewDeadlineMs,
        });
        break;
      }
    }

    if (this.fenceTimer) this.clock.clearTimeout(this.fenceTimer);
    this.fenceAt = -Infinity;
    const released = stop.aborted && this.releaseOnStop ? await this.release() : false;
    this.leading.abort();
    this.o.metrics?.leader.set({ lease: this.o.leaseName }, 0);
    this.log.info('stopped leading', { released });
    try {
      this.o.onStoppedLeading?.();
    } catch (err) {
      this.log.error('onStoppedLeading threw', { err });
    }
  }

  /** A renew that started at `attempt` (monotonic) succeeded: the fence moves on. */
  private renewed(attempt: number): void {
    this.fenceAt = attempt + this.o.renewDeadlineMs;
    this.armFence();
  }

  /**
   * The timer makes the loss known to the holder of the leading signal (in-flight work is
   * aborted) even while a renew request hangs; isLeader() does not wait for it.
   */
  private armFence(): void {
    if (this.fenceTimer) this.clock.clearTimeout(this.fenceTimer);
    this.fenceTimer = this.clock.setTimeout(
      () => {
        this.fenceTimer = undefined;
        if (!this.leading || this.leading.signal.aborted) return;
        if (this.mono() < this.fenceAt) return this.armFence();
        this.log.error('lease not renewed within the renew deadline; fenced', {
          renewDeadlineMs: this.o.renewDeadlineMs,
        });
        this.leading.abort(new FencedError());
      },
      Math.max(0, this.fenceAt - this.mono()),
    );
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const store = this.o.store;
    const now = () => this.clock.now();
    try {
      const current = await store.get();
      if (!current) {
        const d = decideLease(undefined, this.o.identity, this.leaseSeconds, now(), now());
        if (d.action !== 'take') return false;
        const created = await store.create(d.spec);
        this.observe(created);
        return true;
      }
      if (!sameLeaseSpec(current.spec, this.observed.spec)) this.observe(current);
      else this.observed.lease = current;
      const d = decideLease(
        current.spec,
        this.o.identity,
        this.leaseSeconds,
        now(),
        this.observed.atMs,
      );
      if (d.action === 'wait') return false;
      const updated = await store.update(current, d.spec);
      this.observe(updated);
      return true;
    } catch (err) {
      if (!isConflict(err)) this.log.warn('lease request failed', { err });
      return false;
    }
  }

  private observe(lease: Lease): void {
    this.observed = { spec: lease.spec, atMs: this.clock.now(), lease };
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.lastLeader) {
      this.lastLeader = holder;
      if (holder) {
        this.log.info('new leader observed', { leader: holder });
        try {
          this.o.onNewLeader?.(holder);
        } catch (err) {
          this.log.error('onNewLeader threw', { err });
        }
      }
    }
  }

  private async release(): Promise<boolean> {
    const lease = this.observed.lease;
    if (!lease || lease.spec?.holderIdentity !== this.o.identity) return false;
    try {
      const updated = await this.o.store.update(lease, releasedLease(lease.spec, this.clock.now()));
      this.observe(updated);
      return true;
    } catch (err) {
      this.log.warn('could not release the lease; it will expire', { err });
      return false;
    }
  }
}
