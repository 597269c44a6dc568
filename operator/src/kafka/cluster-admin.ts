// KafkaClusterPort against real Kafka, over the operator's wire client (see wire-cluster.ts).
// It shares its cluster's connections with that cluster's KafkaAdmin (connections.ts); every
// request here is accepted by brokers, which forward the quorum and feature changes to the
// active controller.
import {
  ADD_RAFT_VOTER,
  API_VERSIONS,
  DESCRIBE_CONFIGS,
  DESCRIBE_LOG_DIRS,
  DESCRIBE_QUORUM,
  INCREMENTAL_ALTER_CONFIGS,
  METADATA,
  REMOVE_RAFT_VOTER,
  UNREGISTER_BROKER,
  UPDATE_FEATURES,
  describeCluster,
} from './apis.ts';
import { KafkaClient, type KafkaClientOptions } from './client.ts';
import { errorName, isRetriable } from './error-codes.ts';
import { KafkaRequestError } from './errors.ts';
import type {
  BrokerLogDirs,
  BrokerRegistrationInfo,
  KafkaClusterPort,
  PartitionInfo,
  QuorumDescription,
  VoterEndpoint,
} from './cluster-port.ts';
import { decodeDescribeConfigsResponse } from './wire-describe-configs.ts';
import {
  DESCRIBE_CLUSTER_API_KEY,
  DESCRIBE_CLUSTER_VERSION_FENCED,
  DESCRIBE_CLUSTER_VERSION_UNFENCED,
  decodeApiVersionsResponse,
  decodeDescribeClusterResponse,
  decodeDescribeQuorumResponse,
  decodeIncrementalAlterConfigsResponse,
  decodeSimpleResponse,
  decodeUpdateFeaturesResponse,
  encodeAddRaftVoterRequest,
  encodeAlterBrokerDefaultsRequest,
  encodeApiVersionsRequest,
  encodeDescribeBrokerDefaultsRequest,
  encodeDescribeClusterRequest,
  encodeDescribeQuorumRequest,
  encodeDescribeTopicKeysRequest,
  encodeRemoveRaftVoterRequest,
  encodeUnregisterBrokerRequest,
  encodeUpdateFeaturesRequest,
  type FinalizedFeatures,
  type Outcome,
} from './wire-cluster.ts';
import { decodeDescribeLogDirsResponse, encodeDescribeLogDirsRequest } from './wire-log-dirs.ts';
import { decodeMetadataResponse, encodeMetadataRequest } from './wire-metadata.ts';

export type KafkaClusterAdminOptions = KafkaClientOptions;

/** DescribeConfigs source 3: DYNAMIC_DEFAULT_BROKER_CONFIG. */
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;

export class KafkaClusterAdmin implements KafkaClusterPort {
  readonly bootstrap: string;
  readonly #client: KafkaClient;
  /** Closed with this admin only when this admin made it (not when a pool shares it). */
  readonly #ownsClient: boolean;

  /** Over its own connections (`options`), or over a cluster's shared ones (`client`). */
  constructor(options: KafkaClusterAdminOptions | KafkaClient) {
    this.#ownsClient = !(options instanceof KafkaClient);
    this.#client = options instanceof KafkaClient ? options : new KafkaClient(options);
    this.bootstrap = this.#client.bootstrap;
  }

  /** Requests sent, by kind (tests and benchmarks read this). */
  get requests(): ReadonlyMap<string, number> {
    return this.#client.requests;
  }

  async describeQuorum(): Promise<QuorumDescription> {
    const q = await this.#client.send(
      DESCRIBE_QUORUM,
      encodeDescribeQuorumRequest(),
      decodeDescribeQuorumResponse,
    );
    check(q);
    const leader = q.voters.find((v) => v.replicaId === q.leaderId);
    const leaderEnd = leader?.logEndOffset ?? q.highWatermark;
    const member = (r: (typeof q.voters)[number]) => ({
      nodeId: r.replicaId,
      directoryId: r.directoryId,
      // -1 means unknown (no fetch seen yet): as far behind as it gets.
      lag:
        r.logEndOffset < 0n
          ? Number.MAX_SAFE_INTEGER
          : Math.max(0, Number(leaderEnd - r.logEndOffset)),
    });
    return {
      leaderId: q.leaderId,
      voters: q.voters.map(member),
      observers: q.observers.map(member),
    };
  }

  async describePartitions(): Promise<readonly PartitionInfo[]> {
    const m = await this.#client.send(
      METADATA,
      encodeMetadataRequest(null),
      decodeMetadataResponse,
    );
    const topics = m.topics.filter((t) => t.errorCode === 0 && t.name);
    if (topics.length === 0) return [];
    const described = await this.#client.send(
      DESCRIBE_CONFIGS,
      encodeDescribeTopicKeysRequest(
        topics.map((t) => t.name!),
        ['min.insync.replicas'],
      ),
      decodeDescribeConfigsResponse,
    );
    const minIsr = new Map(
      described.map((d) => [
        d.name,
        Number(d.configs.find((c) => c.name === 'min.insync.replicas')?.value ?? 1) || 1,
      ]),
    );
    return topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name!,
        partition: p.partition,
        replicas: p.replicas,
        isr: p.isr,
        leader: p.leader,
        minIsr: minIsr.get(t.name!) ?? 1,
      })),
    );
  }

  async describeBrokers(): Promise<readonly BrokerRegistrationInfo[]> {
    const versions = await this.#apiVersions();
    const version =
      (versions.maxVersions[DESCRIBE_CLUSTER_API_KEY] ?? 0) >= DESCRIBE_CLUSTER_VERSION_FENCED
        ? DESCRIBE_CLUSTER_VERSION_FENCED
        : DESCRIBE_CLUSTER_VERSION_UNFENCED;
    const r = await this.#client.send(
      describeCluster(version),
      encodeDescribeClusterRequest(version),
      (b) => decodeDescribeClusterResponse(b, version),
    );
    check(r);
    return r.brokers.map((b) => ({ nodeId: b.brokerId, fenced: b.fenced ?? false, rack: b.rack }));
  }

  async describeLogDirs(): Promise<Readonly<Record<number, BrokerLogDirs>>> {
    // Brokers only (no topics): their addresses on the listener we came in on.
    const { brokers } = await this.#client.send(
      METADATA,
      encodeMetadataRequest([]),
      decodeMetadataResponse,
    );
    const answers = await Promise.all(
      brokers.map(async (b): Promise<[number, BrokerLogDirs]> => {
        try {
          const r = await this.#client.send(
            DESCRIBE_LOG_DIRS,
            encodeDescribeLogDirsRequest(),
            decodeDescribeLogDirsResponse,
            `${b.host}:${b.port}`,
          );
          check({ errorCode: r.errorCode, errorMessage: null });
          return [
            b.nodeId,
            {
              logDirs: r.results.map((d) => ({
                path: d.logDir,
                totalBytes: Number(d.totalBytes),
                usableBytes: Number(d.usableBytes),
                ...(d.errorCode !== 0 ? { error: errorName(d.errorCode) } : {}),
              })),
            },
          ];
        } catch (e) {
          // One broker not answering must not hide the others' answers.
          return [b.nodeId, { error: e instanceof Error ? e.message : String(e) }];
        }
      }),
    );
    return Object.fromEntries(answers);
  }

  async describeBrokerDefaults(): Promise<Readonly<Record<string, string>>> {
    const [resource] = await this.#client.send(
      DESCRIBE_CONFIGS,
      encodeDescribeBrokerDefaultsRequest(),
      decodeDescribeConfigsResponse,
    );
    if (!resource) return {};
    check(resource);
    const out: Record<string, string> = {};
    for (const c of resource.configs) {
      if (c.source === DYNAMIC_DEFAULT_BROKER_CONFIG && c.value !== null) out[c.name] = c.value;
    }
    return out;
  }

  async alterBrokerDefaults(changes: Readonly<Record<string, string | null>>): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    const outcomes = await this.#client.send(
      INCREMENTAL_ALTER_CONFIGS,
      encodeAlterBrokerDefaultsRequest(changes),
      decodeIncrementalAlterConfigsResponse,
    );
    outcomes.forEach(check);
  }

  async finalizedFeatures(): Promise<Readonly<Record<string, number>>> {
    return (await this.#apiVersions()).finalized;
  }

  async upgradeFeature(feature: string, level: number): Promise<void> {
    check(
      await this.#client.send(
        UPDATE_FEATURES,
        encodeUpdateFeaturesRequest(this.#operationTimeoutMs, [
          { feature, maxVersionLevel: level },
        ]),
        decodeUpdateFeaturesResponse,
      ),
    );
  }

  async addRaftVoter(nodeId: number, directoryId: string, endpoint: VoterEndpoint): Promise<void> {
    check(
      await this.#client.send(
        ADD_RAFT_VOTER,
        encodeAddRaftVoterRequest({
          clusterId: null,
          timeoutMs: this.#operationTimeoutMs,
          voterId: nodeId,
          directoryId,
          listeners: [endpoint],
        }),
        decodeSimpleResponse,
      ),
    );
  }

  async removeRaftVoter(nodeId: number, directoryId: string): Promise<void> {
    check(
      await this.#client.send(
        REMOVE_RAFT_VOTER,
        encodeRemoveRaftVoterRequest({ clusterId: null, voterId: nodeId, directoryId }),
        decodeSimpleResponse,
      ),
    );
  }

  async unregisterBroker(nodeId: number): Promise<void> {
    check(
      await this.#client.send(
        UNREGISTER_BROKER,
        encodeUnregisterBrokerRequest(nodeId),
        decodeSimpleResponse,
      ),
    );
  }

  close(): Promise<void> {
    if (this.#ownsClient) this.#client.close();
    return Promise.resolve();
  }

  async #apiVersions(): Promise<FinalizedFeatures> {
    const v = await this.#client.send(
      API_VERSIONS,
      encodeApiVersionsRequest(),
      decodeApiVersionsResponse,
    );
    check({ errorCode: v.errorCode, errorMessage: null });
    return v;
  }

  /** Kafka's own wait inside an UpdateFeatures or AddRaftVoter: inside the request timeout. */
  get #operationTimeoutMs(): number {
    return Math.min(this.#client.requestTimeoutMs, 15_000);
  }
}

function check(o: Outcome): void {
  if (o.errorCode === 0) return;
  throw new KafkaRequestError(
    errorName(o.errorCode),
    o.errorMessage || errorName(o.errorCode),
    isRetriable(o.errorCode),
  );
}
