// The KafkaAdminPort implementation for one Kafka cluster (one bootstrap address).
//
// kafkajs 2.2.4 does the writes and group reads; a small wire client (wire-*.ts) does what
// kafkajs cannot: topic ids (Metadata v12) and one ListOffsets per leader broker instead of per
// topic. Per-topic calls go through batchers, so a resync of thousands of topics costs a handful
// of requests. A broker outage surfaces as KafkaUnavailableError and drops the kafkajs client,
// so the next call starts from a fresh connection: recovery needs no operator restart.

import { AssignerProtocol, Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import { Batcher, type BatcherOptions, type ItemResult } from './batcher.ts';
import { errorName, isRetriable } from './error-codes.ts';
import { KafkaError, KafkaRequestError, KafkaUnavailableError } from './errors.ts';
import { guardedSocketFactory } from './frame-guard.ts';
import type {
  CreatedTopic,
  ClusterDescription,
  CommittedOffset,
  ConfigEntry,
  ConfigSource,
  GroupDescription,
  KafkaAdminPort,
  NewTopic,
  PartitionAssignment,
  PartitionOffsetRange,
  PartitionReassignment,
  TopicDescription,
  TopicPartition,
} from './port.ts';
import type { KafkaSecurity } from './security.ts';
import { DEFAULT_MAX_FRAME_BYTES, WireConnection } from './wire-connection.ts';
import {
  DESCRIBE_CONFIGS_API_KEY,
  DESCRIBE_CONFIGS_VERSION,
  decodeDescribeConfigsResponse,
  encodeDescribeTopicConfigsRequest,
} from './wire-describe-configs.ts';
import {
  EARLIEST,
  LATEST,
  LIST_OFFSETS_API_KEY,
  LIST_OFFSETS_VERSION,
  decodeListOffsetsResponse,
  encodeListOffsetsRequest,
} from './wire-list-offsets.ts';
import {
  ALTER_CONFIGS_API_KEY,
  DELETE_TOPICS_API_KEY,
  DELETE_TOPICS_VERSION,
  decodeDeleteTopicsResponse,
  encodeDeleteTopicsRequest,
  ALTER_CONFIGS_VERSION,
  CREATE_PARTITIONS_API_KEY,
  CREATE_PARTITIONS_VERSION,
  decodeCreatePartitionsResponse,
  encodeCreatePartitionsRequest,
  CREATE_TOPICS_API_KEY,
  CREATE_TOPICS_VERSION,
  decodeAlterConfigsResponse,
  decodeCreateTopicsResponse,
  encodeAlterTopicConfigsRequest,
  encodeCreateTopicsRequest,
  type DeleteTopicOutcome,
  type DeleteTopicRef,
  type ItemOutcome,
} from './wire-topic-writes.ts';
import {
  METADATA_API_KEY,
  METADATA_VERSION,
  decodeMetadataResponse,
  encodeMetadataRequest,
  type MetadataResponse,
} from './wire-metadata.ts';

export interface KafkaAdminOptions {
  /** host:port[,host:port...] */
  bootstrap: string;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Largest response accepted from a broker, wire client and kafkajs alike (default 100 MiB,
   *  Kafka's socket.request.max.bytes); a longer length prefix drops the connection. */
  maxFrameBytes?: number;
  /** Batching of per-topic calls (Strimzi batches up to 100 topics; we linger 5 ms). */
  batch?: Partial<Omit<BatcherOptions, 'shareDuplicates'>>;
  /** Called per Kafka request sent, with its API name (Metadata, CreateTopics, …), e.g. to count. */
  onRequest?: (api: string) => void;
  /** TLS and/or SASL for the wire client's connections (not yet for the kafkajs calls). */
  security?: KafkaSecurity;
}

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const TOPIC_ALREADY_EXISTS = 36;
const UNKNOWN_TOPIC_ID = 100;

export class KafkaAdmin implements KafkaAdminPort {
  readonly bootstrap: string;
  readonly #opts: Required<Omit<KafkaAdminOptions, 'batch' | 'onRequest' | 'security'>>;
  readonly #security: KafkaSecurity | undefined;
  readonly #onRequest: KafkaAdminOptions['onRequest'];
  #admin: Promise<Admin> | undefined;
  readonly #wire: WireConnection;
  readonly #brokerWires = new Map<string, WireConnection>();
  readonly #describe: Batcher<string, TopicDescription | null>;
  readonly #describeConfigs: Batcher<string, Record<string, ConfigEntry>>;
  readonly #create: Batcher<NewTopic, CreatedTopic | null>;
  readonly #createPartitions: Batcher<{ name: string; count: number }, void>;
  readonly #alterConfigs: Batcher<{ name: string; config: Readonly<Record<string, string>> }, void>;
  readonly #delete: Batcher<string, void>;
  readonly #deleteById: Batcher<string, boolean>;
  /** Requests sent, by kind: what a resync costs (benchmarks read this). */
  readonly requests = new Map<string, number>();

  constructor(options: KafkaAdminOptions) {
    this.bootstrap = options.bootstrap;
    this.#onRequest = options.onRequest;
    this.#security = options.security;
    this.#opts = {
      bootstrap: options.bootstrap,
      clientId: options.clientId ?? 'kraftwerk',
      connectTimeoutMs: options.connectTimeoutMs ?? 3_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    };
    this.#wire = this.#wireTo(options.bootstrap);
    const batch = { maxBatch: 100, lingerMs: 5, concurrency: 4, ...options.batch };
    const reads = { ...batch, shareDuplicates: true };
    const writes = { ...batch, shareDuplicates: false };
    this.#describe = new Batcher(
      (n) => n,
      (names) => this.#describeBatch(names),
      reads,
    );
    this.#describeConfigs = new Batcher(
      (n) => n,
      (names) => this.#describeConfigsBatch(names),
      reads,
    );
    this.#create = new Batcher(
      (t) => t.name,
      (topics) => this.#createBatch(topics),
      writes,
    );
    this.#createPartitions = new Batcher(
      (t) => t.name,
      (items) => this.#createPartitionsBatch(items),
      writes,
    );
    this.#alterConfigs = new Batcher(
      (t) => t.name,
      (items) => this.#alterConfigsBatch(items),
      writes,
    );
    this.#delete = new Batcher(
      (n) => n,
      (names) => this.#deleteBatch(names),
      writes,
    );
    this.#deleteById = new Batcher(
      (id) => id,
      (ids) => this.#deleteByIdBatch(ids),
      writes,
    );
  }

  async describeCluster(): Promise<ClusterDescription> {
    const m = await this.#metadata([]);
    return {
      clusterId: m.clusterId,
      controllerId: m.controllerId < 0 ? null : m.controllerId,
      brokers: m.brokers,
    };
  }

  describeTopic(name: string): Promise<TopicDescription | null> {
    return this.#describe.submit(name);
  }

  describeTopicConfigs(name: string): Promise<Readonly<Record<string, ConfigEntry>>> {
    return this.#describeConfigs.submit(name);
  }

  createTopic(topic: NewTopic): Promise<CreatedTopic | null> {
    return this.#create.submit(topic);
  }

  createPartitions(name: string, count: number): Promise<void> {
    return this.#createPartitions.submit({ name, count });
  }

  replaceTopicConfigs(name: string, config: Readonly<Record<string, string>>): Promise<void> {
    return this.#alterConfigs.submit({ name, config });
  }

  deleteTopic(name: string): Promise<void> {
    return this.#delete.submit(name);
  }

  deleteTopicById(topicId: string): Promise<boolean> {
    return this.#deleteById.submit(topicId);
  }

  async alterPartitionReassignments(
    topic: string,
    assignments: readonly PartitionAssignment[],
  ): Promise<void> {
    await this.#withAdmin('AlterPartitionReassignments', (a) =>
      a.alterPartitionReassignments({
        topics: [
          {
            topic,
            partitionAssignment: assignments.map((p) => ({
              partition: p.partition,
              replicas: [...p.replicas],
            })),
          },
        ],
      }),
    );
  }

  async listPartitionReassignments(
    topics?: readonly string[],
  ): Promise<readonly PartitionReassignment[]> {
    let request: { topic: string; partitions: number[] }[] | undefined;
    if (topics !== undefined) {
      // The request names partitions, not topics; only existing topics can be asked about.
      const described = await Promise.all(topics.map((t) => this.describeTopic(t)));
      request = described
        .filter((d): d is TopicDescription => d !== null)
        .map((d) => ({ topic: d.name, partitions: d.partitions.map((p) => p.partition) }));
      if (request.length === 0) return [];
    }
    const response = await this.#withAdmin('ListPartitionReassignments', (a) =>
      a.listPartitionReassignments(request === undefined ? {} : { topics: request }),
    );
    // kafkajs 2.2.4's typings say {topic, partitionIndex}; its decoder returns {name, partition}.
    const topicsOut = response.topics as unknown as {
      name?: string;
      topic?: string;
      partitions: {
        partition?: number;
        partitionIndex?: number;
        replicas: number[];
        addingReplicas?: number[];
        removingReplicas?: number[];
      }[];
    }[];
    return topicsOut.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name ?? t.topic ?? '',
        partition: p.partition ?? p.partitionIndex ?? -1,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas ?? [],
        removingReplicas: p.removingReplicas ?? [],
      })),
    );
  }

  async fetchCommittedOffsets(
    groupId: string,
    topics?: readonly string[],
  ): Promise<readonly CommittedOffset[]> {
    // Without `topics` kafkajs sends one OffsetFetch for everything the group committed; with
    // topics it would first pin them into its metadata cache for good (a later deleted topic
    // then breaks every admin call), so we filter here instead.
    const response = await this.#withAdmin('OffsetFetch', (a) => a.fetchOffsets({ groupId }));
    const wanted = topics === undefined ? undefined : new Set(topics);
    return response
      .filter((t) => wanted === undefined || wanted.has(t.topic))
      .flatMap((t) =>
        t.partitions.map((p) => {
          const offset = Number(p.offset);
          return { topic: t.topic, partition: p.partition, offset: offset < 0 ? null : offset };
        }),
      );
  }

  async fetchOffsetRanges(
    partitions: readonly TopicPartition[],
  ): Promise<readonly PartitionOffsetRange[]> {
    if (partitions.length === 0) return [];
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const metadata = await this.#metadata(topics);
    const leaders = new Map<string, number>();
    for (const t of metadata.topics) {
      for (const p of t.partitions) leaders.set(`${t.name}\u0000${p.partition}`, p.leader);
    }
    const byLeader = new Map<number, TopicPartition[]>();
    for (const p of partitions) {
      const leader = leaders.get(`${p.topic}\u0000${p.partition}`);
      if (leader === undefined)
        throw new KafkaRequestError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `${p.topic}/${p.partition} does not exist`,
          true,
        );
      if (leader < 0)
        throw new KafkaRequestError(
          'LEADER_NOT_AVAILABLE',
          `${p.topic}/${p.partition} has no leader`,
          true,
        );
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const ranges = new Map<
      string,
      { topic: string; partition: number; logStart?: number; end?: number }
    >();
    await Promise.all(
      [...byLeader].map(async ([leader, ps]) => {
        const broker = metadata.brokers.find((b) => b.nodeId === leader);
        if (!broker)
          throw new KafkaUnavailableError(
            this.bootstrap,
            `leader ${leader} is not among the live brokers`,
          );
        const wire = this.#wireTo(`${broker.host}:${broker.port}`);
        const [earliest, latest] = await Promise.all(
          [EARLIEST, LATEST].map(async (ts) => {
            this.#count('ListOffsets');
            return wire.call(
              LIST_OFFSETS_API_KEY,
              LIST_OFFSETS_VERSION,
              encodeListOffsetsRequest(ps, ts),
              false,
              decodeListOffsetsResponse,
            );
          }),
        );
        for (const [list, field] of [
          [earliest!, 'logStart'],
          [latest!, 'end'],
        ] as const) {
          for (const r of list) {
            if (r.errorCode !== 0) {
              throw new KafkaRequestError(
                errorName(r.errorCode),
                `ListOffsets for ${r.topic}/${r.partition} failed: ${errorName(r.errorCode)}`,
                isRetriable(r.errorCode),
              );
            }
            const key = `${r.topic}\u0000${r.partition}`;
            const entry = ranges.get(key) ?? { topic: r.topic, partition: r.partition };
            entry[field] = r.offset;
            ranges.set(key, entry);
          }
        }
      }),
    );
    return partitions.map((p) => {
      const r = ranges.get(`${p.topic}\u0000${p.partition}`);
      if (r?.logStart === undefined || r.end === undefined) {
        throw new KafkaRequestError(
          'INVALID_RESPONSE',
          `no offsets returned for ${p.topic}/${p.partition}`,
          true,
        );
      }
      return { topic: p.topic, partition: p.partition, logStart: r.logStart, end: r.end };
    });
  }

  async describeGroup(groupId: string): Promise<GroupDescription | null> {
    const { groups } = await this.#withAdmin('DescribeGroups', (a) => a.describeGroups([groupId]));
    const g = groups.find((x) => x.groupId === groupId);
    if (!g || (g.state === 'Dead' && g.members.length === 0)) return null;
    return {
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: g.protocolType === 'consumer' ? decodeAssignment(m.memberAssignment) : [],
      })),
    };
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    this.#wire.close();
    for (const w of this.#brokerWires.values()) w.close();
    this.#brokerWires.clear();
    if (admin) await admin.then((a) => a.disconnect()).catch(() => undefined);
  }

  // --- batches ---------------------------------------------------------------------------

  async #describeBatch(
    names: readonly string[],
  ): Promise<Map<string, ItemResult<TopicDescription | null>>> {
    const m = await this.#metadata(names);
    const results = new Map<string, ItemResult<TopicDescription | null>>();
    for (const t of m.topics) {
      if (t.name === null) continue;
      if (t.errorCode === UNKNOWN_TOPIC_OR_PARTITION)
        results.set(t.name, { ok: true, value: null });
      else if (t.errorCode !== 0) {
        results.set(t.name, {
          ok: false,
          error: new KafkaRequestError(
            errorName(t.errorCode),
            `describing topic ${t.name}: ${errorName(t.errorCode)}`,
            isRetriable(t.errorCode),
          ),
        });
      } else {
        results.set(t.name, {
          ok: true,
          value: {
            name: t.name,
            topicId: t.topicId ?? '',
            internal: t.internal,
            partitions: t.partitions
              .map((p) => ({
                partition: p.partition,
                leader: p.leader,
                replicas: p.replicas,
                isr: p.isr,
                offlineReplicas: p.offlineReplicas,
              }))
              .sort((a, b) => a.partition - b.partition),
          },
        });
      }
    }
    return results;
  }

  async #describeConfigsBatch(
    names: readonly string[],
  ): Promise<Map<string, ItemResult<Record<string, ConfigEntry>>>> {
    this.#count('DescribeConfigs');
    const described = await this.#wire.call(
      DESCRIBE_CONFIGS_API_KEY,
      DESCRIBE_CONFIGS_VERSION,
      encodeDescribeTopicConfigsRequest(names),
      false,
      decodeDescribeConfigsResponse,
    );
    return new Map(
      described.map((r): [string, ItemResult<Record<string, ConfigEntry>>] => [
        r.name,
        r.errorCode !== 0
          ? {
              ok: false,
              error: new KafkaRequestError(
                errorName(r.errorCode),
                r.errorMessage || errorName(r.errorCode),
                isRetriable(r.errorCode),
              ),
            }
          : {
              ok: true,
              value: Object.fromEntries(
                r.configs.map((c) => [
                  c.name,
                  {
                    value: c.sensitive ? null : c.value,
                    source: sourceOf(c.source),
                    readOnly: c.readOnly,
                  },
                ]),
              ),
            },
      ]),
    );
  }

  async #createBatch(
    topics: readonly NewTopic[],
  ): Promise<Map<string, ItemResult<CreatedTopic | null>>> {
    this.#count('CreateTopics');
    const created = await this.#wire.call(
      CREATE_TOPICS_API_KEY,
      CREATE_TOPICS_VERSION,
      encodeCreateTopicsRequest(topics, Math.min(this.#opts.requestTimeoutMs, 10_000)),
      true,
      decodeCreateTopicsResponse,
    );
    return new Map(
      created.map((o): [string, ItemResult<CreatedTopic | null>] => {
        // An existing topic is what creating wanted, but Kafka made nothing to report.
        if (o.errorCode === TOPIC_ALREADY_EXISTS) return [o.name, { ok: true, value: null }];
        if (o.errorCode !== 0) return [o.name, { ok: false, error: requestError(o) }];
        return [
          o.name,
          {
            ok: true,
            value: {
              name: o.name,
              topicId: o.topicId,
              partitions: o.partitions,
              replicationFactor: o.replicationFactor,
              configs:
                o.configs === null
                  ? null
                  : Object.fromEntries(
                      o.configs.map((c) => [
                        c.name,
                        {
                          value: c.sensitive ? null : c.value,
                          source: sourceOf(c.source),
                          readOnly: c.readOnly,
                        },
                      ]),
                    ),
            },
          },
        ];
      }),
    );
  }

  async #createPartitionsBatch(
    items: readonly { name: string; count: number }[],
  ): Promise<Map<string, ItemResult<void>>> {
    this.#count('CreatePartitions');
    const answer = await this.#wire.call(
      CREATE_PARTITIONS_API_KEY,
      CREATE_PARTITIONS_VERSION,
      encodeCreatePartitionsRequest(items, Math.min(this.#opts.requestTimeoutMs, 10_000)),
      false,
      decodeCreatePartitionsResponse,
    );
    return outcomes(answer, []);
  }

  async #alterConfigsBatch(
    items: readonly { name: string; config: Readonly<Record<string, string>> }[],
  ): Promise<Map<string, ItemResult<void>>> {
    // AlterConfigs (not Incremental) replaces the topic's whole per-topic config set, which is
    // exactly "configs equal the declared map", in one request for the batch. The batcher never
    // puts one topic twice in a request: Kafka 4.1.1's forwarding path then never answers.
    this.#count('AlterConfigs');
    const answer = await this.#wire.call(
      ALTER_CONFIGS_API_KEY,
      ALTER_CONFIGS_VERSION,
      encodeAlterTopicConfigsRequest(items),
      false,
      decodeAlterConfigsResponse,
    );
    return outcomes(answer, []);
  }

  async #deleteBatch(names: readonly string[]): Promise<Map<string, ItemResult<void>>> {
    const answer = await this.#deleteTopics(names.map((name) => ({ name })));
    // Already gone is what deleting wanted.
    return outcomes(answer, [UNKNOWN_TOPIC_OR_PARTITION]);
  }

  async #deleteByIdBatch(ids: readonly string[]): Promise<Map<string, ItemResult<boolean>>> {
    const answer = await this.#deleteTopics(ids.map((topicId) => ({ topicId })));
    // Items are answered by id; an unknown id comes back with a null name.
    return new Map(
      answer.map((o): [string, ItemResult<boolean>] => [
        o.topicId,
        o.errorCode === 0
          ? { ok: true, value: true }
          : o.errorCode === UNKNOWN_TOPIC_ID
            ? { ok: true, value: false }
            : { ok: false, error: requestError(o) },
      ]),
    );
  }

  async #deleteTopics(topics: readonly DeleteTopicRef[]): Promise<DeleteTopicOutcome[]> {
    this.#count('DeleteTopics');
    const answer = await this.#wire.call(
      DELETE_TOPICS_API_KEY,
      DELETE_TOPICS_VERSION,
      encodeDeleteTopicsRequest(topics, Math.min(this.#opts.requestTimeoutMs, 10_000)),
      true,
      decodeDeleteTopicsResponse,
    );
    return answer;
  }

  // --- plumbing ----------------------------------------------------------------------------

  async #metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    this.#count('Metadata');
    return this.#wire.call(
      METADATA_API_KEY,
      METADATA_VERSION,
      encodeMetadataRequest(topics),
      true,
      decodeMetadataResponse,
    );
  }

  async #withAdmin<T>(kind: string, call: (admin: Admin) => Promise<T>): Promise<T> {
    this.#count(kind);
    try {
      return await call(await this.#connectedAdmin());
    } catch (e) {
      const error = translate(e, this.bootstrap);
      // A fresh client after an outage: kafkajs can stay wedged on dead sockets otherwise.
      if (error instanceof KafkaUnavailableError) this.#dropAdmin();
      throw error;
    }
  }

  #connectedAdmin(): Promise<Admin> {
    this.#admin ??= (async () => {
      const config: KafkaConfig = {
        clientId: this.#opts.clientId,
        brokers: this.bootstrap.split(',').map((s) => s.trim()),
        connectionTimeout: this.#opts.connectTimeoutMs,
        requestTimeout: this.#opts.requestTimeoutMs,
        // Retries belong to the reconciler's backoff, not to a call holding a worker.
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
        logLevel: logLevel.NOTHING,
        // Its own socket handler would throw on a malformed length prefix and kill the process.
        socketFactory: guardedSocketFactory(this.#opts.maxFrameBytes),
      };
      const admin = new Kafka(config).admin();
      await admin.connect();
      return admin;
    })().catch((e: unknown) => {
      this.#admin = undefined;
      throw e;
    });
    return this.#admin;
  }

  #dropAdmin(): void {
    const admin = this.#admin;
    this.#admin = undefined;
    void admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  #wireTo(address: string): WireConnection {
    let w = this.#brokerWires.get(address);
    if (!w) {
      w = new WireConnection(address, {
        clientId: this.#opts.clientId,
        connectTimeoutMs: this.#opts.connectTimeoutMs,
        requestTimeoutMs: this.#opts.requestTimeoutMs,
        maxFrameBytes: this.#opts.maxFrameBytes,
        security: this.#security,
      });
      this.#brokerWires.set(address, w);
    }
    return w;
  }

  #count(kind: string): void {
    this.requests.set(kind, (this.requests.get(kind) ?? 0) + 1);
    this.#onRequest?.(kind);
  }
}

const unavailableNames = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
]);

interface KafkaJSLikeError extends Error {
  type?: string;
  code?: string | number;
  retriable?: boolean;
  cause?: unknown;
}

/** kafkajs errors → the port's: unavailable (retry later) or refused (with Kafka's code). */
export function translate(e: unknown, bootstrap: string): KafkaError {
  if (e instanceof KafkaError) return e;
  if (!(e instanceof Error)) return new KafkaRequestError('CLIENT_ERROR', String(e), false);
  const err = e as KafkaJSLikeError;
  if (err.name === 'KafkaJSNumberOfRetriesExceeded' && err.cause instanceof Error)
    return translate(err.cause, bootstrap);
  if (
    unavailableNames.has(err.name) ||
    // A plain Error kafkajs throws when a request finds its broker's connection gone (after a
    // timeout against an endpoint that never answers): nothing was refused.
    err.message === 'Broker not connected' ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(
      String(err.code),
    )
  ) {
    return new KafkaUnavailableError(bootstrap, err.message, { cause: e });
  }
  if (typeof err.type === 'string') {
    return new KafkaRequestError(err.type, err.message, err.retriable === true, { cause: e });
  }
  return new KafkaRequestError('CLIENT_ERROR', err.message, false, { cause: e });
}

/** Per-item outcomes → results, carrying Kafka's own message (e.g. "Unknown topic config name: x"). */
function outcomes(
  items: readonly ItemOutcome[],
  fine: readonly number[],
): Map<string, ItemResult<void>> {
  return new Map(
    items.map((o): [string, ItemResult<void>] => [
      o.name,
      o.errorCode === 0 || fine.includes(o.errorCode)
        ? { ok: true, value: undefined }
        : { ok: false, error: requestError(o) },
    ]),
  );
}

function requestError(o: ItemOutcome): KafkaRequestError {
  return new KafkaRequestError(
    errorName(o.errorCode),
    o.errorMessage || errorName(o.errorCode),
    isRetriable(o.errorCode),
  );
}

function sourceOf(configSource: number): ConfigSource {
  switch (configSource) {
    case 1:
      return 'topic'; // TOPIC_CONFIG: a dynamic per-topic override
    case 2: // DYNAMIC_BROKER_CONFIG
    case 3: // DYNAMIC_DEFAULT_BROKER_CONFIG
    case 4: // STATIC_BROKER_CONFIG
      return 'broker';
    case 5:
      return 'default';
    default:
      return 'other';
  }
}

function decodeAssignment(buffer: Buffer): TopicPartition[] {
  if (buffer.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
    if (!decoded) return [];
    return Object.entries(decoded.assignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
  } catch {
    // A non-standard assignor's bytes: members still count, the assignment is just unknown.
    return [];
  }
}
