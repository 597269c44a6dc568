// A controller: an informer's changes become keys in a work queue, which a reconcile works
// through. Level-triggered: the key says what to look at, the cache says what it is now.
import type { BackoffPolicy } from './backoff.ts';
import type { Clock } from './clock.ts';
import type { Informer } from './informer.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import type { KubeObject } from './resource.ts';
import { objectKey } from './resource.ts';
import { WorkQueue } from './work-queue.ts';
import type { Reconcile } from './work-queue.ts';

export interface ControllerOptions<T extends KubeObject> {
  /** The kind it reconciles; names the queue and labels metrics. */
  name: string;
  informer: Informer<T>;
  reconcile: Reconcile;
  concurrency?: number;
  retry?: BackoffPolicy;
  /**
   * Whether an update of the primary object should reconcile it; default: always. Use
   * `specOrMetadataChanged` for kinds whose reconcile writes their own status, or every
   * status write would trigger the next reconcile at once.
   */
  enqueueUpdate?: (old: T, obj: T) => boolean;
  /** Every key is reconciled again this often, to catch drift no event reports. */
  resyncPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  metrics?: OperatorMetrics;
}

export class Controller<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly options: ControllerOptions<T>;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly sources: { informer: Informer<KubeObject>; map: (o: KubeObject) => string[] }[] =
    [];
  private stopResync: (() => void) | undefined;

  constructor(options: ControllerOptions<T>) {
    this.name = options.name;
    this.options = options;
    this.queue = new WorkQueue({
      name: options.name,
      reconcile: options.reconcile,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  }

  /** Changes of another kind that should reconcile the primary objects `map` names. */
  watches<U extends KubeObject>(informer: Informer<U>, map: (obj: U) => string[]): this {
    this.sources.push({
      informer: informer as unknown as Informer<KubeObject>,
      map: map as (o: KubeObject) => string[],
    });
    return this;
  }

  /** Starts reconciling; the informers are started (and synced) by the caller. */
  start(): void {
    const enqueue = (keys: string[]) => keys.forEach((k) => this.queue.add(k));
    this.unsubscribe.push(
      this.options.informer.on({
        add: (o) => this.queue.add(objectKey(o)),
        update: (old, o) => {
          if (this.options.enqueueUpdate?.(old, o) ?? true) this.queue.add(objectKey(o));
        },
        delete: (o) => this.queue.add(objectKey(o)),
      }),
    );
    for (const s of this.sources) {
      this.unsubscribe.push(
        s.informer.on({
          add: (o) => enqueue(s.map(o)),
          // Both: a dependent that moved from one owner to another concerns both.
          update: (old, o) => enqueue([...new Set([...s.map(old), ...s.map(o)])]),
          delete: (o) => enqueue(s.map(o)),
        }),
      );
    }
    if (this.options.resyncPeriodMs) {
      this.stopResync = this.queue.resync(this.options.resyncPeriodMs, () =>
        this.options.informer.keys(),
      );
    }
    this.queue.start();
  }

  /** Stops intake and waits up to `deadlineMs` for reconciles in flight. */
  async stop(deadlineMs?: number): Promise<{ drained: boolean }> {
    this.stopResync?.();
    for (const u of this.unsubscribe.splice(0)) u();
    return this.queue.shutDown(deadlineMs);
  }
}

/**
 * True when anything but status changed: the spec (generation), or metadata a reconcile
 * reacts to (deletion, finalizers, labels, annotations). Status-only updates are the
 * operator's own writes (controller-runtime's GenerationChangedPredicate, plus metadata).
 */
export function specOrMetadataChanged(old: KubeObject, obj: KubeObject): boolean {
  const a = old.metadata ?? {};
  const b = obj.metadata ?? {};
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? []) ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {})
  );
}

/**
 * `changed`, except for the update that does nothing but add `finalizer`: that is the
 * reconcile's own write, made at its start, so reconciling again would only repeat the work —
 * and, with a cache that has not yet seen the status it wrote at its end, write that again.
 * Losing the finalizer still counts as a change.
 */
export function exceptAddedFinalizer<T extends KubeObject>(
  finalizer: string,
  changed: (old: T, obj: T) => boolean,
): (old: T, obj: T) => boolean {
  return (old, obj) => {
    const had = old.metadata?.finalizers?.includes(finalizer) ?? false;
    const has = obj.metadata?.finalizers?.includes(finalizer) ?? false;
    if (had || !has) return changed(old, obj);
    const finalizers = obj.metadata!.finalizers!.filter((f) => f !== finalizer);
    return changed(old, { ...obj, metadata: { ...obj.metadata, finalizers } });
  };
}

/**
 * Maps a dependent to the key of its controller owner of `kind`, for `watches`. Owners are
 * namespaced like their dependents (cross-namespace owner references are not allowed).
 */
export function controllerOwnerKeys(kind: string): (obj: KubeObject) => string[] {
  return (obj) => {
    const owner = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === kind);
    if (!owner) return [];
    const ns = obj.metadata?.namespace;
    return [ns ? `${ns}/${owner.name}` : owner.name];
  };
}
