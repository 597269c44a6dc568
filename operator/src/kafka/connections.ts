// One KafkaAdmin per Kafka cluster, shared by every reconciler that talks to it. Keyed by the
// bootstrap list (order and spacing do not matter). An admin heals itself after an outage
// (errors drop its connections and the next call reconnects).
//
// Any KafkaTopic may name any address in `bootstrapServers`, so an admin nobody uses any more
// (its resources were deleted or point elsewhere now) is closed after `idleMs` without a call:
// otherwise its socket, and the reconnects of kafkajs behind it, would live as long as the
// operator. Callers get a handle, not the admin itself: each call goes to the current admin,
// creating a fresh one after an eviction, and an admin with a call in flight is never evicted.
// So a handle kept across an eviction still works and cannot revive a closed admin.

import { systemClock, type Clock, type TimerHandle } from '../runtime/clock.ts';
import { KafkaAdmin, type KafkaAdminOptions } from './kafka-admin.ts';
import type { KafkaAdminPort } from './port.ts';

export type AdminFactory = (options: KafkaAdminOptions) => KafkaAdminPort;

export interface KafkaConnectionsOptions {
  /** Close an admin after this long without a call; default 10 minutes. */
  idleMs?: number;
  clock?: Clock;
}

export const DEFAULT_IDLE_MS = 10 * 60_000;

interface Entry {
  admin: KafkaAdminPort;
  lastUsed: number;
  inFlight: number;
}

export class KafkaConnections {
  readonly #entries = new Map<string, Entry>();
  readonly #handles = new Map<string, KafkaAdminPort>();
  readonly #factory: AdminFactory;
  readonly #defaults: Omit<KafkaAdminOptions, 'bootstrap'>;
  readonly #idleMs: number;
  readonly #clock: Clock;
  #sweep: TimerHandle | undefined;

  constructor(
    defaults: Omit<KafkaAdminOptions, 'bootstrap'> = {},
    factory: AdminFactory = (o) => new KafkaAdmin(o),
    options: KafkaConnectionsOptions = {},
  ) {
    this.#defaults = defaults;
    this.#factory = factory;
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.#clock = options.clock ?? systemClock;
  }

  /** The admin for this cluster (a handle on the shared one), created on first use. */
  get(bootstrap: string): KafkaAdminPort {
    const key = bootstrapKey(bootstrap);
    this.#entry(key);
    let handle = this.#handles.get(key);
    if (!handle) {
      handle = new SharedAdmin(
        (call) => this.#use(key, call),
        () => this.release(key),
      );
      this.#handles.set(key, handle);
    }
    return handle;
  }

  /** Forget a cluster (its resources are gone); the next get() or call starts afresh. */
  async release(bootstrap: string): Promise<void> {
    const key = bootstrapKey(bootstrap);
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    this.#handles.delete(key);
    this.#rearm();
    await entry?.admin.close();
  }

  /** Admins open now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Closes every admin with no call in flight and none for `idleMs`; returns how many. */
  async evictIdle(): Promise<number> {
    const now = this.#clock.now();
    const idle = [...this.#entries].filter(
      ([, e]) => e.inFlight === 0 && now - e.lastUsed >= this.#idleMs,
    );
    for (const [key] of idle) {
      this.#entries.delete(key);
      this.#handles.delete(key);
    }
    this.#rearm();
    await Promise.all(idle.map(([, e]) => e.admin.close().catch(() => undefined)));
    return idle.length;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    this.#handles.clear();
    this.#rearm();
    await Promise.all(all.map((e) => e.admin.close()));
  }

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        admin: this.#factory({ ...this.#defaults, bootstrap: key }),
        lastUsed: this.#clock.now(),
        inFlight: 0,
      };
      this.#entries.set(key, entry);
      this.#rearm();
    }
    entry.lastUsed = this.#clock.now();
    return entry;
  }

  async #use<T>(key: string, call: (admin: KafkaAdminPort) => Promise<T>): Promise<T> {
    const entry = this.#entry(key);
    entry.inFlight++;
    try {
      return await call(entry.admin);
    } finally {
      entry.inFlight--;
      entry.lastUsed = this.#clock.now();
    }
  }

  /** A sweep is pending exactly while some admin is open. */
  #rearm(): void {
    if (this.#entries.size === 0) {
      if (this.#sweep) this.#clock.clearTimeout(this.#sweep);
      this.#sweep = undefined;
      return;
    }
    this.#sweep ??= this.#clock.setTimeout(
      () => {
        this.#sweep = undefined;
        void this.evictIdle();
      },
      // Often enough that an idle admin lives at most about 1.5 × idleMs.
      Math.max(1, Math.min(this.#idleMs / 2, 60_000)),
    );
  }
}

/** Every port call through the connection set, so it can count calls and replace the admin. */
class SharedAdmin implements KafkaAdminPort {
  readonly #use: <T>(call: (admin: KafkaAdminPort) => Promise<T>) => Promise<T>;
  readonly #release: () => Promise<void>;

  constructor(
    use: <T>(call: (admin: KafkaAdminPort) => Promise<T>) => Promise<T>,
    release: () => Promise<void>,
  ) {
    this.#use = use;
    this.#release = release;
  }

  describeCluster: KafkaAdminPort['describeCluster'] = () => this.#use((a) => a.describeCluster());
  describeTopic: KafkaAdminPort['describeTopic'] = (name) =>
    this.#use((a) => a.describeTopic(name));
  describeTopicConfigs: KafkaAdminPort['describeTopicConfigs'] = (name) =>
    this.#use((a) => a.describeTopicConfigs(name));
  createTopic: KafkaAdminPort['createTopic'] = (topic) => this.#use((a) => a.createTopic(topic));
  createPartitions: KafkaAdminPort['createPartitions'] = (name, count) =>
    this.#use((a) => a.createPartitions(name, count));
  replaceTopicConfigs: KafkaAdminPort['replaceTopicConfigs'] = (name, config) =>
    this.#use((a) => a.replaceTopicConfigs(name, config));
  deleteTopic: KafkaAdminPort['deleteTopic'] = (name) => this.#use((a) => a.deleteTopic(name));
  deleteTopicById: KafkaAdminPort['deleteTopicById'] = (topicId) =>
    this.#use((a) => a.deleteTopicById(topicId));
  alterPartitionReassignments: KafkaAdminPort['alterPartitionReassignments'] = (
    topic,
    assignments,
  ) => this.#use((a) => a.alterPartitionReassignments(topic, assignments));
  listPartitionReassignments: KafkaAdminPort['listPartitionReassignments'] = (topics) =>
    this.#use((a) => a.listPartitionReassignments(topics));
  fetchCommittedOffsets: KafkaAdminPort['fetchCommittedOffsets'] = (groupId, topics) =>
    this.#use((a) => a.fetchCommittedOffsets(groupId, topics));
  fetchOffsetRanges: KafkaAdminPort['fetchOffsetRanges'] = (partitions) =>
    this.#use((a) => a.fetchOffsetRanges(partitions));
  describeGroup: KafkaAdminPort['describeGroup'] = (groupId) =>
    this.#use((a) => a.describeGroup(groupId));
  /** Closes the shared admin for everyone (as release() does). */
  close: KafkaAdminPort['close'] = () => this.#release();
}

export function bootstrapKey(bootstrap: string): string {
  return [
    ...new Set(
      bootstrap
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ]
    .sort()
    .join(',');
}
