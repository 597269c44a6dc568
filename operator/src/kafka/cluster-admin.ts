// KafkaClusterPort against real Kafka, over the small wire client (kafkajs cannot send any of
// these; see wire-cluster.ts). One connection per cluster, to its bootstrap address; every
// request here is accepted by brokers, which forward the quorum and feature changes to the
// active controller.
import { errorName, isRetriable } from './error-codes.ts';
import { KafkaRequestError } from './errors.ts';
import type {
  BrokerRegistrationInfo,
  KafkaClusterPort,
  PartitionInfo,
  QuorumDescription,
  VoterEndpoint,
} from './cluster-port.ts';
import type { KafkaSecurity } from './security.ts';
import { WireConnection } from './wire-connection.ts';
import {
  DESCRIBE_CONFIGS_API_KEY,
  DESCRIBE_CONFIGS_VERSION,
  decodeDescribeConfigsResponse,
} from './wire-describe-configs.ts';
import {
  ADD_RAFT_VOTER_API_KEY,
  API_VERSIONS_API_KEY,
  API_VERSIONS_VERSION,
  DESCRIBE_CLUSTER_API_KEY,
  DESCRIBE_CLUSTER_VERSION_FENCED,
  DESCRIBE_CLUSTER_VERSION_UNFENCED,
  DESCRIBE_QUORUM_API_KEY,
  DESCRIBE_QUORUM_VERSION,
  INCREMENTAL_ALTER_CONFIGS_API_KEY,
  INCREMENTAL_ALTER_CONFIGS_VERSION,
  RAFT_VOTER_VERSION,
  REMOVE_RAFT_VOTER_API_KEY,
  UNREGISTER_BROKER_API_KEY,
  UNREGISTER_BROKER_VERSION,
  UPDATE_FEATURES_API_KEY,
  UPDATE_FEATURES_VERSION,
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
import {
  METADATA_API_KEY,
  METADATA_VERSION,
  decodeMetadataResponse,
  encodeMetadataRequest,
} from './wire-metadata.ts';

export interface KafkaClusterAdminOptions {
  bootstrap: string;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Largest response accepted (default 100 MiB); a longer length prefix drops the connection. */
  maxFrameBytes?: number;
  /** TLS and/or SASL; PLAINTEXT when unset. */
  security?: KafkaSecurity;
}

/** DescribeConfigs source 3: DYNAMIC_DEFAULT_BROKER_CONFIG. */
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;

export class KafkaClusterAdmin implements KafkaClusterPort {
  readonly bootstrap: string;
  readonly #wire: WireConnection;
  readonly #timeoutMs: number;
  /** Requests sent, by kind (tests and benchmarks read this). */
  readonly requests = new Map<string, number>();

  constructor(options: KafkaClusterAdminOptions) {
    this.bootstrap = options.bootstrap;
    this.#timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.#wire = new WireConnection(options.bootstrap, {
      clientId: options.clientId ?? 'kraftwerk',
      connectTimeoutMs: options.connectTimeoutMs ?? 3_000,
      requestTimeoutMs: this.#timeoutMs,
      ...(options.maxFrameBytes !== undefined ? { maxFrameBytes: options.maxFrameBytes } : {}),
      security: options.security,
    });
  }

  async describeQuorum(): Promise<QuorumDescription> {
    const q = await this.#send(
      'DescribeQuorum',
      DESCRIBE_QUORUM_API_KEY,
      DESCRIBE_QUORUM_VERSION,
      true,
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
    const m = await this.#send(
      'Metadata',
      METADATA_API_KEY,
      METADATA_VERSION,
      true,
      encodeMetadataRequest(null),
      decodeMetadataResponse,
    );
    const topics = m.topics.filter((t) => t.errorCode === 0 && t.name);
    if (topics.length === 0) return [];
    const described = await this.#send(
      'DescribeConfigs',
      DESCRIBE_CONFIGS_API_KEY,
      DESCRIBE_CONFIGS_VERSION,
      false,
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
    const r = await this.#send(
      'DescribeCluster',
      DESCRIBE_CLUSTER_API_KEY,
      version,
      true,
      encodeDescribeClusterRequest(version),
      (b) => decodeDescribeClusterResponse(b, version),
    );
    check(r);
    return r.brokers.map((b) => ({ nodeId: b.brokerId, fenced: b.fenced ?? false, rack: b.rack }));
  }

  async describeBrokerDefaults(): Promise<Readonly<Record<string, string>>> {
    const [resource] = await this.#send(
      'DescribeConfigs',
      DESCRIBE_CONFIGS_API_KEY,
      DESCRIBE_CONFIGS_VERSION,
      false,
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
    const outcomes = await this.#send(
      'IncrementalAlterConfigs',
      INCREMENTAL_ALTER_CONFIGS_API_KEY,
      INCREMENTAL_ALTER_CONFIGS_VERSION,
      false,
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
      await this.#send(
        'UpdateFeatures',
        UPDATE_FEATURES_API_KEY,
        UPDATE_FEATURES_VERSION,
        true,
        encodeUpdateFeaturesRequest(this.#timeoutMs, [{ feature, maxVersionLevel: level }]),
        decodeUpdateFeaturesResponse,
      ),
    );
  }

  async addRaftVoter(nodeId: number, directoryId: string, endpoint: VoterEndpoint): Promise<void> {
    check(
      await this.#send(
        'AddRaftVoter',
        ADD_RAFT_VOTER_API_KEY,
        RAFT_VOTER_VERSION,
        true,
        encodeAddRaftVoterRequest({
          clusterId: null,
          timeoutMs: this.#timeoutMs,
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
      await this.#send(
        'RemoveRaftVoter',
        REMOVE_RAFT_VOTER_API_KEY,
        RAFT_VOTER_VERSION,
        true,
        encodeRemoveRaftVoterRequest({ clusterId: null, voterId: nodeId, directoryId }),
        decodeSimpleResponse,
      ),
    );
  }

  async unregisterBroker(nodeId: number): Promise<void> {
    check(
      await this.#send(
        'UnregisterBroker',
        UNREGISTER_BROKER_API_KEY,
        UNREGISTER_BROKER_VERSION,
        true,
        encodeUnregisterBrokerRequest(nodeId),
        decodeSimpleResponse,
      ),
    );
  }

  close(): Promise<void> {
    this.#wire.close();
    return Promise.resolve();
  }

  async #apiVersions(): Promise<FinalizedFeatures> {
    // The response header of ApiVersions is v0 even for this flexible request.
    const v = await this.#send(
      'ApiVersions',
      API_VERSIONS_API_KEY,
      API_VERSIONS_VERSION,
      true,
      encodeApiVersionsRequest(),
      decodeApiVersionsResponse,
      false,
    );
    check({ errorCode: v.errorCode, errorMessage: null });
    return v;
  }

  /** Decoding happens in the connection: an answer that does not decode drops the socket. */
  #send<T>(
    kind: string,
    apiKey: number,
    version: number,
    flexible: boolean,
    body: Buffer,
    decode: (body: Buffer) => T,
    responseHeaderFlexible = flexible,
  ): Promise<T> {
    this.requests.set(kind, (this.requests.get(kind) ?? 0) + 1);
    return this.#wire.call(apiKey, version, body, flexible, decode, responseHeaderFlexible);
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

/** One KafkaClusterAdmin per bootstrap address, shared by reconciles of the same cluster. */
export class KafkaClusterConnections {
  readonly #admins = new Map<string, KafkaClusterPort>();
  readonly #factory: (bootstrap: string) => KafkaClusterPort;

  constructor(
    factory: (bootstrap: string) => KafkaClusterPort = (bootstrap) =>
      new KafkaClusterAdmin({ bootstrap, clientId: 'kraftwerk-operator' }),
  ) {
    this.#factory = factory;
  }

  get(bootstrap: string): KafkaClusterPort {
    let admin = this.#admins.get(bootstrap);
    if (!admin) {
      admin = this.#factory(bootstrap);
      this.#admins.set(bootstrap, admin);
    }
    return admin;
  }

  async release(bootstrap: string): Promise<void> {
    const admin = this.#admins.get(bootstrap);
    this.#admins.delete(bootstrap);
    await admin?.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.#admins.values()];
    this.#admins.clear();
    await Promise.all(all.map((a) => a.close()));
  }
}
