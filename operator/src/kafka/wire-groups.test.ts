// Byte layouts from kafka-clients' message JSON (4.1.1 and 3.9.1 agree on these versions):
// FindCoordinator v4, DescribeGroups v5 and OffsetFetch v8 are flexible (compact strings and
// arrays, a tag buffer after each struct); ConsumerProtocolAssignment is not.
import { describe, expect, it } from 'vitest';
import { KafkaDecodeError } from './errors.ts';
import {
  decodeConsumerAssignment,
  decodeDescribeGroupsResponse,
  decodeFindCoordinatorResponse,
  decodeOffsetFetchResponse,
  encodeDescribeGroupsRequest,
  encodeFindCoordinatorRequest,
  encodeOffsetFetchRequest,
} from './wire-groups.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A compact string: uvarint length + 1, then UTF-8. */
const cs = (s: string) =>
  `${(s.length + 1).toString(16).padStart(2, '0')}${Buffer.from(s).toString('hex')}`;

describe('FindCoordinator v4', () => {
  it('asks for group coordinators by key (KeyType 0, CoordinatorKeys)', () => {
    expect(encodeFindCoordinatorRequest(['g1'])).toEqual(hex(`00 02 ${cs('g1')} 00`));
  });

  it('reads each key’s coordinator, or its error and Kafka’s message', () => {
    const body = hex(`
      00000000 03
      ${cs('g1')} 00000002 ${cs('broker-2')} 00002384 0000 00 00
      ${cs('g2')} ffffffff ${cs('')} ffffffff 000f ${cs('not available')} 00
      00`);
    expect(decodeFindCoordinatorResponse(body)).toEqual([
      { key: 'g1', nodeId: 2, host: 'broker-2', port: 9092, errorCode: 0, errorMessage: null },
      {
        key: 'g2',
        nodeId: -1,
        host: '',
        port: -1,
        errorCode: 15,
        errorMessage: 'not available',
      },
    ]);
  });
});

describe('DescribeGroups v5', () => {
  it('asks for the groups without authorized operations', () => {
    expect(encodeDescribeGroupsRequest(['g1'])).toEqual(hex(`02 ${cs('g1')} 00 00`));
  });

  it('reads state, protocol type and members with their assignment bytes', () => {
    const body = hex(`
      00000000 02
        0000 ${cs('g1')} ${cs('Stable')} ${cs('consumer')} ${cs('range')}
        02
          ${cs('m-1')} 00 ${cs('client')} ${cs('/10.0.0.1')} 03 0a0b 04 010203 00
        80000000 00
      00`);
    const [g] = decodeDescribeGroupsResponse(body);
    expect(g).toEqual({
      errorCode: 0,
      groupId: 'g1',
      state: 'Stable',
      protocolType: 'consumer',
      members: [
        {
          memberId: 'm-1',
          clientId: 'client',
          clientHost: '/10.0.0.1',
          assignment: hex('010203'),
        },
      ],
    });
  });
});

describe('ConsumerProtocolAssignment', () => {
  it('reads topics and partitions whatever the version, ignoring user data', () => {
    const bytes = hex(`
      0003 00000002
        0001 61 00000002 00000000 00000002
        0001 62 00000000
      00000002 ffff`);
    expect(decodeConsumerAssignment(bytes)).toEqual([
      { topic: 'a', partitions: [0, 2] },
      { topic: 'b', partitions: [] },
    ]);
    expect(decodeConsumerAssignment(Buffer.alloc(0))).toEqual([]);
    expect(() => decodeConsumerAssignment(hex('0000 00000005'))).toThrow(KafkaDecodeError);
  });
});

describe('OffsetFetch v8', () => {
  it('asks for all of one group’s offsets (null topics), not requiring stable offsets', () => {
    expect(encodeOffsetFetchRequest(['g1'])).toEqual(hex(`02 ${cs('g1')} 00 00 00 00`));
  });

  it('reads committed offsets per partition, -1 for none, and the group’s error', () => {
    const body = hex(`
      00000000 03
        ${cs('g1')} 02
          ${cs('t')} 03
            00000000 0000000000000003 ffffffff 00 0000 00
            00000001 ffffffffffffffff ffffffff ${cs('')} 0000 00
          00
        0000 00
        ${cs('g2')} 01 0010 00
      00`);
    expect(decodeOffsetFetchResponse(body)).toEqual([
      {
        groupId: 'g1',
        errorCode: 0,
        offsets: [
          { topic: 't', partition: 0, offset: 3n, errorCode: 0 },
          { topic: 't', partition: 1, offset: -1n, errorCode: 0 },
        ],
      },
      { groupId: 'g2', errorCode: 16, offsets: [] },
    ]);
  });
});
