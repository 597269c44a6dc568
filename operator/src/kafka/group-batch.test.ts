import { describe, expect, it } from 'vitest';
import { KafkaRequestError } from './errors.ts';
import {
  answersPerGroup,
  committedOffsetsOf,
  groupDescriptionOf,
  groupsByCoordinator,
  offsetRangesOf,
  partitionKey,
  partitionsByLeader,
} from './group-batch.ts';
import type { FetchedGroupOffsets } from './wire-groups.ts';

const COORDINATOR_NOT_AVAILABLE = 15;
const GROUP_ID_NOT_FOUND = 69;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const NOT_LEADER_OR_FOLLOWER = 6;

describe('groupsByCoordinator', () => {
  it('puts the groups of one coordinator in one request', () => {
    const by = groupsByCoordinator([
      ['a', 'k0:9092'],
      ['b', 'k1:9092'],
      ['c', 'k0:9092'],
    ]);
    expect([...by]).toEqual([
      ['k0:9092', ['a', 'c']],
      ['k1:9092', ['b']],
    ]);
  });
});

describe('answersPerGroup', () => {
  it('gives each asked group its own answer, null where the coordinator left it out', () => {
    const a = { groupId: 'a', errorCode: 0 };
    const c = { groupId: 'c', errorCode: COORDINATOR_NOT_AVAILABLE };
    expect([...answersPerGroup(['a', 'b', 'c'], [c, a])]).toEqual([
      ['a', a],
      ['b', null],
      ['c', c],
    ]);
  });
});

const fetched = (groupId: string, errorCode = 0): FetchedGroupOffsets => ({
  groupId,
  errorCode,
  offsets: [
    { topic: 't', partition: 0, offset: 7n, errorCode: 0 },
    { topic: 't', partition: 1, offset: -1n, errorCode: 0 },
    { topic: 'u', partition: 0, offset: 3n, errorCode: 0 },
  ],
});

describe('committedOffsetsOf', () => {
  it("one group's offsets, on the topics asked for; no commit is null, never 0", () => {
    expect(committedOffsetsOf('g', fetched('g'), ['t'])).toEqual([
      { topic: 't', partition: 0, offset: 7 },
      { topic: 't', partition: 1, offset: null },
    ]);
    expect(committedOffsetsOf('g', fetched('g'))).toHaveLength(3);
  });

  it('a group Kafka does not know committed nothing', () => {
    expect(committedOffsetsOf('g', null)).toEqual([]);
    expect(committedOffsetsOf('g', { ...fetched('g'), errorCode: GROUP_ID_NOT_FOUND })).toEqual([]);
  });

  it("a group's error, or one partition's, is that group's error", () => {
    expect(() => committedOffsetsOf('g', fetched('g', COORDINATOR_NOT_AVAILABLE))).toThrow(
      expect.objectContaining({ code: 'COORDINATOR_NOT_AVAILABLE', retriable: true }),
    );
    const bad = fetched('g');
    bad.offsets[1] = { ...bad.offsets[1]!, errorCode: UNKNOWN_TOPIC_OR_PARTITION };
    expect(() => committedOffsetsOf('g', bad)).toThrow(/OffsetFetch of group g for t\/1/);
  });
});

describe('groupDescriptionOf', () => {
  const described = {
    errorCode: 0,
    groupId: 'g',
    state: 'Empty',
    protocolType: 'consumer',
    members: [],
  };
  it('null for a group Kafka does not know (Dead without members, or GROUP_ID_NOT_FOUND)', () => {
    expect(groupDescriptionOf('g', null, () => [])).toBeNull();
    expect(groupDescriptionOf('g', { ...described, state: 'Dead' }, () => [])).toBeNull();
    expect(
      groupDescriptionOf('g', { ...described, errorCode: GROUP_ID_NOT_FOUND }, () => []),
    ).toBeNull();
  });
  it("throws the group's own error", () => {
    expect(() =>
      groupDescriptionOf('g', { ...described, errorCode: COORDINATOR_NOT_AVAILABLE }, () => []),
    ).toThrow(KafkaRequestError);
  });
  it('reads the assignment of consumer-protocol members only', () => {
    const m = {
      memberId: 'm',
      clientId: 'c',
      clientHost: '/h',
      assignment: Buffer.from([1]),
    };
    const assignment = () => [{ topic: 't', partition: 0 }];
    expect(
      groupDescriptionOf('g', { ...described, members: [m] }, assignment)?.members[0]?.assignment,
    ).toEqual([{ topic: 't', partition: 0 }]);
    expect(
      groupDescriptionOf('g', { ...described, protocolType: 'connect', members: [m] }, assignment)
        ?.members[0]?.assignment,
    ).toEqual([]);
  });
});

describe('partitionsByLeader', () => {
  it('groups the union of partitions by leader; an unknown or leaderless one fails alone', () => {
    const leaders = new Map([
      [partitionKey({ topic: 't', partition: 0 }), 1],
      [partitionKey({ topic: 't', partition: 1 }), 2],
      [partitionKey({ topic: 'u', partition: 0 }), 1],
      [partitionKey({ topic: 'u', partition: 1 }), -1],
    ]);
    const { byLeader, failed } = partitionsByLeader(
      [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
        { topic: 'u', partition: 0 },
        { topic: 'u', partition: 1 },
        { topic: 'gone', partition: 0 },
      ],
      leaders,
    );
    expect([...byLeader]).toEqual([
      [
        1,
        [
          { topic: 't', partition: 0 },
          { topic: 'u', partition: 0 },
        ],
      ],
      [2, [{ topic: 't', partition: 1 }]],
    ]);
    const error = (k: string) => {
      const r = failed.get(k);
      return r && !r.ok ? (r.error as KafkaRequestError).code : undefined;
    };
    expect(failed.size).toBe(2);
    expect(error(partitionKey({ topic: 'u', partition: 1 }))).toBe('LEADER_NOT_AVAILABLE');
    expect(error(partitionKey({ topic: 'gone', partition: 0 }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe('offsetRangesOf', () => {
  const asked = [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 1 },
    { topic: 't', partition: 2 },
  ];
  const at = (partition: number, offset: number, errorCode = 0) => ({
    topic: 't',
    partition,
    offset,
    errorCode,
  });
  it('one range per partition; an error or a missing answer fails that partition only', () => {
    const r = offsetRangesOf(
      asked,
      [at(0, 2), at(1, 0, NOT_LEADER_OR_FOLLOWER)],
      [at(0, 9), at(1, 4)],
    );
    expect(r.get(partitionKey(asked[0]!))).toEqual({
      ok: true,
      value: { topic: 't', partition: 0, logStart: 2, end: 9 },
    });
    const failure = (i: number) => {
      const x = r.get(partitionKey(asked[i]!));
      return x && !x.ok ? (x.error as KafkaRequestError).code : 'ok';
    };
    expect(failure(1)).toBe('NOT_LEADER_OR_FOLLOWER');
    // No answer is never read as "no lag".
    expect(failure(2)).toBe('INVALID_RESPONSE');
  });
});
