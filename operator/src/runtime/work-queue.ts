// A keyed work queue with client-go semantics: a key waits at most once (deduplication), is
// reconciled by at most one worker at a time, and a key added while in flight runs again after.
// Failures retry with per-key exponential backoff; success forgets the failures.
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { systemClock } from './clock.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { silentLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './operator-metrics.ts';

/** What a reconcile may ask for besides success: to run again after a delay. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** `signal` aborts when shutdown's deadline passes; long reconciles should give up then. */
export type Reconcile =
  | ((key: string, signal: AbortSignal) => Promise<void>)
  | ((key: string, signal: AbortSignal) => Promise<ReconcileResult | undefined>);

export interface WorkQueueOptions {
  /** Names the queue in logs and metrics; the controller's kind is a good name. */
  name: string;
  reconcile: Reconcile;
  concurrency?: number;
  retry?: BackoffPolicy;
  clock?: Clock;
  logger?: Logger;
  metrics?: OperatorMetrics;
}

export const defaultRetry: BackoffPolicy = { baseMs: 200, maxMs: 5 * 60_000 };

export class WorkQueue {
  readonly name: string;
  private readonly reconcile: Reconcile;
  private readonly concurrency: number;
  private readonly retry: BackoffPolicy;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: OperatorMetrics | undefined;

  // A Set keeps insertion order, so it is a FIFO that deduplicates for free.
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly redo = new Set<string>();
  private readonly delayed = new Map<string, { at: number; handle: TimerHandle }>();
  private readonly failureCounts = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private resyncTimer: TimerHandle | undefined;
  private started = false;
  private shuttingDown = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.reconcile = options.reconcile;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.retry = options.retry ?? defaultRetry;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger).child({ queue: options.name });
    this.metrics = options.metrics;
  }

  /** Workers start taking keys; keys added before this wait. */
  start(): void {
    this.started = true;
    this.pump();
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.queueAdds.inc({ queue: this.name });
    if (this.processing.has(key)) {
      this.redo.add(key);
      return;
    }
    this.queued.add(key);
    this.depthChanged();
    this.pump();
  }

  /** Adds `key` once `ms` have passed; of several pending delays for a key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, handle });
  }

  /** Re-adds after the key's backoff, which doubles with each failure up to the cap. */
  addRateLimited(key: string): void {
    const failures = (this.failureCounts.get(key) ?? 0) + 1;
    this.failureCounts.set(key, failures);
    this.metrics?.queueRetries.inc({ queue: this.name });
    this.addAfter(key, backoffDelay(this.retry, failures));
  }

  forget(key: string): void {
    this.failureCounts.delete(key);
  }

  failures(key: string): number {
    return this.failureCounts.get(key) ?? 0;
  }

  /** Keys waiting to be picked up (not in flight, not delayed). */
  len(): number {
    return this.queued.size;
  }

  inFlightKeys(): string[] {
    return [...this.processing];
  }

  delayedKeys(): string[] {
    return [...this.delayed.keys()];
  }

  /**
   * Every `periodMs`, adds every key `keys()` yields: level-triggered reconciles catch drift
   * that produced no watch event. Returns a function that stops it.
   */
  resync(periodMs: number, keys: () => Iterable<string>): () => void {
    const tick = () => {
      if (this.shuttingDown) return;
      for (const key of keys()) this.add(key);
      this.resyncTimer = this.clock.setTimeout(tick, periodMs);
    };
    this.resyncTimer = this.clock.setTimeout(tick, periodMs);
    return () => {
      if (this.resyncTimer) this.clock.clearTimeout(this.resyncTimer);
      this.resyncTimer = undefined;
    };
  }

  /** Resolves when nothing is queued or in flight (delayed keys do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops intake (adds are ignored, delays and resync cancelled, waiting keys dropped) and waits
   * for in-flight reconciles up to `deadlineMs`; then aborts their signal. `drained` says whether
   * they all finished in time.
   */
  async shutDown(deadlineMs = 30_000): Promise<{ drained: boolean }> {
    this.shuttingDown = true;
    if (this.resyncTimer) this.clock.clearTimeout(this.resyncTimer);
    for (const { handle } of this.delayed.values()) this.clock.clearTimeout(handle);
    this.delayed.clear();
    this.queued.clear();
    this.redo.clear();
    this.depthChanged();
    if (this.inFlight.size === 0) return { drained: true };
    let timer: TimerHandle | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = this.clock.setTimeout(() => resolve('deadline'), deadlineMs);
    });
    const outcome = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => 'drained' as const),
      deadline,
    ]);
    if (timer) this.clock.clearTimeout(timer);
    if (outcome === 'deadline') {
      this.log.warn('shutdown deadline passed with reconciles in flight', {
        keys: [...this.processing],
      });
      this.abort.abort(new Error('work queue shut down'));
      return { drained: false };
    }
    return { drained: true };
  }

  private isIdle(): boolean {
    return this.queued.size === 0 && this.processing.size === 0;
  }

  private depthChanged(): void {
    this.metrics?.queueDepth.set({ queue: this.name }, this.queued.size);
  }

  private pump(): void {
    if (!this.started) return;
    while (!this.shuttingDown && this.processing.size < this.concurrency && this.queued.size > 0) {
      const key = this.queued.values().next().value as string;
      this.queued.delete(key);
      this.processing.add(key);
      const run = this.process(key);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }
    this.depthChanged();
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async process(key: string): Promise<void> {
    const started = this.clock.now();
    const kind = this.name;
    try {
      // Inside try, a synchronous throw is caught like a rejection.
      const result: unknown = await this.reconcile(key, this.abort.signal);
      this.forget(key);
      // A reconcile that resolves with nothing has nothing more to ask for.
      const after = (result as ReconcileResult | undefined)?.requeueAfterMs;
      this.metrics?.reconcileTotal.inc({
        kind,
        result: after !== undefined ? 'requeue' : 'success',
      });
      if (after !== undefined) this.addAfter(key, after);
    } catch (err) {
      this.metrics?.reconcileTotal.inc({ kind, result: 'error' });
      this.metrics?.reconcileErrors.inc({ kind });
      this.log.error('reconcile failed', { key, err, failures: this.failures(key) + 1 });
      this.addRateLimited(key);
    } finally {
      this.metrics?.reconcileDuration.observe({ kind }, (this.clock.now() - started) / 1000);
      this.processing.delete(key);
      if (this.redo.delete(key) && !this.shuttingDown) this.queued.add(key);
      this.pump();
    }
  }
}
