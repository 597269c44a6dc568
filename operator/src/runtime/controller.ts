// A controller: an informer's changes become keys in a work queue, which a reconcile works
// through. Level-triggered: the key says what to look at, the cache says what it is now.
// Generic behaviour every kind gets here: a failed reconcile is reported on its object
// (failure-report.ts), a TerminalError is not retried until the object changes, and the abandon
// annotation releases the operator's finalizers of a deleting object without reconciling it.
// Opt-in (a Reconciler with a `finalizer`): the controller keeps the kind's finalizer itself — added before a
// reconcile, and on deletion `finalize` runs instead of the reconcile until it says done.
import type { BackoffPolicy } from './backoff.ts';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import type { EventRecorder } from './events.ts';
import { reportFailure } from './failure-report.ts';
import {
  ABANDON_ANNOTATION,
  addFinalizer,
  hasFinalizer,
  isAbandoned,
  removeFinalizer,
  removeFinalizers,
} from './finalizers.ts';
import type { Informer } from './informer.ts';
import { isConflict, isNotFound, isStalePatch } from './kube-client.ts';
import type { KubeClient } from './kube-client.ts';
import { silentLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import type { KubeObject } from './resource.ts';
import { objectKey } from './resource.ts';
import { WorkQueue } from './work-queue.ts';
import type { Reconcile, ReconcileFailure, ReconcileResult } from './work-queue.ts';

export interface ControllerOptions<T extends KubeObject> {
  /** The kind it reconciles; names the queue and labels metrics. */
  name: string;
  informer: Informer<T>;
  /** A reconcile function, or a reconciler that also brings a finalizer hook. */
  reconcile: Reconcile | Reconciler<T>;
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
  /** Deadline of one reconcile (WorkQueueOptions.timeoutMs). */
  timeoutMs?: number;
  /**
   * Where failures are reported (Ready=False condition, Warning Event) and abandoned objects'
   * finalizers removed; without it failures are only logged.
   */
  client?: KubeClient;
  events?: EventRecorder;
  /**
   * The operator's finalizers on this kind, released by the abandon annotation; default: the
   * `finalizer` hook's, else every kraftwerk.dev/ finalizer the object carries.
   */
  finalizers?: readonly string[];
}

/** A reconcile with an opt-in finalizer the controller keeps for it (FinalizerHook). */
export interface Reconciler<T extends KubeObject> {
  reconcile: Reconcile;
  finalizer?: FinalizerHook<T>;
}

/**
 * What `finalize` says: done — the cleanup is finished and the finalizer goes (from `latest`,
 * the object as finalize last read it from the API server, if fresher than the cache); not done
 * — look again after `requeueAfterMs`, or on the object's next change without it.
 */
export type FinalizeResult<T> =
  { done: true; latest?: T } | { done: false; requeueAfterMs?: number };

/**
 * A finalizer the controller keeps for the reconciler: added before each reconcile of a live
 * object (an object already being deleted gets none), and, once the object is being deleted,
 * `finalize(obj)` runs instead of the reconcile until it returns done, then the finalizer is
 * removed. A deleting object without the finalizer is neither reconciled nor finalized.
 * The abandon annotation still wins: its finalizer is released without calling `finalize`.
 */
export interface FinalizerHook<T extends KubeObject> {
  name: string;
  finalize: (obj: T, signal: AbortSignal) => Promise<FinalizeResult<T>>;
  /**
   * Whether a live object needs the finalizer yet; default always. E.g. a KafkaTopic whose
   * cluster is not there holds nothing in Kafka, so its deletion need not wait for Kafka.
   */
  needed?: (obj: T) => boolean;
}

export class Controller<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly options: ControllerOptions<T>;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly sources: {
    informer: Informer<KubeObject>;
    map: (o: KubeObject) => string[];
    changed?: (old: KubeObject, obj: KubeObject) => boolean;
  }[] = [];
  private stopResync: (() => void) | undefined;
  /** Keys whose last reconcile ended in a TerminalError, with the object as it was then. */
  private readonly terminal = new Map<string, T>();
  private readonly log: Logger;
  private readonly reconcileKey: Reconcile;
  private readonly hook: FinalizerHook<T> | undefined;

  constructor(options: ControllerOptions<T>) {
    const r = options.reconcile;
    this.reconcileKey = typeof r === 'function' ? r : r.reconcile;
    this.hook = typeof r === 'function' ? undefined : r.finalizer;
    if (this.hook && !options.client) {
      throw new Error(`${options.name}: a finalizer hook needs a client`);
    }
    this.name = options.name;
    this.options = this.hook
      ? {
          ...options,
          // Adding the finalizer is the controller's own write: no reason to reconcile again.
          enqueueUpdate: exceptAddedFinalizer(
            this.hook.name,
            options.enqueueUpdate ?? (() => true),
          ),
        }
      : options;
    this.log = (options.logger ?? silentLogger).child({ controller: options.name });
    this.queue = new WorkQueue({
      name: options.name,
      reconcile: (key, signal) => this.reconcile(key, signal),
      onFailure: (key, failure) => this.onFailure(key, failure),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  private async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const obj = this.options.informer.get(key);
    if (obj && isAbandoned(obj) && this.options.client) {
      await this.abandon(obj);
      return undefined;
    }
    const hook = this.hook;
    if (hook && obj) {
      if (obj.metadata?.deletionTimestamp) {
        const result = hasFinalizer(obj, hook.name)
          ? await this.finalize(hook, obj, signal)
          : undefined;
        this.terminal.delete(key);
        return result;
      }
      if (hook.needed?.(obj) ?? true) {
        await addFinalizer(
          this.options.client!,
          obj,
          hook.name,
          this.options.informer.resourceInfo,
        );
      }
    }
    const result = (await this.reconcileKey(key, signal)) ?? undefined;
    this.terminal.delete(key);
    return result;
  }

  private async finalize(
    hook: FinalizerHook<T>,
    obj: T,
    signal: AbortSignal,
  ): Promise<ReconcileResult | undefined> {
    const result = await hook.finalize(obj, signal);
    if (!result.done) {
      return result.requeueAfterMs !== undefined
        ? { requeueAfterMs: result.requeueAfterMs }
        : undefined;
    }
    try {
      await removeFinalizer(
        this.options.client!,
        result.latest ?? obj,
        hook.name,
        this.options.informer.resourceInfo,
      );
    } catch (e) {
      // Gone already: whoever removed the last finalizer finished the deletion.
      if (!isNotFound(e)) throw e;
    }
    return undefined;
  }

  /** Drops the operator's finalizers without reconciling: the reconciler never sees it. */
  private async abandon(obj: T): Promise<void> {
    const ours =
      this.options.finalizers ??
      (this.hook
        ? [this.hook.name]
        : (obj.metadata?.finalizers ?? []).filter((f) => f.startsWith('kraftwerk.dev/')));
    const removed = await removeFinalizers(
      this.options.client!,
      obj,
      ours,
      this.options.informer.resourceInfo,
    );
    if (removed.length === 0) return;
    this.log.warn('finalizer released by the abandon annotation', {
      key: objectKey(obj),
      finalizers: removed,
    });
    void this.options.events?.warning(
      obj,
      'Abandoned',
      'RemoveFinalizer',
      `${ABANDON_ANNOTATION}: "true": released ${removed.join(', ')} without cleaning up; ` +
        'whatever the resource held in Kafka is left there',
    );
  }

  private async onFailure(key: string, failure: ReconcileFailure): Promise<void> {
    const obj = this.options.informer.get(key);
    if (!obj) return;
    if (failure.terminal) this.terminal.set(key, obj);
    if (!this.options.client) return;
    // A conflict (or a JSON Patch whose test failed: the same race) is the ordinary race of
    // optimistic concurrency, settled by the retry: it is reported only when it keeps coming.
    if ((isConflict(failure.err) || isStalePatch(failure.err)) && failure.failures < 3) return;
    await reportFailure(
      {
        client: this.options.client,
        clock: this.options.clock ?? systemClock,
        ...(this.options.events ? { events: this.options.events } : {}),
      },
      obj,
      failure.err,
    );
  }

  /** A key parked by a TerminalError waits for a change of its object, not for a resync. */
  private parked(key: string): boolean {
    const then = this.terminal.get(key);
    if (!then) return false;
    const now = this.options.informer.get(key);
    if (now && !specOrMetadataChanged(then, now)) return true;
    this.terminal.delete(key);
    return false;
  }

  /**
   * Changes of another kind that should reconcile the primary objects `map` names. `changed`
   * filters updates (default: every update), e.g. a Node's heartbeats.
   */
  watches<U extends KubeObject>(
    informer: Informer<U>,
    map: (obj: U) => string[],
    changed?: (old: U, obj: U) => boolean,
  ): this {
    this.sources.push({
      informer: informer as unknown as Informer<KubeObject>,
      map: map as (o: KubeObject) => string[],
      ...(changed ? { changed: changed as (old: KubeObject, obj: KubeObject) => boolean } : {}),
    });
    return this;
  }

  /**
   * Objects this kind controls (their controller owner reference names it): a change of one
   * reconciles its owner. Owners are namespaced like their dependents.
   */
  owns<U extends KubeObject>(informer: Informer<U>): this {
    return this.watches(informer, controllerOwnerKeys(this.options.informer.kind));
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
          update: (old, o) => {
            if (s.changed && !s.changed(old, o)) return;
            enqueue([...new Set([...s.map(old), ...s.map(o)])]);
          },
          delete: (o) => enqueue(s.map(o)),
        }),
      );
    }
    if (this.options.resyncPeriodMs) {
      this.stopResync = this.queue.resync(this.options.resyncPeriodMs, () =>
        [...this.options.informer.keys()].filter((k) => !this.parked(k)),
      );
    }
    this.queue.start();
  }

  /** Leadership lost: aborts the signals of reconciles in flight (stop() still follows). */
  abortInFlight(reason: unknown): void {
    this.queue.abortInFlight(reason);
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
