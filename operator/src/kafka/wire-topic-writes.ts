// CreateTopics v7, CreatePartitions v1, AlterConfigs v1 and DeleteTopics v6 (all accepted by 3.9
// and 4.x after KIP-896). kafkajs sends these too, but its response parser throws the first
// failed item's error code with a canned text ("Configuration is invalid") and drops Kafka's own
// error_message ("Unknown topic config name: foo"), which users need in Ready=False. Any broker
// takes them: in KRaft, brokers forward both to the active controller.
//
// CreateTopics v7 (flexible) and not v4: its answer carries what Kafka created — the topic id
// (v7), partitions, replication factor and every config with its source (v5) — so a new topic's
// status is complete from the create alone, without waiting until a broker's metadata shows it.

import { Reader, Writer } from './wire-codec.ts';

export const CREATE_TOPICS_API_KEY = 19;
export const CREATE_TOPICS_VERSION = 7;
export const ALTER_CONFIGS_API_KEY = 33;
export const ALTER_CONFIGS_VERSION = 1;
const TOPIC_RESOURCE = 2;

export interface CreateTopicRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Readonly<Record<string, string>>;
}

/** Per item: Kafka's error code (0 = done) and its message. */
export interface ItemOutcome {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface CreatedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** DescribeConfigs' source numbers: 1 = per-topic, 5 = default, … */
  source: number;
  sensitive: boolean;
}

/** A CreateTopics v7 item: the outcome and, when it succeeded, what Kafka made. */
export interface CreateTopicOutcome extends ItemOutcome {
  /** base64url; the all-zero id when Kafka did not create it. */
  topicId: string;
  /** -1 when the answer does not say (an error). */
  partitions: number;
  replicationFactor: number;
  /** null when Kafka did not describe them (an error, or no permission to describe). */
  configs: CreatedConfig[] | null;
}

export function encodeCreateTopicsRequest(
  topics: readonly CreateTopicRequest[],
  timeoutMs: number,
): Buffer {
  return new Writer()
    .compactArray(topics, (w, t) =>
      w
        .compactString(t.name)
        .int32(t.partitions)
        .int16(t.replicationFactor)
        .compactArray([], () => undefined) // no manual assignment: Kafka places replicas
        .compactArray(Object.entries(t.config), (cw, [k, v]) =>
          cw.compactString(k).compactString(v).tags(),
        )
        .tags(),
    )
    .int32(timeoutMs)
    .bool(false)
    .tags()
    .bytes();
}

export function decodeCreateTopicsResponse(body: Buffer): CreateTopicOutcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const topics = r.compactArray((t) => {
    const name = t.compactString() ?? '';
    const topicId = t.uuid();
    const errorCode = t.int16();
    const errorMessage = t.compactString();
    const partitions = t.int32();
    const replicationFactor = t.int16();
    const configs = t.compactNullableArray((c) => {
      const config: CreatedConfig = {
        name: c.compactString() ?? '',
        value: c.compactString(),
        readOnly: c.bool(),
        source: c.int8(),
        sensitive: c.bool(),
      };
      c.tags();
      return config;
    });
    t.tags(); // TopicConfigErrorCode (tag 0) only says why configs is null
    return { name, topicId, errorCode, errorMessage, partitions, replicationFactor, configs };
  });
  r.tags();
  return topics;
}

/** AlterConfigs replaces a topic's whole set of per-topic configs with `config`. */
export function encodeAlterTopicConfigsRequest(
  items: readonly { name: string; config: Readonly<Record<string, string>> }[],
): Buffer {
  return new Writer()
    .array(items, (w, i) =>
      w
        .int8(TOPIC_RESOURCE)
        .string(i.name)
        .array(Object.entries(i.config), (cw, [k, v]) => cw.string(k).string(v)),
    )
    .bool(false)
    .bytes();
}

export function decodeAlterConfigsResponse(body: Buffer): ItemOutcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  return r.array((x) => {
    const errorCode = x.int16();
    const errorMessage = x.string();
    x.int8(); // resource type
    return { name: x.string() ?? '', errorCode, errorMessage };
  });
}

// DeleteTopics v6 (flexible, KIP-516) names each topic by name or by id, never both (Kafka
// refuses an item with both: "You may not specify both topic name and topic id"). Valid
// versions: 0-6 on 3.9.1, 1-6 on 4.1.1 (both message JSONs in kafka-clients). By id, the
// controller resolves the id itself: an id it does not know is UNKNOWN_TOPIC_ID, so a topic
// recreated under the same name (a new id) can never be deleted by mistake.
export const DELETE_TOPICS_API_KEY = 20;
export const DELETE_TOPICS_VERSION = 6;

/** One topic to delete: by name, or by id (base64url). */
export type DeleteTopicRef = { name: string; topicId?: never } | { topicId: string; name?: never };

export interface DeleteTopicOutcome extends ItemOutcome {
  /** base64url; the zero id when Kafka did not resolve one. */
  topicId: string;
}

export function encodeDeleteTopicsRequest(
  topics: readonly DeleteTopicRef[],
  timeoutMs: number,
): Buffer {
  return new Writer()
    .compactArray(topics, (w, t) =>
      w
        .compactString(t.name ?? null)
        .uuid(t.topicId ?? null)
        .tags(),
    )
    .int32(timeoutMs)
    .tags()
    .bytes();
}

/** Per item: name (null for an id Kafka does not know), id, code and Kafka's message. */
export function decodeDeleteTopicsResponse(body: Buffer): DeleteTopicOutcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const topics = r.compactArray((t) => {
    const name = t.compactString() ?? '';
    const topicId = t.uuid();
    const errorCode = t.int16();
    const errorMessage = t.compactString();
    t.tags();
    return { name, topicId, errorCode, errorMessage };
  });
  r.tags();
  return topics;
}

export const CREATE_PARTITIONS_API_KEY = 37;
export const CREATE_PARTITIONS_VERSION = 1;

export function encodeCreatePartitionsRequest(
  items: readonly { name: string; count: number }[],
  timeoutMs: number,
): Buffer {
  return new Writer()
    .array(items, (w, i) => w.string(i.name).int32(i.count).int32(-1)) // null assignment: Kafka places
    .int32(timeoutMs)
    .bool(false)
    .bytes();
}

/** Per item: name, code, Kafka's message ("Topic already has 3 partitions."). */
export function decodeCreatePartitionsResponse(body: Buffer): ItemOutcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  return r.array((t) => ({
    name: t.string() ?? '',
    errorCode: t.int16(),
    errorMessage: t.string(),
  }));
}
