// The KafkaAdminPort implementation for one Kafka cluster (one bootstrap address), over the
// operator's own wire client (wire-*.ts, README "Who sends what"). Per-topic, per-group and
// per-partition calls go through batchers, so a resync of thousands of topics, or the polls of
// a thousand consumer groups, cost a handful of requests. A broker outage
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
import {
  answersPerGroup,
  committedOffsetsOf,
  groupDescriptionOf,
  groupError,
  groupErrorCode,
  groupsByCoordinator,
  offsetRangesOf,
  partitionKey,
  partitionsByLeader,
} from './group-batch.ts';
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
  type DescribedGroup,
  type FetchedGroupOffsets,
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
const UNKNOWN_TOPIC_ID = 100;
/** Partitions in one ListOffsets batch: a thousand groups' polls often read a few hundred. */
const PARTITION_BATCH = 1000;
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
  readonly #findCoordinator: Batcher<string, string>;
  readonly #offsetFetch: Batcher<string, FetchedGroupOffsets | null>;
  readonly #describeGroups: Batcher<string, DescribedGroup | null>;
  readonly #offsetRanges: Batcher<TopicPartition, PartitionOffsetRange>;

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
    // Consumer-group polls that fall in the same few milliseconds share their requests.
    this.#findCoordinator = new Batcher(
      (id) => id,
      (ids) => this.#findCoordinatorBatch(ids),
      reads,
    );
    this.#offsetFetch = new Batcher(
      (id) => id,
      (ids) =>
        this.#coordinatorBatch(
          ids,
          OFFSET_FETCH,
          encodeOffsetFetchRequest,
          decodeOffsetFetchResponse,
        ),
      reads,
    );
    this.#describeGroups = new Batcher(
      (id) => id,
      (ids) =>
        this.#coordinatorBatch(
          ids,
          DESCRIBE_GROUPS,
          encodeDescribeGroupsRequest,
          decodeDescribeGroupsResponse,
        ),
      reads,
    );
    this.#offsetRanges = new Batcher(
      partitionKey,
      (partitions) => this.#offsetRangesBatch(partitions),
      { ...reads, maxBatch: Math.max(batch.maxBatch, PARTITION_BATCH) },
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
    // Everything the group committed, filtered here: naming topics would need their partition
    // lists first (another Metadata request).
    const group = await this.#groupCall(groupId, 'OffsetFetch', this.#offsetFetch);
    return committedOffsetsOf(groupId, group, topics);
  }

  async fetchOffsetRanges(
    partitions: readonly TopicPartition[],
  ): Promise<readonly PartitionOffsetRange[]> {
    // Per partition, so callers reading the same topics share one ListOffsets per leader; one
    // partition's error fails only its callers.
    return Promise.all(
      partitions.map((p) => this.#offsetRanges.submit({ topic: p.topic, partition: p.partition })),
    );
  }

  async describeGroup(groupId: string): Promise<GroupDescription | null> {
    const g = await this.#groupCall(groupId, 'DescribeGroups', this.#describeGroups);
    return groupDescriptionOf(groupId, g, assignmentOf);
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

  /** One Metadata for the batch's topics, then earliest + latest ListOffsets per leader. */
  async #offsetRangesBatch(
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, ItemResult<PartitionOffsetRange>>> {
    const metadata = await this.#metadata([...new Set(partitions.map((p) => p.topic))]);
    const leaders = new Map<string, number>();
    for (const t of metadata.topics) {
      if (t.name === null) continue;
      for (const p of t.partitions)
        leaders.set(partitionKey({ topic: t.name, partition: p.partition }), p.leader);
    }
    const { byLeader, failed } = partitionsByLeader(partitions, leaders);
    const results = new Map<string, ItemResult<PartitionOffsetRange>>(failed);
    await Promise.all(
      [...byLeader].map(async ([leader, ps]) => {
        try {
          const broker = metadata.brokers.find((b) => b.nodeId === leader);
          if (!broker)
            throw new KafkaUnavailableError(
              this.bootstrap,
              `leader ${leader} is not among the live brokers`,
            );
          const address = `${broker.host}:${broker.port}`;
          const [earliest, latest] = await Promise.all(
            [EARLIEST, LATEST].map((ts) =>
              this.#client.send(
                LIST_OFFSETS,
                encodeListOffsetsRequest(ps, ts),
                decodeListOffsetsResponse,
                address,
              ),
            ),
          );
          for (const [key, r] of offsetRangesOf(ps, earliest!, latest!)) results.set(key, r);
        } catch (error) {
          // This leader's partitions only.
          for (const p of ps) results.set(partitionKey(p), { ok: false, error });
        }
      }),
    );
    return results;
  }

  /** One FindCoordinator (v4 takes many keys) for the groups not located yet. */
  async #findCoordinatorBatch(
    groupIds: readonly string[],
  ): Promise<Map<string, ItemResult<string>>> {
    const answer = await this.#client.send(
      FIND_COORDINATOR,
      encodeFindCoordinatorRequest(groupIds),
      decodeFindCoordinatorResponse,
    );
    const byKey = new Map(answer.map((c) => [c.key, c]));
    return new Map(
      groupIds.map((id): [string, ItemResult<string>] => {
        const c = byKey.get(id);
        if (!c)
          return [
            id,
            {
              ok: false,
              error: new KafkaRequestError(
                'INVALID_RESPONSE',
                `no coordinator for group ${id}`,
                true,
              ),
            },
          ];
        if (c.errorCode !== 0) return [id, { ok: false, error: requestError(c) }];
        return [id, { ok: true, value: `${c.host}:${c.port}` }];
      }),
    );
  }

  /**
   * One request per coordinator for the batch's groups, each group's answer cut out of it
   * (null when the coordinator left it out). A group that cannot be located, or whose
   * coordinator does not answer, fails alone; the retry is #groupCall's.
   */
  async #coordinatorBatch<T extends { groupId: string }>(
    groupIds: readonly string[],
    api: Api,
    encode: (groupIds: readonly string[]) => Buffer,
    decode: (body: Buffer) => T[],
  ): Promise<Map<string, ItemResult<T | null>>> {
    const results = new Map<string, ItemResult<T | null>>();
    const located: [string, string][] = [];
    await Promise.all(
      groupIds.map(async (id) => {
        try {
          located.push([id, await this.#coordinator(id)]);
        } catch (error) {
          results.set(id, { ok: false, error });
        }
      }),
    );
    await Promise.all(
      [...groupsByCoordinator(located)].map(async ([address, ids]) => {
        try {
          const answer = await this.#client.send(api, encode(ids), decode, address);
          for (const [id, g] of answersPerGroup(ids, answer))
            results.set(id, { ok: true, value: g });
        } catch (error) {
          for (const id of ids) results.set(id, { ok: false, error });
        }
      }),
    );
    return results;
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
   * One group's read, batched with other groups'. While the coordinator moves or loads (the
   * group's answer, or its lookup, says one of COORDINATOR_NOT_READY) the lookup is repeated a
   * few times; any failure forgets the group's coordinator, so the next call looks again.
   */
  async #groupCall<T extends { errorCode: number }>(
    groupId: string,
    api: string,
    batcher: Batcher<string, T | null>,
  ): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await batcher.submit(groupId);
        const code = groupErrorCode(answer);
        if (COORDINATOR_NOT_READY.has(errorName(code))) throw groupError(groupId, api, code);
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
      const lookup = this.#findCoordinator.submit(groupId);
      lookup.catch(() => {
        if (this.#coordinators.get(groupId) === lookup) this.#coordinators.delete(groupId);
      });
      this.#coordinators.set(groupId, lookup);
      found = lookup;
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
