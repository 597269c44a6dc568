// The pure parts of the batched consumer-group reads (kafka-admin.ts): many groups' polls share
// one FindCoordinator, one OffsetFetch and one DescribeGroups per coordinator, and one ListOffsets
// (earliest + latest) per leader for the union of their partitions. Each group's or partition's
// answer is cut out of the shared one here, and its errors stay its own: one group's
// COORDINATOR_NOT_AVAILABLE or one missing partition fails that item, never the batch.

import type { ItemResult } from './batcher.ts';
import { errorName, isRetriable } from './error-codes.ts';
import { KafkaRequestError } from './errors.ts';
import type {
  CommittedOffset,
  GroupDescription,
  PartitionOffsetRange,
  TopicPartition,
} from './port.ts';
import type { DescribedGroup, FetchedGroupOffsets } from './wire-groups.ts';
import type { ListOffsetsPartition } from './wire-list-offsets.ts';

export const GROUP_ID_NOT_FOUND = 69;

/** The key of one partition in maps and batches. */
export const partitionKey = (p: TopicPartition): string => `${p.topic}\u0000${p.partition}`;

/** Groups by where their coordinator is (host:port), in the order first seen. */
export function groupsByCoordinator(
  located: Iterable<readonly [groupId: string, address: string]>,
): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const [groupId, address] of located) {
    const list = by.get(address);
    if (list) list.push(groupId);
    else by.set(address, [groupId]);
  }
  return by;
}

/** One coordinator's answer per group it was asked about; null for a group it left out. */
export function answersPerGroup<T extends { groupId: string }>(
  asked: readonly string[],
  answer: readonly T[],
): Map<string, T | null> {
  const byId = new Map(answer.map((g) => [g.groupId, g]));
  return new Map(asked.map((id) => [id, byId.get(id) ?? null]));
}

/** The error code of a group's answer that decides whether to ask its coordinator again. */
export const groupErrorCode = (g: { errorCode: number } | null): number => g?.errorCode ?? 0;

export function groupError(groupId: string, api: string, code: number): KafkaRequestError {
  return new KafkaRequestError(
    errorName(code),
    `${api} of group ${groupId}: ${errorName(code)}`,
    isRetriable(code),
  );
}

/** A group's OffsetFetch answer → its committed offsets on `topics` (all when omitted). */
export function committedOffsetsOf(
  groupId: string,
  group: FetchedGroupOffsets | null,
  topics?: readonly string[],
): CommittedOffset[] {
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

/** A group's DescribeGroups answer → its description; null when Kafka does not know it. */
export function groupDescriptionOf(
  groupId: string,
  g: DescribedGroup | null,
  assignmentOf: (bytes: Buffer) => TopicPartition[],
): GroupDescription | null {
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

/**
 * The batch's partitions by leader broker (`leaders`: partitionKey → leader id, from one
 * Metadata answer). A partition Metadata does not name, or one without a leader, fails alone.
 */
export function partitionsByLeader(
  partitions: readonly TopicPartition[],
  leaders: ReadonlyMap<string, number>,
): { byLeader: Map<number, TopicPartition[]>; failed: Map<string, ItemResult<never>> } {
  const byLeader = new Map<number, TopicPartition[]>();
  const failed = new Map<string, ItemResult<never>>();
  for (const p of partitions) {
    const leader = leaders.get(partitionKey(p));
    if (leader === undefined || leader < 0) {
      const [code, why] =
        leader === undefined
          ? ['UNKNOWN_TOPIC_OR_PARTITION', 'does not exist']
          : ['LEADER_NOT_AVAILABLE', 'has no leader'];
      failed.set(partitionKey(p), {
        ok: false,
        error: new KafkaRequestError(code, `${p.topic}/${p.partition} ${why}`, true),
      });
      continue;
    }
    const list = byLeader.get(leader);
    if (list) list.push(p);
    else byLeader.set(leader, [p]);
  }
  return { byLeader, failed };
}

/** One leader's earliest and latest ListOffsets answers → a range (or an error) per partition. */
export function offsetRangesOf(
  asked: readonly TopicPartition[],
  earliest: readonly ListOffsetsPartition[],
  latest: readonly ListOffsetsPartition[],
): Map<string, ItemResult<PartitionOffsetRange>> {
  const first = new Map(earliest.map((r) => [partitionKey(r), r]));
  const last = new Map(latest.map((r) => [partitionKey(r), r]));
  const results = new Map<string, ItemResult<PartitionOffsetRange>>();
  for (const p of asked) {
    const key = partitionKey(p);
    const a = first.get(key);
    const b = last.get(key);
    const bad = [a, b].find((r) => r !== undefined && r.errorCode !== 0);
    if (bad) {
      results.set(key, {
        ok: false,
        error: new KafkaRequestError(
          errorName(bad.errorCode),
          `ListOffsets for ${p.topic}/${p.partition} failed: ${errorName(bad.errorCode)}`,
          isRetriable(bad.errorCode),
        ),
      });
    } else if (a === undefined || b === undefined) {
      // Never read as "no offsets, no lag".
      results.set(key, {
        ok: false,
        error: new KafkaRequestError(
          'INVALID_RESPONSE',
          `no offsets returned for ${p.topic}/${p.partition}`,
          true,
        ),
      });
    } else {
      results.set(key, {
        ok: true,
        value: { topic: p.topic, partition: p.partition, logStart: a.offset, end: b.offset },
      });
    }
  }
  return results;
}
