// Events (events.k8s.io/v1): what happened to an object, for `kubectl events` and describe.
// Recording never throws and never blocks a reconcile on the API server's answer.
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { EventRateLimiter, EventSeriesCache, eventFingerprint } from './event-series.ts';
import type { EventInput, EventType } from './event-series.ts';
import type { KubeClient } from './kube-client.ts';
import { FencedError } from './errors.ts';
import { KubeApiError, isNotFound } from './kube-client.ts';
import { silentLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import { microTime } from './micro-time.ts';
import type { KubeObject } from './resource.ts';
import { builtinResources } from './resource.ts';

export type { EventType } from './event-series.ts';

export interface EventRecorderOptions {
  client: KubeClient;
  /** Who reports: the controller name, e.g. `kraftwerk.dev/operator`. */
  reportingController?: string;
  /** Which replica reports (pod name or hostname). */
  reportingInstance: string;
  clock?: Clock;
  logger?: Logger;
  windowMs?: number;
}

const maxNote = 1024;

/** Pauses before each retry of a failed write (15 s in all). client-go's recorder retries an
 *  Event write too (12 tries, 10 s apart): a fire-and-forget write that gave up at the first
 *  dropped connection lost the Event for good. */
const retryDelaysMs = [1_000, 2_000, 4_000, 8_000];

/** Worth another try: the request never got an answer, or the API server was busy or failing. */
function isTransient(err: unknown): boolean {
  if (err instanceof FencedError) return false;
  if (err instanceof KubeApiError) return err.statusCode === 429 || err.statusCode >= 500;
  return err instanceof Error; // connection reset, timeout, refused
}

export class EventRecorder {
  private readonly options: EventRecorderOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly cache: EventSeriesCache;
  private readonly limiter = new EventRateLimiter();
  // One write at a time per fingerprint, so a burst of repeats cannot create duplicates.
  private readonly pending = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(options: EventRecorderOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger).child({ component: 'events' });
    this.cache = new EventSeriesCache(options.windowMs);
  }

  /** Fire and forget; the returned promise is for tests and shutdown. */
  record(
    regarding: KubeObject,
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): Promise<void> {
    const input: EventInput = { type, reason, action, note: note.slice(0, maxNote) };
    const key = eventFingerprint(regarding, input);
    const previous = this.pending.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.writeWithRetries(key, regarding, input))
      .catch((err: unknown) =>
        this.log.warn('could not record event', { err, reason, object: regarding.metadata?.name }),
      )
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      });
    this.pending.set(key, next);
    return next;
  }

  normal(regarding: KubeObject, reason: string, action: string, note: string): Promise<void> {
    return this.record(regarding, 'Normal', reason, action, note);
  }

  warning(regarding: KubeObject, reason: string, action: string, note: string): Promise<void> {
    return this.record(regarding, 'Warning', reason, action, note);
  }

  /** Waits for events being written (graceful shutdown); failed writes are not retried now. */
  async flush(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.pending.values()]);
  }

  private async writeWithRetries(key: string, regarding: KubeObject, e: EventInput): Promise<void> {
    const m = regarding.metadata ?? {};
    if (
      !this.limiter.allow(`${regarding.kind}/${m.namespace}/${m.name}/${m.uid}`, this.clock.now())
    ) {
      this.log.debug('event dropped by the per-object rate limit', {
        reason: e.reason,
        object: m.name,
      });
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.write(key, regarding, e);
        return;
      } catch (err) {
        const delay = retryDelaysMs[attempt];
        if (delay === undefined || this.stopping || !isTransient(err)) throw err;
        this.log.debug('retrying an event write', { err, reason: e.reason, attempt: attempt + 1 });
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, delay));
      }
    }
  }

  private async write(key: string, regarding: KubeObject, e: EventInput): Promise<void> {
    const now = this.clock.now();
    const m0 = regarding.metadata ?? {};
    const decision = this.cache.decide(key, now);
    const info = builtinResources.Event;
    if (decision.kind === 'increment') {
      const { entry, count } = decision;
      try {
        await this.options.client.mergePatch(info, entry.namespace, entry.name, {
          series: { count, lastObservedTime: microTime(now) },
        });
        this.cache.remember(key, { ...entry, count, lastObservedMs: now });
        this.log.debug('event recorded', { reason: e.reason, object: m0.name, count });
        return;
      } catch (err) {
        // Events expire (an hour by default); start a new one.
        if (!isNotFound(err)) throw err;
        this.cache.forget(key);
      }
    }
    const m = regarding.metadata ?? {};
    const namespace = m.namespace || 'default';
    const created = await this.options.client.create(info, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${m.name ?? 'unknown'}.${now.toString(16)}${randomSuffix()}`, namespace },
      eventTime: microTime(now),
      reportingController: this.options.reportingController ?? 'kraftwerk.dev/operator',
      reportingInstance: this.options.reportingInstance,
      action: e.action,
      reason: e.reason,
      note: e.note,
      type: e.type,
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
    } as KubeObject);
    this.log.debug('event recorded', { reason: e.reason, object: m.name, count: 1 });
    this.cache.remember(key, {
      name: created.metadata?.name ?? '',
      namespace,
      count: 1,
      lastObservedMs: now,
    });
  }
}

function randomSuffix(): string {
  return Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0');
}
