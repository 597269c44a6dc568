// Byte layouts from kafka-clients' message JSON: AlterPartitionReassignments v0 and
// ListPartitionReassignments v0, flexible from v0.
import { describe, expect, it } from 'vitest';
import {
  decodeAlterPartitionReassignmentsResponse,
  decodeListPartitionReassignmentsResponse,
  encodeAlterPartitionReassignmentsRequest,
  encodeListPartitionReassignmentsRequest,
} from './wire-reassignments.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const cs = (s: string) =>
  `${(s.length + 1).toString(16).padStart(2, '0')}${Buffer.from(s).toString('hex')}`;

describe('AlterPartitionReassignments v0', () => {
  it('groups partitions by topic; null replicas cancel', () => {
    const body = encodeAlterPartitionReassignmentsRequest(
      [
        { topic: 't', partition: 0, replicas: [1, 2] },
        { topic: 'u', partition: 3, replicas: [2] },
        { topic: 't', partition: 1, replicas: null },
      ],
      5000,
    );
    expect(body).toEqual(
      hex(`
        00001388 03
          ${cs('t')} 03
            00000000 03 00000001 00000002 00
            00000001 00 00
          00
          ${cs('u')} 02
            00000003 02 00000002 00
          00
        00`),
    );
  });

  it('keeps Kafka’s message per partition, and a refusal of the whole request first', () => {
    const partitions = `02 ${cs('t')} 03
        00000000 0000 00 00
        00000001 0027 ${cs('The proposed assignment contains non-existent brokerIDs: 7')} 00
      00`;
    expect(
      decodeAlterPartitionReassignmentsResponse(hex(`00000000 0000 00 ${partitions} 00`)),
    ).toEqual([
      { topic: 't', partition: 0, errorCode: 0, errorMessage: null },
      {
        topic: 't',
        partition: 1,
        errorCode: 39,
        errorMessage: 'The proposed assignment contains non-existent brokerIDs: 7',
      },
    ]);
    const refused = decodeAlterPartitionReassignmentsResponse(
      hex(`00000000 0029 ${cs('not the controller')} 01 00`),
    );
    expect(refused).toEqual([
      { topic: '', partition: -1, errorCode: 41, errorMessage: 'not the controller' },
    ]);
  });
});

describe('ListPartitionReassignments v0', () => {
  it('asks for every reassignment (null topics) or for named partitions', () => {
    expect(encodeListPartitionReassignmentsRequest(null, 5000)).toEqual(hex('00001388 00 00'));
    expect(
      encodeListPartitionReassignmentsRequest(
        [
          { topic: 't', partition: 0 },
          { topic: 't', partition: 2 },
        ],
        5000,
      ),
    ).toEqual(hex(`00001388 02 ${cs('t')} 03 00000000 00000002 00 00`));
  });

  it('reads replicas, adding and removing replicas per partition', () => {
    const body = hex(`
      00000000 0000 00
      02 ${cs('t')} 02
        00000000 04 00000001 00000002 00000003 03 00000002 00000003 01 00
        00
      00
      00`);
    expect(decodeListPartitionReassignmentsResponse(body)).toEqual({
      errorCode: 0,
      errorMessage: null,
      reassignments: [
        {
          topic: 't',
          partition: 0,
          replicas: [1, 2, 3],
          addingReplicas: [2, 3],
          removingReplicas: [],
        },
      ],
    });
  });
});
