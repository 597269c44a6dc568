// AlterPartitionReassignments v0 and ListPartitionReassignments v0 (KIP-455; flexible from v0).
// v0 is the one version both 3.9.1 (0) and 4.1.1 (0-1; v1 only adds
// AllowReplicationFactorChange, whose default is what v0 does) accept. Brokers take both and
// forward them to the active controller. Kafka answers per partition with its own message
// ("The proposed assignment contains non-existent brokerIDs: 7"), which we keep.

import { Reader, Writer } from './wire-codec.ts';

export const ALTER_PARTITION_REASSIGNMENTS_API_KEY = 45;
export const LIST_PARTITION_REASSIGNMENTS_API_KEY = 46;
export const PARTITION_REASSIGNMENTS_VERSION = 0;

export interface ReassignmentTarget {
  topic: string;
  partition: number;
  /** null cancels the partition's ongoing reassignment. */
  replicas: readonly number[] | null;
}

/** One partition's outcome, or the request's own (partition -1) when Kafka refused it all. */
export interface ReassignmentOutcome {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface OngoingReassignmentWire {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** Targets grouped by topic, in first-seen order. */
function byTopic<T extends { topic: string }>(items: readonly T[]): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(i.topic, [...(out.get(i.topic) ?? []), i]);
  return [...out];
}

export function encodeAlterPartitionReassignmentsRequest(
  targets: readonly ReassignmentTarget[],
  timeoutMs: number,
): Buffer {
  return new Writer()
    .int32(timeoutMs)
    .compactArray(byTopic(targets), (w, [topic, ps]) =>
      w
        .compactString(topic)
        .compactArray(ps, (pw, p) =>
          pw
            .int32(p.partition)
            .compactArray(p.replicas, (rw, id) => rw.int32(id))
            .tags(),
        )
        .tags(),
    )
    .tags()
    .bytes();
}

/** Kafka's top-level refusal first (partition -1) when there is one, then every partition. */
export function decodeAlterPartitionReassignmentsResponse(body: Buffer): ReassignmentOutcome[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  const partitions = r
    .compactArray((t) => {
      const topic = t.compactString() ?? '';
      const ps = t.compactArray((p) => {
        const outcome = {
          topic,
          partition: p.int32(),
          errorCode: p.int16(),
          errorMessage: p.compactString(),
        };
        p.tags();
        return outcome;
      });
      t.tags();
      return ps;
    })
    .flat();
  r.tags();
  return errorCode === 0
    ? partitions
    : [{ topic: '', partition: -1, errorCode, errorMessage }, ...partitions];
}

/** `partitions` null: every ongoing reassignment in the cluster. */
export function encodeListPartitionReassignmentsRequest(
  partitions: readonly { topic: string; partition: number }[] | null,
  timeoutMs: number,
): Buffer {
  return new Writer()
    .int32(timeoutMs)
    .compactArray(partitions === null ? null : byTopic(partitions), (w, [topic, ps]) =>
      w
        .compactString(topic)
        .compactArray(ps, (pw, p) => pw.int32(p.partition))
        .tags(),
    )
    .tags()
    .bytes();
}

export interface ListedReassignments {
  errorCode: number;
  errorMessage: string | null;
  reassignments: OngoingReassignmentWire[];
}

export function decodeListPartitionReassignmentsResponse(body: Buffer): ListedReassignments {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  const ids = (x: Reader) => x.compactArray((i) => i.int32());
  const reassignments = r
    .compactArray((t) => {
      const topic = t.compactString() ?? '';
      const ps = t.compactArray((p) => {
        const ongoing = {
          topic,
          partition: p.int32(),
          replicas: ids(p),
          addingReplicas: ids(p),
          removingReplicas: ids(p),
        };
        p.tags();
        return ongoing;
      });
      t.tags();
      return ps;
    })
    .flat();
  r.tags();
  return { errorCode, errorMessage, reassignments };
}
