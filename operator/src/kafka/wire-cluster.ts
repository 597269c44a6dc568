// The cluster-level requests the KafkaCluster reconciler needs and kafkajs 2.2.4 cannot send:
// its protocol directory (node_modules/kafkajs/src/protocol/requests) stops at 38 request
// kinds and has no DescribeQuorum (55), IncrementalAlterConfigs (44), UpdateFeatures (57),
// DescribeCluster (60), UnregisterBroker (64), AddRaftVoter (80) nor RemoveRaftVoter (81), and
// its ApiVersions goes up to v2 only, so it never sees the finalized features (v3+ tagged
// fields) that carry metadata.version and kraft.version.
//
// Field layouts follow the message JSON files inside kafka-clients-4.1.1.jar
// (common/message/*.json). Every one of these requests lists "broker" among its listeners, so
// the operator sends them to any broker through the bootstrap Service; brokers forward them to
// the active controller.
import { Reader, Writer, ZERO_UUID } from './wire-codec.ts';

export const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

// ---------------------------------------------------------------- DescribeQuorum v2 (flexible)
export const DESCRIBE_QUORUM_API_KEY = 55;
export const DESCRIBE_QUORUM_VERSION = 2;

export interface QuorumReplica {
  replicaId: number;
  /** undefined when Kafka sent the zero id (a static quorum has no directory ids). */
  directoryId: string | undefined;
  logEndOffset: bigint;
}

export interface QuorumDescriptionWire {
  errorCode: number;
  errorMessage: string | null;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  voters: QuorumReplica[];
  observers: QuorumReplica[];
}

export function encodeDescribeQuorumRequest(): Buffer {
  return new Writer()
    .compactArray([CLUSTER_METADATA_TOPIC], (w, topic) =>
      w
        .compactString(topic)
        .compactArray([0], (p, index) => p.int32(index).tags())
        .tags(),
    )
    .tags()
    .bytes();
}

export function decodeDescribeQuorumResponse(body: Buffer): QuorumDescriptionWire {
  const r = new Reader(body);
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  const replica = (x: Reader): QuorumReplica => {
    const replicaId = x.int32();
    const directory = x.uuid();
    const logEndOffset = x.int64();
    x.int64(); // last fetch timestamp
    x.int64(); // last caught-up timestamp
    x.tags();
    return {
      replicaId,
      directoryId: directory === ZERO_UUID ? undefined : directory,
      logEndOffset,
    };
  };
  let found: QuorumDescriptionWire | undefined;
  r.compactArray((t) => {
    t.compactString();
    t.compactArray((p) => {
      p.int32(); // partition index
      const partitionError = p.int16();
      const partitionMessage = p.compactString();
      const leaderId = p.int32();
      const leaderEpoch = p.int32();
      const highWatermark = p.int64();
      const voters = p.compactArray(replica);
      const observers = p.compactArray(replica);
      p.tags();
      found ??= {
        errorCode: partitionError,
        errorMessage: partitionMessage,
        leaderId,
        leaderEpoch,
        highWatermark,
        voters,
        observers,
      };
    });
    t.tags();
  });
  // Nodes (v2) and the top-level tags follow; nothing in them is needed.
  if (errorCode !== 0 || !found) {
    return {
      errorCode: errorCode || -1,
      errorMessage: errorMessage ?? 'no __cluster_metadata partition in the response',
      leaderId: -1,
      leaderEpoch: -1,
      highWatermark: -1n,
      voters: [],
      observers: [],
    };
  }
  return found;
}

// ------------------------------------------------------------ shared: simple flexible outcomes
export interface Outcome {
  errorCode: number;
  errorMessage: string | null;
}

/** ThrottleTimeMs, ErrorCode, ErrorMessage: AddRaftVoter, RemoveRaftVoter, UnregisterBroker. */
export function decodeSimpleResponse(body: Buffer): Outcome {
  const r = new Reader(body);
  r.int32(); // throttle time
  return { errorCode: r.int16(), errorMessage: r.compactString() };
}

// ------------------------------------------------------------------ AddRaftVoter v0 (flexible)
export const ADD_RAFT_VOTER_API_KEY = 80;
export const REMOVE_RAFT_VOTER_API_KEY = 81;
export const RAFT_VOTER_VERSION = 0;

export interface VoterEndpoint {
  name: string;
  host: string;
  port: number;
}

export function encodeAddRaftVoterRequest(input: {
  clusterId: string | null;
  timeoutMs: number;
  voterId: number;
  directoryId: string;
  listeners: readonly VoterEndpoint[];
}): Buffer {
  return new Writer()
    .compactString(input.clusterId)
    .int32(input.timeoutMs)
    .int32(input.voterId)
    .uuid(input.directoryId)
    .compactArray(input.listeners, (w, l) =>
      w.compactString(l.name).compactString(l.host).int16(uint16(l.port)).tags(),
    )
    .tags()
    .bytes();
}

export function encodeRemoveRaftVoterRequest(input: {
  clusterId: string | null;
  voterId: number;
  directoryId: string;
}): Buffer {
  return new Writer()
    .compactString(input.clusterId)
    .int32(input.voterId)
    .uuid(input.directoryId)
    .tags()
    .bytes();
}

/** uint16 on the wire: the Writer only has signed int16, which has the same bytes. */
function uint16(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`bad port ${port}`);
  return port > 32767 ? port - 65536 : port;
}

// -------------------------------------------------------------- UnregisterBroker v0 (flexible)
export const UNREGISTER_BROKER_API_KEY = 64;
export const UNREGISTER_BROKER_VERSION = 0;

export function encodeUnregisterBrokerRequest(brokerId: number): Buffer {
  return new Writer().int32(brokerId).tags().bytes();
}

// --------------------------------------------------------------- DescribeCluster v2 (flexible)
export const DESCRIBE_CLUSTER_API_KEY = 60;
/** v2 (Kafka 4.0+) lists fenced brokers too; 3.9 stops at v1, which lists unfenced ones only. */
export const DESCRIBE_CLUSTER_VERSION_FENCED = 2;
export const DESCRIBE_CLUSTER_VERSION_UNFENCED = 1;

export interface RegisteredBroker {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
  /** undefined on v1, which only lists unfenced brokers. */
  fenced: boolean | undefined;
}

export function encodeDescribeClusterRequest(version: 1 | 2): Buffer {
  const w = new Writer().bool(false).int8(1); // no authorized operations; endpoint type brokers
  if (version >= 2) w.bool(true); // include fenced brokers
  return w.tags().bytes();
}

export function decodeDescribeClusterResponse(
  body: Buffer,
  version: 1 | 2,
): Outcome & { brokers: RegisteredBroker[] } {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  r.int8(); // endpoint type
  r.compactString(); // cluster id
  r.int32(); // controller id
  const brokers = r.compactArray((b): RegisteredBroker => {
    const broker = {
      brokerId: b.int32(),
      host: b.compactString() ?? '',
      port: b.int32(),
      rack: b.compactString(),
      fenced: version >= 2 ? b.bool() : undefined,
    };
    b.tags();
    return broker;
  });
  return { errorCode, errorMessage, brokers };
}

// ----------------------------------------------- DescribeConfigs v2 of the default broker entity
export const BROKER_RESOURCE = 4;

/** The cluster-wide broker defaults (kafka-configs --entity-type brokers --entity-default). */
export function encodeDescribeBrokerDefaultsRequest(): Buffer {
  return new Writer()
    .array([''], (w, n) => w.int8(BROKER_RESOURCE).string(n).int32(-1))
    .bool(false)
    .bytes();
}

/** min.insync.replicas of many topics, in one DescribeConfigs v2. */
export function encodeDescribeTopicKeysRequest(
  topics: readonly string[],
  keys: readonly string[],
): Buffer {
  return new Writer()
    .array(topics, (w, t) =>
      w
        .int8(2)
        .string(t)
        .array(keys, (k, key) => k.string(key)),
    )
    .bool(false)
    .bytes();
}

// --------------------------------------------------------- IncrementalAlterConfigs v0 (classic)
export const INCREMENTAL_ALTER_CONFIGS_API_KEY = 44;
export const INCREMENTAL_ALTER_CONFIGS_VERSION = 0;
const OP_SET = 0;
const OP_DELETE = 1;

/** Set (a string) or delete (null) cluster-wide broker defaults. */
export function encodeAlterBrokerDefaultsRequest(
  changes: Readonly<Record<string, string | null>>,
): Buffer {
  const entries = Object.entries(changes).sort(([a], [b]) => a.localeCompare(b));
  return new Writer()
    .array([''], (w, name) =>
      w
        .int8(BROKER_RESOURCE)
        .string(name)
        .array(entries, (c, [key, value]) =>
          c
            .string(key)
            .int8(value === null ? OP_DELETE : OP_SET)
            .string(value),
        ),
    )
    .bool(false)
    .bytes();
}

export function decodeIncrementalAlterConfigsResponse(body: Buffer): Outcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  return r.array((x) => {
    const outcome = { errorCode: x.int16(), errorMessage: x.string() };
    x.int8(); // resource type
    x.string(); // resource name
    return outcome;
  });
}

// ------------------------------------------------------ ApiVersions v3: finalized features
export const API_VERSIONS_API_KEY = 18;
export const API_VERSIONS_VERSION = 3;

export interface FinalizedFeatures {
  errorCode: number;
  /** Highest version the broker accepts, per API key. */
  maxVersions: Record<number, number>;
  /** Finalized max level per feature, e.g. {"metadata.version": 27, "kraft.version": 1}. */
  finalized: Record<string, number>;
}

export function encodeApiVersionsRequest(): Buffer {
  return new Writer().compactString('kraftwerk').compactString('1').tags().bytes();
}

/**
 * The response header of ApiVersions is always v0 (no tagged fields), even for a flexible
 * request: clients must be able to read it before they know what the broker speaks.
 */
export function decodeApiVersionsResponse(body: Buffer): FinalizedFeatures {
  const r = new Reader(body);
  const errorCode = r.int16();
  const maxVersions: Record<number, number> = {};
  r.compactArray((a) => {
    const key = a.int16();
    a.int16();
    maxVersions[key] = a.int16();
    a.tags();
  });
  r.int32(); // throttle time
  const finalized: Record<string, number> = {};
  const tagCount = r.uvarint();
  for (let i = 0; i < tagCount; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    if (tag === 2) {
      r.compactArray((f) => {
        const name = f.compactString() ?? '';
        const max = f.int16();
        f.int16(); // min level
        f.tags();
        finalized[name] = max;
      });
    } else {
      r.skip(size);
    }
  }
  return { errorCode, maxVersions, finalized };
}

// --------------------------------------------------------------- UpdateFeatures v1 (flexible)
export const UPDATE_FEATURES_API_KEY = 57;
export const UPDATE_FEATURES_VERSION = 1;

export function encodeUpdateFeaturesRequest(
  timeoutMs: number,
  updates: readonly { feature: string; maxVersionLevel: number }[],
): Buffer {
  return new Writer()
    .int32(timeoutMs)
    .compactArray(updates, (w, u) =>
      w
        .compactString(u.feature)
        .int16(u.maxVersionLevel)
        .int8(1) // upgrade only
        .tags(),
    )
    .bool(false) // not validate-only
    .tags()
    .bytes();
}

export function decodeUpdateFeaturesResponse(body: Buffer): Outcome {
  const r = new Reader(body);
  r.int32();
  const top = { errorCode: r.int16(), errorMessage: r.compactString() };
  if (top.errorCode !== 0) return top;
  const results = r.compactArray((x) => {
    const o = { errorCode: (x.compactString(), x.int16()), errorMessage: x.compactString() };
    x.tags();
    return o;
  });
  return results.find((o) => o.errorCode !== 0) ?? top;
}
