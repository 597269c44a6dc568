// The consumer-group reads: FindCoordinator v4, DescribeGroups v5 and OffsetFetch v8, all
// flexible and inside what both 3.9.1 and 4.1.1 accept (FindCoordinator 0-6 on both,
// DescribeGroups 0-5 / 0-6, OffsetFetch 0-9 / 1-10; kafka-clients' common/message JSON). The
// group ones go to the group's coordinator, which FindCoordinator names. Newer versions add
// nothing we read: DescribeGroups v6 only adds an error message for an unknown group (KIP-1043),
// OffsetFetch v9 member epochs (KIP-848) and v10 topic ids instead of names.
//
// A member's assignment is the consumer protocol's ConsumerProtocolAssignment (not flexible):
// int16 version, then [topic, [partition]], then user data we do not read.

import { Reader, Writer } from './wire-codec.ts';

export const FIND_COORDINATOR_API_KEY = 10;
export const FIND_COORDINATOR_VERSION = 4;
export const DESCRIBE_GROUPS_API_KEY = 15;
export const DESCRIBE_GROUPS_VERSION = 5;
export const OFFSET_FETCH_API_KEY = 9;
export const OFFSET_FETCH_VERSION = 8;

const GROUP_KEY_TYPE = 0;

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export function encodeFindCoordinatorRequest(groupIds: readonly string[]): Buffer {
  return new Writer()
    .int8(GROUP_KEY_TYPE)
    .compactArray(groupIds, (w, id) => w.compactString(id))
    .tags()
    .bytes();
}

export function decodeFindCoordinatorResponse(body: Buffer): Coordinator[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const coordinators = r.compactArray((c) => {
    const coordinator = {
      key: c.compactString() ?? '',
      nodeId: c.int32(),
      host: c.compactString() ?? '',
      port: c.int32(),
      errorCode: c.int16(),
      errorMessage: c.compactString(),
    };
    c.tags();
    return coordinator;
  });
  r.tags();
  return coordinators;
}

export interface DescribedMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** ConsumerProtocolAssignment bytes when the protocol type is "consumer"; empty otherwise. */
  assignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  members: DescribedMember[];
}

export function encodeDescribeGroupsRequest(groupIds: readonly string[]): Buffer {
  return new Writer()
    .compactArray(groupIds, (w, id) => w.compactString(id))
    .bool(false) // no authorized operations
    .tags()
    .bytes();
}

export function decodeDescribeGroupsResponse(body: Buffer): DescribedGroup[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const groups = r.compactArray((g) => {
    const errorCode = g.int16();
    const groupId = g.compactString() ?? '';
    const state = g.compactString() ?? '';
    const protocolType = g.compactString() ?? '';
    g.compactString(); // protocol data: the assignor's name
    const members = g.compactArray((m) => {
      const memberId = m.compactString() ?? '';
      m.compactString(); // group instance id
      const clientId = m.compactString() ?? '';
      const clientHost = m.compactString() ?? '';
      m.compactBytes(); // member metadata (the subscription)
      const assignment = m.compactBytes();
      m.tags();
      return { memberId, clientId, clientHost, assignment };
    });
    g.int32(); // authorized operations
    g.tags();
    return { errorCode, groupId, state, protocolType, members };
  });
  r.tags();
  return groups;
}

/** The partitions of a consumer-protocol assignment, by topic. */
export function decodeConsumerAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] {
  if (bytes.length === 0) return [];
  const r = new Reader(bytes);
  r.int16(); // version: later ones only append fields (the JSON's compatibility note)
  return r.array((t) => ({ topic: t.string() ?? '', partitions: t.array((p) => p.int32()) }));
}

export interface FetchedOffset {
  topic: string;
  partition: number;
  /** -1 when the group committed nothing there. */
  offset: bigint;
  errorCode: number;
}

export interface FetchedGroupOffsets {
  groupId: string;
  errorCode: number;
  offsets: FetchedOffset[];
}

/** Every offset each group committed (topics null: all of them). */
export function encodeOffsetFetchRequest(groupIds: readonly string[]): Buffer {
  return new Writer()
    .compactArray(groupIds, (w, id) =>
      w
        .compactString(id)
        .compactArray(null, () => undefined)
        .tags(),
    )
    .bool(false) // require stable: no, pending transactional commits read as the last stable one
    .tags()
    .bytes();
}

export function decodeOffsetFetchResponse(body: Buffer): FetchedGroupOffsets[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const groups = r.compactArray((g) => {
    const groupId = g.compactString() ?? '';
    const offsets = g
      .compactArray((t) => {
        const topic = t.compactString() ?? '';
        const partitions = t.compactArray((p) => {
          const partition = p.int32();
          const offset = p.int64();
          p.int32(); // committed leader epoch
          p.compactString(); // metadata
          const errorCode = p.int16();
          p.tags();
          return { topic, partition, offset, errorCode };
        });
        t.tags();
        return partitions;
      })
      .flat();
    const errorCode = g.int16();
    g.tags();
    return { groupId, errorCode, offsets };
  });
  r.tags();
  return groups;
}
