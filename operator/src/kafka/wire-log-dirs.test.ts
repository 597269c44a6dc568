// Golden bytes from Kafka itself: kafka-clients 4.1.1's DescribeLogDirsRequestData and
// DescribeLogDirsResponseData, serialized at v4 with MessageUtil.toByteBufferAccessor.
import { describe, expect, it } from 'vitest';
import { KafkaDecodeError } from './errors.ts';
import { decodeDescribeLogDirsResponse, encodeDescribeLogDirsRequest } from './wire-log-dirs.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('DescribeLogDirs v4', () => {
  it('asks for no topics (an empty array, not null, which would mean all of them)', () => {
    // Kafka's bytes for Topics = [] are 01 00; for Topics = null, 00 00.
    expect(encodeDescribeLogDirsRequest()).toEqual(hex('01 00'));
  });

  it('reads each directory’s volume totals, past any topics a broker lists', () => {
    // /var/lib/kafka/data: 10 GiB total, 7 GiB usable, one partition listed (skipped);
    // /mnt/d2: KAFKA_STORAGE_ERROR (56), totals left at their default -1.
    const body = hex(`
      00000000 0000 03
        0000 14 2f7661722f6c69622f6b61666b612f64617461
          02 02 74 02 00000002 0000000000001000 0000000000000000 00 00 00
          0000000280000000 00000001c0000000 00
        0038 08 2f6d6e742f6432 01 ffffffffffffffff ffffffffffffffff 00
      00`);
    expect(decodeDescribeLogDirsResponse(body)).toEqual({
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: '/var/lib/kafka/data',
          totalBytes: 10_737_418_240n,
          usableBytes: 7_516_192_768n,
        },
        { errorCode: 56, logDir: '/mnt/d2', totalBytes: -1n, usableBytes: -1n },
      ],
    });
  });

  it('reads a refusal of the whole request (CLUSTER_AUTHORIZATION_FAILED, no directories)', () => {
    expect(decodeDescribeLogDirsResponse(hex('00000000 001f 01 00'))).toEqual({
      errorCode: 31,
      results: [],
    });
  });

  it('fails a cut-short answer with KafkaDecodeError', () => {
    const body = hex('00000000 0000 02 0000 03 2f64 00000000');
    expect(() => decodeDescribeLogDirsResponse(body)).toThrow(KafkaDecodeError);
  });
});
