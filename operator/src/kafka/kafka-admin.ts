// The KafkaAdminPort implementation for one Kafka cluster (one bootstrap address), over the
// operator's own wire client (wire-*.ts, README "Who sends what"). Per-topic calls go through
// batchers, so a resync of thousands of topics costs a handful of requests. A broker outage
// surfaces as KafkaUnavailableError and drops the connection under it, so the next call starts
// from a fresh one: recovery needs no operator restart.

import { setTimeout as sleep } from 'node:timers/promises';
import {
  ALTER_CONFIGS,
  ALTER_PARTITION_REASSIGNMENTS,
  CREATE_PARTITIONS,
  CREATE_TOPICS,
  DELETE_TOPICS,
  DESCRIBE_CONFIGS,
  DESCRIBE_GROUPS,
  FIND_COORDINATOR,
  LIST_OFFSETS,
  LIST_PARTITION_REASSIGNMENTS,
  METADATA,
  OFFSET_FETCH,
} from './apis.ts';
import { Batcher, type BatcherOptions, type ItemResult } from './batcher.ts';
import { KafkaClient, type Api, type KafkaClientOptions } from './client.ts';
import { errorName, isRetriable } from './error-codes.ts';
import { KafkaDecodeError, KafkaRequestError, KafkaUnavailableError } from './errors.ts';
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
import {
  decodeDescribeConfigsResponse,
  encodeDescribeTopicConfigsRequest,
} from './wire-describe-configs.ts';
import {
  decodeConsumerAssignment,
  decodeDescribeGroupsResponse,
  decodeFindCoordinatorResponse,
  decodeOffsetFetchResponse,
  encodeDescribeGroupsRequest,
  encodeFindCoordinatorRequest,
  encodeOffsetFetchRequest,
} from './wire-groups.ts';
import {
  EARLIEST,
  LATEST,
  decodeListOffsetsResponse,
  encodeListOffsetsRequest,
} from './wire-list-offsets.ts';
import {
  decodeMetadataResponse,
  encodeMetadataRequest,
  type MetadataResponse,
} from './wire-metadata.ts';
import {
  decodeAlterPartitionReassignmentsResponse,
  decodeListPartitionReassignmentsResponse,
  encodeAlterPartitionReassignmentsRequest,
  encodeListPartitionReassignmentsRequest,
} from './wire-reassignments.ts';
import {
  decodeDeleteTopicsResponse,
  encodeDeleteTopicsRequest,
  decodeCreatePartitionsResponse,
  encodeCreatePartitionsRequest,
  decodeAlterConfigsResponse,
  decodeCreateTopicsResponse,
  encodeAlterTopicConfigsRequest,
  encodeCreateTopicsRequest,
  type DeleteTopicOutcome,
  type DeleteTopicRef,
  type ItemOutcome,
} from './wire-topic-writes.ts';

export interface KafkaAdminOptions extends KafkaClientOptions {
  /** Batching of per-topic calls (Strimzi batches up to 100 topics; we linger 5 ms). */
  batch?: Partial<Omit<BatcherOptions, 'shareDuplicates'>>;
}

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const TOPIC_ALREADY_EXISTS = 36;
const GROUP_ID_NOT_FOUND = 69;
const UNKNOWN_TOPIC_ID = 100;
/** The group's coordinator is moving or still loading __consumer_offsets: ask again. */
const COORDINATOR_NOT_READY = new Set([
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
]);
/** Tries of one group call while its coordinator is not ready (a new cluster creates
 *  __consumer_offsets on the first lookup); what is left then is the reconciler's backoff. */
const GROUP_ATTEMPTS = 3;

export class KafkaAdmin implements KafkaAdminPort {
  readonly bootstrap: string;
  readonly #client: KafkaClient;
  /** Closed with this admin only when this admin made it (not when a pool shares it). */
  readonly #ownsClient: boolean;
  /** Where each group's coordinator is, as FindCoordinator said (host:port). */
  readonly #coordinators = new Map<string, Promise<string>>();
  readonly #describe: Batcher<string, TopicDescription | null>;
  readonly #describeConfigs: Batcher<string, Record<string, ConfigEntry>>;
  readonly #create: Batcher<NewTopic, CreatedTopic | null>;
  readonly #createPartitions: Batcher<{ name: string; count: number }, void>;
  readonly #alterConfigs: Batcher<{ name: string; config: Readonly<Record<string, string>> }, void>;
  readonly #delete: Batcher<string, void>;
  readonly #deleteById: Batcher<string, boolean>;

  /** Over its own connections (`options`), or over a cluster's shared ones (`client`). */
  constructor(options: KafkaAdminOptions | KafkaClient) {
    this.#ownsClient = !(options instanceof KafkaClient);
    this.#client = options instanceof KafkaClient ? options : new KafkaClient(options);
    this.bootstrap = this.#client.bootstrap;
    const batch = {
      maxBatch: 100,
      lingerMs: 5,
      concurrency: 4,
      ...(options instanceof KafkaClient ? {} : options.batch),
    };
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

  /** Requests sent, by kind: what a resync costs (benchmarks read this). */
  get requests(): ReadonlyMap<string, number> {
    return this.#client.requests;
  }

  async alterPartitionReassignments(
    topic: string,
    assignments: readonly PartitionAssignment[],
  ): Promise<void> {
    const outcomes = await this.#client.send(
      ALTER_PARTITION_REASSIGNMENTS,
      encodeAlterPartitionReassignmentsRequest(
        assignments.map((a) => ({ topic, partition: a.partition, replicas: a.replicas })),
        this.#operationTimeoutMs,
      ),
      decodeAlterPartitionReassignmentsResponse,
    );
    const failed = outcomes.find((o) => o.errorCode !== 0);
    if (failed) throw requestError(failed);
  }

  async listPartitionReassignments(
    topics?: readonly string[],
  ): Promise<readonly PartitionReassignment[]> {
    let partitions: TopicPartition[] | null = null;
    if (topics !== undefined) {
      // The request names partitions, not topics; only existing topics can be asked about.
      const described = await Promise.all(topics.map((t) => this.describeTopic(t)));
      partitions = described
        .filter((d): d is TopicDescription => d !== null)
        .flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition })));
      if (partitions.length === 0) return [];
    }
    const listed = await this.#client.send(
      LIST_PARTITION_REASSIGNMENTS,
      encodeListPartitionReassignmentsRequest(partitions, this.#operationTimeoutMs),
      decodeListPartitionReassignmentsResponse,
    );
    if (listed.errorCode !== 0) throw requestError(listed);
    return listed.reassignments;
  }

  async fetchCommittedOffsets(
    groupId: string,
    topics?: readonly string[],
  ): Promise<readonly CommittedOffset[]> {
    // One OffsetFetch for everything the group committed, filtered here: naming topics would
    // need their partition lists first (another Metadata request).
    const groups = await this.#groupRequest(
      groupId,
      OFFSET_FETCH,
      encodeOffsetFetchRequest([groupId]),
      decodeOffsetFetchResponse,
      (answer) => answer.find((g) => g.groupId === groupId)?.errorCode ?? 0,
    );
    const group = groups.find((g) => g.groupId === groupId);
    // A group Kafka does not know has committed nothing.
    if (!group || group.errorCode === GROUP_ID_NOT_FOUND) return [];
    if (group.errorCode !== 0) throw groupError(groupId, 'OffsetFetch', group.errorCode);
    const failed = group.offsets.find((o) => o.errorCode !== 0);
    if (failed) {
      throw new KafkaRequestError(
        errorName(failed.errorCode),
        `OffsetFetch of group ${groupId} for ${failed.topic}/${failed.partition}: ${errorName(failed.errorCode)}`,
        isRetriable(failed.errorCode),
      );
    }
    const wanted = topics === undefined ? undefined : new Set(topics);
    return group.offsets
      .filter((o) => wanted === undefined || wanted.has(o.topic))
      .map((o) => ({
        topic: o.topic,
        partition: o.partition,
        offset: o.offset < 0n ? null : Number(o.offset),
      }));
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
        const [earliest, latest] = await Promise.all(
          [EARLIEST, LATEST].map((ts) =>
            this.#client.send(
              LIST_OFFSETS,
              encodeListOffsetsRequest(ps, ts),
              decodeListOffsetsResponse,
              `${broker.host}:${broker.port}`,
            ),
          ),
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
    const groups = await this.#groupRequest(
      groupId,
      DESCRIBE_GROUPS,
      encodeDescribeGroupsRequest([groupId]),
      decodeDescribeGroupsResponse,
      (answer) => answer.find((g) => g.groupId === groupId)?.errorCode ?? 0,
    );
    const g = groups.find((x) => x.groupId === groupId);
    // Kafka reports a group it does not know as Dead with no members (v6+: GROUP_ID_NOT_FOUND).
    if (!g || g.errorCode === GROUP_ID_NOT_FOUND) return null;
    if (g.errorCode !== 0) throw groupError(groupId, 'DescribeGroups', g.errorCode);
    if (g.state === 'Dead' && g.members.length === 0) return null;
    return {
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: g.protocolType === 'consumer' ? assignmentOf(m.assignment) : [],
      })),
    };
  }

  close(): Promise<void> {
    if (this.#ownsClient) this.#client.close();
    this.#coordinators.clear();
    return Promise.resolve();
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
    const described = await this.#client.send(
      DESCRIBE_CONFIGS,
      encodeDescribeTopicConfigsRequest(names),
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
    const created = await this.#client.send(
      CREATE_TOPICS,
      encodeCreateTopicsRequest(topics, this.#operationTimeoutMs),
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
    const answer = await this.#client.send(
      CREATE_PARTITIONS,
      encodeCreatePartitionsRequest(items, this.#operationTimeoutMs),
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
    const answer = await this.#client.send(
      ALTER_CONFIGS,
      encodeAlterTopicConfigsRequest(items),
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
    const answer = await this.#client.send(
      DELETE_TOPICS,
      encodeDeleteTopicsRequest(topics, this.#operationTimeoutMs),
      decodeDeleteTopicsResponse,
    );
    return answer;
  }

  // --- plumbing ----------------------------------------------------------------------------

  async #metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    return this.#client.send(METADATA, encodeMetadataRequest(topics), decodeMetadataResponse);
  }

  /** Kafka's own wait inside a write (CreateTopics, DeleteTopics, reassignments): well inside
   *  the request timeout, so Kafka answers REQUEST_TIMED_OUT before the connection gives up. */
  get #operationTimeoutMs(): number {
    return Math.min(this.#client.requestTimeoutMs, 10_000);
  }

  /**
   * A request to the group's coordinator. While the coordinator moves or loads (`errorOf` of
   * the answer, or of the lookup, is one of COORDINATOR_NOT_READY) the lookup is repeated a
   * few times; a connection that fails forgets the coordinator, so the next call looks again.
   */
  async #groupRequest<T>(
    groupId: string,
    api: Api,
    body: Buffer,
    decode: (body: Buffer) => T,
    errorOf: (answer: T) => number,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.#client.send(api, body, decode, await this.#coordinator(groupId));
        const code = errorOf(answer);
        if (COORDINATOR_NOT_READY.has(errorName(code))) throw groupError(groupId, api.name, code);
        return answer;
      } catch (e) {
        this.#coordinators.delete(groupId);
        const notReady = e instanceof KafkaRequestError && COORDINATOR_NOT_READY.has(e.code);
        if (!notReady || attempt >= GROUP_ATTEMPTS) throw e;
      }
      await sleep(100 * attempt);
    }
  }

  #coordinator(groupId: string): Promise<string> {
    let found = this.#coordinators.get(groupId);
    if (!found) {
      found = this.#client
        .send(
          FIND_COORDINATOR,
          encodeFindCoordinatorRequest([groupId]),
          decodeFindCoordinatorResponse,
        )
        .then((answer) => {
          const c = answer.find((x) => x.key === groupId);
          if (!c)
            throw new KafkaRequestError(
              'INVALID_RESPONSE',
              `no coordinator for group ${groupId}`,
              true,
            );
          if (c.errorCode !== 0) throw requestError(c);
          return `${c.host}:${c.port}`;
        });
      const lookup = found;
      lookup.catch(() => {
        if (this.#coordinators.get(groupId) === lookup) this.#coordinators.delete(groupId);
      });
      this.#coordinators.set(groupId, lookup);
    }
    return found;
  }
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

function requestError(o: Pick<ItemOutcome, 'errorCode' | 'errorMessage'>): KafkaRequestError {
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

function assignmentOf(bytes: Buffer): TopicPartition[] {
  try {
    return decodeConsumerAssignment(bytes).flatMap(({ topic, partitions }) =>
      partitions.map((partition) => ({ topic, partition })),
    );
  } catch (e) {
    // A non-standard assignor's bytes: members still count, the assignment is just unknown.
    if (e instanceof KafkaDecodeError) return [];
    throw e;
  }
}

function groupError(groupId: string, api: string, code: number): KafkaRequestError {
  return new KafkaRequestError(
    errorName(code),
    `${api} of group ${groupId}: ${errorName(code)}`,
    isRetriable(code),
  );
}
