// Metadata v12 (flexible, KIP-516 topic ids): the request kafkajs cannot make. Supported by
// Kafka 3.1+ including 3.9 (max v12) and 4.1 (max v13). One request describes many topics with
// a per-topic error code, so a missing topic or a leaderless partition fails only itself.

import { Reader, Writer, ZERO_UUID } from './wire-codec.ts';

export const METADATA_API_KEY = 3;
export const METADATA_VERSION = 12;

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string | null;
  /** undefined when Kafka sent the zero id. */
  topicId: string | undefined;
  internal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
}

/** `topics` null asks for every topic; an empty list asks for none (brokers only). */
export function encodeMetadataRequest(topics: readonly string[] | null): Buffer {
  return new Writer()
    .compactArray(topics, (w, name) => w.uuid(null).compactString(name).tags())
    .bool(false) // never auto-create: describing must not create
    .bool(false)
    .tags()
    .bytes();
}

export function decodeMetadataResponse(body: Buffer): MetadataResponse {
  const r = new Reader(body);
  const throttleTimeMs = r.int32();
  const brokers = r.compactArray((b) => {
    const broker = {
      nodeId: b.int32(),
      host: b.compactString() ?? '',
      port: b.int32(),
      rack: b.compactString(),
    };
    b.tags();
    return broker;
  });
  const clusterId = r.compactString();
  const controllerId = r.int32();
  const topics = r.compactArray((t): MetadataTopic => {
    const errorCode = t.int16();
    const name = t.compactString();
    const id = t.uuid();
    const internal = t.bool();
    const partitions = t.compactArray((p): MetadataPartition => {
      const partition = {
        errorCode: p.int16(),
        partition: p.int32(),
        leader: p.int32(),
        leaderEpoch: p.int32(),
        replicas: p.compactArray((x) => x.int32()),
        isr: p.compactArray((x) => x.int32()),
        offlineReplicas: p.compactArray((x) => x.int32()),
      };
      p.tags();
      return partition;
    });
    t.int32(); // topic authorized operations (not requested)
    t.tags();
    return { errorCode, name, topicId: id === ZERO_UUID ? undefined : id, internal, partitions };
  });
  r.tags();
  return { throttleTimeMs, brokers, clusterId, controllerId, topics };
}
