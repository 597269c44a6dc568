// One connection set per Kafka cluster, shared by every reconciler that talks to it: the topic
// and consumer-group reconcilers (KafkaAdminPort), the KafkaCluster reconciler
// (KafkaClusterPort) and the KafkaUser reconciler (KafkaUserPort) get handles on the same
// KafkaClient, so a cluster has one set of sockets,
// one request timeout and one request count. Keyed by the bootstrap list (order, spacing and
// repeats do not matter). The connections heal themselves after an outage (errors drop a socket
// and the next call reconnects).
//
// Any KafkaTopic may name any address in `bootstrapServers`, so a cluster nobody uses any more
// (its resources were deleted or point elsewhere now) is closed after `idleMs` without a call:
// otherwise its sockets would live as long as the operator. Callers get handles, not the admins
// themselves: each call goes to the current connection set, creating a fresh one after an
// eviction, and a set with a call in flight is never evicted. So a handle kept across an
// eviction still works and cannot revive closed connections.
//
// A secured cluster's connections also depend on the credentials they were opened with: the key
// is the bootstrap list plus a digest of the security settings (`securityDigest`). A handle asked
// for with new settings (a renewed certificate) starts a new connection set and retires the
// cluster's sets keyed by other settings: each closes once its calls in flight are answered.

import { systemClock, type Clock, type TimerHandle } from '../runtime/clock.ts';
import { KafkaClient, type KafkaClientOptions } from './client.ts';
import { KafkaClusterAdmin } from './cluster-admin.ts';
import type { KafkaClusterPort } from './cluster-port.ts';
import { KafkaAdmin } from './kafka-admin.ts';
import type { KafkaAdminPort } from './port.ts';
import { securityDigest, type KafkaSecurity } from './security.ts';
import { KafkaUserAdmin } from './user-admin.ts';
import { BatchingUserPort } from './user-batcher.ts';
import type { KafkaUserPort } from './user-port.ts';

/** The ports of one cluster, over one set of connections. */
export interface ClusterPorts {
  readonly admin: KafkaAdminPort;
  readonly cluster: KafkaClusterPort;
  /** Batched (user-batcher.ts): many KafkaUser reconciles share few requests. */
  readonly user: KafkaUserPort;
  close(): Promise<void>;
}

export type PortsFactory = (options: KafkaClientOptions) => ClusterPorts;

/** The real thing: the admins over one KafkaClient. */
export function kafkaPorts(options: KafkaClientOptions): ClusterPorts {
  const client = new KafkaClient(options);
  const admin = new KafkaAdmin(client);
  return {
    admin,
    cluster: new KafkaClusterAdmin(client),
    user: new BatchingUserPort(new KafkaUserAdmin(client)),
    close: async () => {
      await admin.close();
      client.close();
    },
  };
}

export interface KafkaConnectionsOptions {
  /** Close a cluster's connections after this long without a call; default 10 minutes. */
  idleMs?: number;
  clock?: Clock;
}

export const DEFAULT_IDLE_MS = 10 * 60_000;

interface Entry {
  /** bootstrapKey of the cluster, without the security digest. */
  bootstrap: string;
  ports: ClusterPorts;
  lastUsed: number;
  inFlight: number;
  /** Replaced by a set with other credentials: closes when its last call is answered. */
  retired: boolean;
}

interface Handles {
  admin: KafkaAdminPort;
  cluster: KafkaClusterPort;
  user: KafkaUserPort;
}

export class KafkaConnections {
  readonly #entries = new Map<string, Entry>();
  readonly #handles = new Map<string, Handles>();
  readonly #factory: PortsFactory;
  readonly #defaults: Omit<KafkaClientOptions, 'bootstrap'>;
  readonly #idleMs: number;
  readonly #clock: Clock;
  #sweep: TimerHandle | undefined;

  constructor(
    defaults: Omit<KafkaClientOptions, 'bootstrap'> = {},
    factory: PortsFactory = kafkaPorts,
    options: KafkaConnectionsOptions = {},
  ) {
    this.#defaults = defaults;
    this.#factory = factory;
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * The topic/group admin of this cluster (a handle on the shared one), created on first use.
   * `security`: how to connect (TLS, SASL); unset is PLAINTEXT. Asking with other settings than
   * before retires the connections made with the old ones.
   */
  get(bootstrap: string, security?: KafkaSecurity): KafkaAdminPort {
    return this.#handlesOf(bootstrap, security).admin;
  }

  /** The cluster-level admin of this cluster, over the same connections as get(). */
  cluster(bootstrap: string, security?: KafkaSecurity): KafkaClusterPort {
    return this.#handlesOf(bootstrap, security).cluster;
  }

  /** The user-level port of this cluster (SCRAM credentials, ACLs, quotas; batched), over the
   *  same connections as get(). */
  user(bootstrap: string, security?: KafkaSecurity): KafkaUserPort {
    return this.#handlesOf(bootstrap, security).user;
  }

  /** Forget a cluster (its resources are gone), whatever its credentials; the next get() or
   *  call starts afresh. */
  async release(bootstrap: string): Promise<void> {
    const cluster = bootstrapKey(bootstrap);
    const gone = [...this.#entries].filter(([, e]) => e.bootstrap === cluster);
    for (const [key] of gone) this.#entries.delete(key);
    for (const key of [...this.#handles.keys()]) {
      if (clusterOfKey(key) === cluster) this.#handles.delete(key);
    }
    this.#rearm();
    await Promise.all(gone.map(([, e]) => e.ports.close()));
  }

  /** The keys of the connection sets open now: `bootstrap` or `bootstrap#digest` (tests). */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** Clusters with connections open now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Closes every cluster with no call in flight and none for `idleMs`; returns how many. */
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
    await Promise.all(idle.map(([, e]) => e.ports.close().catch(() => undefined)));
    return idle.length;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    this.#handles.clear();
    this.#rearm();
    await Promise.all(all.map((e) => e.ports.close()));
  }

  #handlesOf(bootstrap: string, security: KafkaSecurity | undefined): Handles {
    const cluster = bootstrapKey(bootstrap);
    const digest = securityDigest(security);
    const key = digest ? `${cluster}#${digest}` : cluster;
    this.#retireOthers(cluster, key);
    this.#entry(key, cluster, security);
    let handles = this.#handles.get(key);
    if (!handles) {
      const use = <T>(call: (ports: ClusterPorts) => Promise<T>) =>
        this.#use(key, cluster, security, call);
      const release = () => this.release(cluster);
      handles = {
        admin: new SharedAdmin((call) => use((p) => call(p.admin)), release),
        cluster: new SharedCluster((call) => use((p) => call(p.cluster)), release),
        user: new SharedUser((call) => use((p) => call(p.user)), release),
      };
      this.#handles.set(key, handles);
    }
    return handles;
  }

  /** Sets of this cluster opened with other credentials: no new calls; closed when idle. */
  #retireOthers(cluster: string, key: string): void {
    for (const [other, entry] of [...this.#entries]) {
      if (other === key || entry.bootstrap !== cluster) continue;
      this.#entries.delete(other);
      this.#handles.delete(other);
      entry.retired = true;
      if (entry.inFlight === 0) void entry.ports.close().catch(() => undefined);
    }
    this.#rearm();
  }

  #entry(key: string, cluster: string, security: KafkaSecurity | undefined): Entry {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        bootstrap: cluster,
        ports: this.#factory({
          ...this.#defaults,
          bootstrap: cluster,
          ...(security ? { security } : {}),
        }),
        lastUsed: this.#clock.now(),
        inFlight: 0,
        retired: false,
      };
      this.#entries.set(key, entry);
      this.#rearm();
    }
    entry.lastUsed = this.#clock.now();
    return entry;
  }

  async #use<T>(
    key: string,
    cluster: string,
    security: KafkaSecurity | undefined,
    call: (ports: ClusterPorts) => Promise<T>,
  ): Promise<T> {
    // A handle kept across a renewal still works: its call opens a set with the credentials it
    // was made with (which stay valid for a while after a renewal), and that set is retired
    // again by the next handle asked for with the new ones, or evicted when idle.
    const entry = this.#entry(key, cluster, security);
    entry.inFlight++;
    try {
      return await call(entry.ports);
    } finally {
      entry.inFlight--;
      entry.lastUsed = this.#clock.now();
      if (entry.retired && entry.inFlight === 0) void entry.ports.close().catch(() => undefined);
    }
  }

  /** A sweep is pending exactly while some cluster has connections. */
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
      // Often enough that an idle cluster lives at most about 1.5 × idleMs.
      Math.max(1, Math.min(this.#idleMs / 2, 60_000)),
    );
  }
}

type Use<P> = <T>(call: (port: P) => Promise<T>) => Promise<T>;

/** Every port call through the connection set, so it can count calls and replace the admin. */
class SharedAdmin implements KafkaAdminPort {
  readonly #use: Use<KafkaAdminPort>;
  readonly #release: () => Promise<void>;

  constructor(use: Use<KafkaAdminPort>, release: () => Promise<void>) {
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

/** The cluster port's calls, the same way. */
class SharedCluster implements KafkaClusterPort {
  readonly #use: Use<KafkaClusterPort>;
  readonly #release: () => Promise<void>;

  constructor(use: Use<KafkaClusterPort>, release: () => Promise<void>) {
    this.#use = use;
    this.#release = release;
  }

  describeQuorum: KafkaClusterPort['describeQuorum'] = () => this.#use((c) => c.describeQuorum());
  describePartitions: KafkaClusterPort['describePartitions'] = () =>
    this.#use((c) => c.describePartitions());
  describeBrokers: KafkaClusterPort['describeBrokers'] = () =>
    this.#use((c) => c.describeBrokers());
  describeLogDirs: KafkaClusterPort['describeLogDirs'] = () =>
    this.#use((c) => c.describeLogDirs());
  describeBrokerDefaults: KafkaClusterPort['describeBrokerDefaults'] = () =>
    this.#use((c) => c.describeBrokerDefaults());
  alterBrokerDefaults: KafkaClusterPort['alterBrokerDefaults'] = (changes) =>
    this.#use((c) => c.alterBrokerDefaults(changes));
  finalizedFeatures: KafkaClusterPort['finalizedFeatures'] = () =>
    this.#use((c) => c.finalizedFeatures());
  upgradeFeature: KafkaClusterPort['upgradeFeature'] = (feature, level) =>
    this.#use((c) => c.upgradeFeature(feature, level));
  addRaftVoter: KafkaClusterPort['addRaftVoter'] = (nodeId, directoryId, endpoint) =>
    this.#use((c) => c.addRaftVoter(nodeId, directoryId, endpoint));
  removeRaftVoter: KafkaClusterPort['removeRaftVoter'] = (nodeId, directoryId) =>
    this.#use((c) => c.removeRaftVoter(nodeId, directoryId));
  unregisterBroker: KafkaClusterPort['unregisterBroker'] = (nodeId) =>
    this.#use((c) => c.unregisterBroker(nodeId));
  /** Closes the cluster's connections for everyone (as release() does). */
  close: KafkaClusterPort['close'] = () => this.#release();
}

/** The user port's calls, the same way. */
class SharedUser implements KafkaUserPort {
  readonly #use: Use<KafkaUserPort>;
  readonly #release: () => Promise<void>;

  constructor(use: Use<KafkaUserPort>, release: () => Promise<void>) {
    this.#use = use;
    this.#release = release;
  }

  describeScramCredentials: KafkaUserPort['describeScramCredentials'] = (users) =>
    this.#use((u) => u.describeScramCredentials(users));
  alterScramCredentials: KafkaUserPort['alterScramCredentials'] = (change) =>
    this.#use((u) => u.alterScramCredentials(change));
  upsertScramCredential: KafkaUserPort['upsertScramCredential'] = (upsertion) =>
    this.#use((u) => u.upsertScramCredential(upsertion));
  deleteScramCredential: KafkaUserPort['deleteScramCredential'] = (deletion) =>
    this.#use((u) => u.deleteScramCredential(deletion));
  describeAcls: KafkaUserPort['describeAcls'] = (filter) =>
    this.#use((u) => u.describeAcls(filter));
  createAcls: KafkaUserPort['createAcls'] = (acls) => this.#use((u) => u.createAcls(acls));
  deleteAcls: KafkaUserPort['deleteAcls'] = (filters) => this.#use((u) => u.deleteAcls(filters));
  describeUserQuotas: KafkaUserPort['describeUserQuotas'] = (users) =>
    this.#use((u) => u.describeUserQuotas(users));
  alterUserQuotas: KafkaUserPort['alterUserQuotas'] = (changes) =>
    this.#use((u) => u.alterUserQuotas(changes));
  /** Closes the cluster's connections for everyone (as release() does). */
  close: KafkaUserPort['close'] = () => this.#release();
}

/** The cluster part of a pool key (`bootstrap` or `bootstrap#digest`). */
function clusterOfKey(key: string): string {
  const hash = key.indexOf('#');
  return hash < 0 ? key : key.slice(0, hash);
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
