// CreateTopics v4, CreatePartitions v1, AlterConfigs v1 and DeleteTopics v3 (all pre-flexible, accepted by 3.9 and 4.x after
// KIP-896). kafkajs sends these too, but its response parser throws the first failed item's
// error code with a canned text ("Configuration is invalid") and drops Kafka's own
// error_message ("Unknown topic config name: foo"), which users need in Ready=False. Any broker
// takes them: in KRaft, brokers forward both to the active controller.

import { Reader, Writer } from './wire-codec.ts';

export const CREATE_TOPICS_API_KEY = 19;
export const CREATE_TOPICS_VERSION = 4;
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

export function encodeCreateTopicsRequest(
  topics: readonly CreateTopicRequest[],
  timeoutMs: number,
): Buffer {
  return new Writer()
    .array(topics, (w, t) =>
      w
        .string(t.name)
        .int32(t.partitions)
        .int16(t.replicationFactor)
        .array([], () => undefined) // no manual assignment: Kafka places replicas
        .array(Object.entries(t.config), (cw, [k, v]) => cw.string(k).string(v)),
    )
    .int32(timeoutMs)
    .bool(false)
    .bytes();
}

export function decodeCreateTopicsResponse(body: Buffer): ItemOutcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  return r.array((t) => ({
    name: t.string() ?? '',
    errorCode: t.int16(),
    errorMessage: t.string(),
  }));
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

export const DELETE_TOPICS_API_KEY = 20;
export const DELETE_TOPICS_VERSION = 3;

export function encodeDeleteTopicsRequest(names: readonly string[], timeoutMs: number): Buffer {
  return new Writer()
    .array(names, (w, n) => w.string(n))
    .int32(timeoutMs)
    .bytes();
}

/** DeleteTopics v3 carries no message; the code alone says enough for a delete. */
export function decodeDeleteTopicsResponse(body: Buffer): ItemOutcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  return r.array((t) => ({ name: t.string() ?? '', errorCode: t.int16(), errorMessage: null }));
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

/** Same shape as CreateTopics v4's: name, code, Kafka's message ("Topic already has 3 partitions."). */
export const decodeCreatePartitionsResponse = decodeCreateTopicsResponse;
