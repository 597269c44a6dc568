// A keyed work queue with client-go semantics: a key waits at most once (deduplication), is
// reconciled by at most one worker at a time, and a key added while in flight runs again after.
// Failures retry with per-key exponential backoff; success forgets the failures. Each reconcile
// has a deadline; a failure is logged once per distinct message and handed to `onFailure`.
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { systemClock } from './clock.ts';
import type { Clock, TimerHandle } from './clock.ts';
import {
  FencedError,
  ReconcileTimeoutError,
  TerminalError,
  errorFields,
  errorMessage,
  isProgrammingError,
} from './errors.ts';
import { silentLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './operator-metrics.ts';

/** What a reconcile may ask for besides success: to run again after a delay. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/**
 * `signal` aborts when the reconcile's deadline passes, when shutdown's deadline passes, and at
 * once when leadership is lost; long reconciles should give up then.
 */
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
  /**
   * How long one reconcile may take; past it its signal aborts and it counts as failed (and is
   * retried with backoff) even if it ignores the signal. 0: no deadline. Default 2 minutes.
   */
  timeoutMs?: number;
  /**
   * Told of every failure that is not the queue's own doing (shutdown, leadership lost), while
   * the key is still held: the place to report it on the object.
   */
  onFailure?: (key: string, failure: ReconcileFailure) => Promise<void> | void;
}

export interface ReconcileFailure {
  err: unknown;
  /** Failures in a row of this key, this one included. */
  failures: number;
  /** A TerminalError: not retried until something adds the key again. */
  terminal: boolean;
  /** The same message as this key's previous failure. */
  repeated: boolean;
}

export const defaultReconcileTimeoutMs = 2 * 60_000;

export const defaultRetry: BackoffPolicy = { baseMs: 200, maxMs: 5 * 60_000 };

export class WorkQueue {
  readonly name: string;
  private readonly reconcile: Reconcile;
  private readonly concurrency: number;
  private readonly retry: BackoffPolicy;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: OperatorMetrics | undefined;
  private readonly timeoutMs: number;
  private readonly onFailure: WorkQueueOptions['onFailure'];
  /** The last failure's message per key and how often in a row it came: logs say it once. */
  private readonly lastError = new Map<string, { message: string; count: number }>();

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
    this.timeoutMs = options.timeoutMs ?? defaultReconcileTimeoutMs;
    this.onFailure = options.onFailure;
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
  addRateLimited(key: string): number {
    const failures = (this.failureCounts.get(key) ?? 0) + 1;
    this.failureCounts.set(key, failures);
    this.metrics?.queueRetries.inc({ queue: this.name });
    const delay = backoffDelay(this.retry, failures);
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.failureCounts.delete(key);
  }

  /**
   * Aborts the signal of every reconcile in flight now (leadership lost: another instance may
   * be acting already). Their failures are not reported or retried; intake stops with shutDown.
   */
  abortInFlight(reason: unknown): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason);
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
      this.abortInFlight(new Error('work queue shut down'));
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
    const deadline = new AbortController();
    const timeoutMs = this.timeoutMs;
    const timer =
      timeoutMs > 0
        ? this.clock.setTimeout(
            () => deadline.abort(new ReconcileTimeoutError(timeoutMs)),
            timeoutMs,
          )
        : undefined;
    const signal = AbortSignal.any([this.abort.signal, deadline.signal]);
    // An async wrapper, so a synchronous throw is a rejection like any other.
    const run = (async (): Promise<unknown> => this.reconcile(key, signal))();
    let overran = false;
    try {
      // The deadline holds even for a reconcile that ignores its signal.
      const outcome = await Promise.race([
        run.then(
          (result) => ({ ok: true as const, result }),
          (err: unknown) => ({ ok: false as const, err }),
        ),
        whenAborted(deadline.signal).then((err) => ({ ok: false as const, err })),
      ]);
      overran =
        deadline.signal.aborted && outcome.ok === false && outcome.err === deadline.signal.reason;
      if (outcome.ok) {
        this.succeeded(key, outcome.result);
      } else {
        await this.failed(key, outcome.err);
      }
    } finally {
      if (timer) this.clock.clearTimeout(timer);
      if (overran) {
        // The key stays held until the late reconcile ends: never two at once for one key.
        await run.then(
          () => this.log.debug('reconcile finished after its deadline', { key }),
          (err: unknown) =>
            this.log.debug('reconcile failed after its deadline', {
              key,
              err: errorFields(err, false),
            }),
        );
      }
      this.metrics?.reconcileDuration.observe({ kind }, (this.clock.now() - started) / 1000);
      this.processing.delete(key);
      if (this.redo.delete(key) && !this.shuttingDown) this.queued.add(key);
      this.pump();
    }
  }

  private succeeded(key: string, result: unknown): void {
    const failures = this.failures(key);
    this.forget(key);
    if (this.lastError.delete(key)) {
      this.log.info('reconcile succeeded after failures', { key, failures });
    }
    // A reconcile that resolves with nothing has nothing more to ask for.
    const after = (result as ReconcileResult | undefined)?.requeueAfterMs;
    this.metrics?.reconcileTotal.inc({
      kind: this.name,
      result: after !== undefined ? 'requeue' : 'success',
    });
    if (after !== undefined) this.addAfter(key, after);
  }

  private async failed(key: string, err: unknown): Promise<void> {
    const kind = this.name;
    this.metrics?.reconcileTotal.inc({ kind, result: 'error' });
    this.metrics?.reconcileErrors.inc({ kind });
    if (this.abort.signal.aborted) {
      // Shut down or no longer leading: the failure is ours, not the object's.
      this.log.debug('reconcile aborted', { key, err: errorFields(err, false) });
      return;
    }
    if (err instanceof FencedError) {
      // Leadership is ending; the manager is stopping the queue. Nothing to report (the
      // report would be fenced too).
      this.log.warn('reconcile fenced: not the leader', { key });
      return;
    }
    const terminal = err instanceof TerminalError;
    const message = errorMessage(err);
    const previous = this.lastError.get(key);
    const repeated = previous?.message === message;
    const failures = this.failures(key) + 1;
    let retryInMs: number | undefined;
    if (terminal) this.forget(key);
    else retryInMs = this.addRateLimited(key);
    if (repeated) {
      previous.count++;
      this.log.debug('reconcile failed again', {
        key,
        error: message,
        repeats: previous.count,
        failures,
        ...(retryInMs !== undefined ? { retryInMs: Math.round(retryInMs) } : {}),
      });
    } else {
      this.lastError.set(key, { message, count: 1 });
      this.log.error(
        terminal ? 'reconcile failed; not retried until the object changes' : 'reconcile failed',
        {
          key,
          err: errorFields(err, isProgrammingError(err)),
          failures,
          ...(retryInMs !== undefined ? { retryInMs: Math.round(retryInMs) } : {}),
        },
      );
    }
    if (!this.onFailure) return;
    try {
      await this.onFailure(key, { err, failures, terminal, repeated });
    } catch (reportErr) {
      this.log.warn('could not report the failure', { key, err: errorFields(reportErr, false) });
    }
  }
}

/** Resolves with the signal's reason once it aborts. */
function whenAborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(signal.reason);
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}
