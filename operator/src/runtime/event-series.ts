// Deduplication of repeated Events, as client-go's events recorder does: an identical event
// within the window becomes a count on the first one (series) instead of a new object.
import type { KubeObject } from './resource.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  type: EventType;
  reason: string;
  action: string;
  note: string;
}

export function eventFingerprint(regarding: KubeObject, e: EventInput): string {
  const m = regarding.metadata ?? {};
  return JSON.stringify([
    regarding.apiVersion,
    regarding.kind,
    m.namespace,
    m.name,
    m.uid,
    e.type,
    e.reason,
    e.action,
    e.note,
  ]);
}

export interface SeriesEntry {
  name: string;
  namespace: string;
  count: number;
  lastObservedMs: number;
}

export type SeriesDecision =
  { kind: 'create' } | { kind: 'increment'; entry: SeriesEntry; count: number };

/** A bounded LRU of recent events. */
export class EventSeriesCache {
  private readonly entries = new Map<string, SeriesEntry>();
  private readonly windowMs: number;
  private readonly maxEntries: number;

  constructor(windowMs = 6 * 60_000, maxEntries = 4096) {
    this.windowMs = windowMs;
    this.maxEntries = maxEntries;
  }

  decide(key: string, nowMs: number): SeriesDecision {
    const entry = this.entries.get(key);
    if (!entry || nowMs - entry.lastObservedMs > this.windowMs) return { kind: 'create' };
    return { kind: 'increment', entry, count: entry.count + 1 };
  }

  remember(key: string, entry: SeriesEntry): void {
    this.entries.delete(key); // re-insert to mark as most recent
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Per-object token bucket (client-go's spam filter: burst 25, one more every 5 minutes), so
 * a resource stuck in a failing loop cannot flood the API server with Event writes.
 */
export class EventRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly maxObjects: number;

  constructor(burst = 25, refillMs = 5 * 60_000, maxObjects = 4096) {
    this.burst = burst;
    this.refillMs = refillMs;
    this.maxObjects = maxObjects;
  }

  allow(objectKey: string, nowMs: number): boolean {
    const b = this.buckets.get(objectKey) ?? { tokens: this.burst, atMs: nowMs };
    const refilled = Math.min(this.burst, b.tokens + (nowMs - b.atMs) / this.refillMs);
    const allowed = refilled >= 1;
    this.buckets.delete(objectKey);
    this.buckets.set(objectKey, { tokens: allowed ? refilled - 1 : refilled, atMs: nowMs });
    while (this.buckets.size > this.maxObjects) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
    return allowed;
  }
}
