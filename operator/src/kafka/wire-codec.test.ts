import { describe, expect, it } from 'vitest';
import { Reader, Writer, ZERO_UUID } from './wire-codec.ts';
import { decodeMetadataResponse, encodeMetadataRequest } from './wire-metadata.ts';
import {
  decodeListOffsetsResponse,
  encodeListOffsetsRequest,
  LATEST,
} from './wire-list-offsets.ts';
import {
  encodeCreatePartitionsRequest,
  encodeAlterTopicConfigsRequest,
  decodeAlterConfigsResponse,
  decodeCreatePartitionsResponse,
  decodeCreateTopicsResponse,
  encodeCreateTopicsRequest,
} from './wire-topic-writes.ts';
import { decodeDescribeConfigsResponse } from './wire-describe-configs.ts';
import { parseBootstrap } from './wire-connection.ts';

describe('Writer/Reader', () => {
  it('round-trips every primitive', () => {
    const id = Buffer.from('0123456789abcdef').toString('base64url');
    const buf = new Writer()
      .int8(-2)
      .int16(-300)
      .int32(70_000)
      .int64(-5n)
      .bool(true)
      .uvarint(300)
      .string('hé')
      .string(null)
      .compactString('x')
      .compactString(null)
      .compactArray([1, 2], (w, n) => w.int32(n))
      .array(['a'], (w, s) => w.string(s))
      .uuid(id)
      .tags()
      .bytes();
    const r = new Reader(buf);
    expect([r.int8(), r.int16(), r.int32(), r.int64(), r.bool(), r.uvarint()]).toEqual([
      -2,
      -300,
      70_000,
      -5n,
      true,
      300,
    ]);
    expect([r.string(), r.string(), r.compactString(), r.compactString()]).toEqual([
      'hé',
      null,
      'x',
      null,
    ]);
    expect(r.compactArray((x) => x.int32())).toEqual([1, 2]);
    expect(r.array((x) => x.string())).toEqual(['a']);
    expect(r.uuid()).toBe(id);
    r.tags();
    expect(r.remaining).toBe(0);
  });

  it('encodes uvarints as Kafka does', () => {
    expect([...new Writer().uvarint(0).uvarint(127).uvarint(128).bytes()]).toEqual([
      0, 127, 0x80, 1,
    ]);
  });

  it('skips unknown tagged fields', () => {
    const r = new Reader(Buffer.from([2, 0, 1, 9, 5, 2, 7, 7, 42]));
    r.tags();
    expect(r.int8()).toBe(42);
  });

  it('refuses truncated input and bad UUIDs', () => {
    expect(() => new Reader(Buffer.from([0, 0, 1])).int32()).toThrow(/truncated/);
    expect(() => new Writer().uuid('abc')).toThrow(RangeError);
  });
});

describe('Metadata v12', () => {
  it('asks for named topics without auto-creation', () => {
    const r = new Reader(encodeMetadataRequest(['t']));
    expect(r.compactArray((x) => [x.uuid(), x.compactString(), x.tags()][1])).toEqual(['t']);
    expect([r.bool(), r.bool()]).toEqual([false, false]);
    expect(encodeMetadataRequest(null)[0]).toBe(0); // null array: every topic
  });

  it('decodes brokers, topic ids and per-topic errors', () => {
    const id = Buffer.alloc(16, 7).toString('base64url');
    const body = new Writer()
      .int32(0)
      .compactArray([1], (w, n) =>
        w.int32(n).compactString('h').int32(9092).compactString(null).tags(),
      )
      .compactString('cluster')
      .int32(1)
      .compactArray([0, 3], (w, code) => {
        w.int16(code)
          .compactString(code ? 'gone' : 'orders')
          .uuid(code ? null : id)
          .bool(false);
        w.compactArray(code ? [] : [0], (pw, p) =>
          pw
            .int16(0)
            .int32(p)
            .int32(1)
            .int32(0)
            .compactArray([1], (x, b) => x.int32(b))
            .compactArray([1], (x, b) => x.int32(b))
            .compactArray([], (x, b: number) => x.int32(b))
            .tags(),
        );
        w.int32(0).tags();
      })
      .tags()
      .bytes();
    const m = decodeMetadataResponse(body);
    expect(m.brokers).toEqual([{ nodeId: 1, host: 'h', port: 9092, rack: null }]);
    expect(m.clusterId).toBe('cluster');
    expect(m.topics[0]).toMatchObject({
      name: 'orders',
      topicId: id,
      errorCode: 0,
      partitions: [{ partition: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] }],
    });
    expect(m.topics[1]).toMatchObject({ name: 'gone', topicId: undefined, errorCode: 3 });
    expect(ZERO_UUID).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });
});

describe('ListOffsets v5', () => {
  it('groups partitions by topic in one request', () => {
    const r = new Reader(
      encodeListOffsetsRequest(
        [
          { topic: 'a', partition: 0 },
          { topic: 'b', partition: 1 },
          { topic: 'a', partition: 2 },
        ],
        LATEST,
      ),
    );
    expect([r.int32(), r.int8()]).toEqual([-1, 0]);
    const topics = r.array((t) => [t.string(), t.array((p) => [p.int32(), p.int32(), p.int64()])]);
    expect(topics).toEqual([
      [
        'a',
        [
          [0, -1, -1n],
          [2, -1, -1n],
        ],
      ],
      ['b', [[1, -1, -1n]]],
    ]);
  });

  it('decodes offsets and errors per partition', () => {
    const body = new Writer()
      .int32(0)
      .array(['a'], (w, t) =>
        w.string(t).array([0, 1], (pw, p) =>
          pw
            .int32(p)
            .int16(p ? 6 : 0)
            .int64(-1n)
            .int64(BigInt(p ? -1 : 42))
            .int32(0),
        ),
      )
      .bytes();
    expect(decodeListOffsetsResponse(body)).toEqual([
      { topic: 'a', partition: 0, errorCode: 0, offset: 42 },
      { topic: 'a', partition: 1, errorCode: 6, offset: -1 },
    ]);
  });
});

describe('topic writes and config reads', () => {
  it('encodes CreateTopics v7 (flexible) with configs and no manual assignment', () => {
    const r = new Reader(
      encodeCreateTopicsRequest(
        [{ name: 't', partitions: 3, replicationFactor: 2, config: { k: 'v' } }],
        5000,
      ),
    );
    const [t] = r.compactArray((x) => {
      const topic = [
        x.compactString(),
        x.int32(),
        x.int16(),
        x.compactArray(() => 0),
        x.compactArray((c) => {
          const kv = [c.compactString(), c.compactString()];
          c.tags();
          return kv;
        }),
      ];
      x.tags();
      return topic;
    });
    expect(t).toEqual(['t', 3, 2, [], [['k', 'v']]]);
    expect([r.int32(), r.bool()]).toEqual([5000, false]);
    r.tags();
    expect(r.remaining).toBe(0);
  });

  it('decodes CreateTopics v7: what Kafka made, or its refusal with its message', () => {
    const id = Buffer.from('0123456789abcdef').toString('base64url');
    const created = new Writer()
      .int32(0)
      .compactArray(['made', 'refused'], (w, n) => {
        if (n === 'made') {
          w.compactString(n).uuid(id).int16(0).compactString(null).int32(6).int16(3);
          w.compactArray(
            [
              ['retention.ms', '1000', 1],
              ['segment.bytes', '1073741824', 5],
            ] as const,
            (c, [k, v, source]) =>
              c.compactString(k).compactString(v).bool(false).int8(source).bool(false).tags(),
          );
          w.tags();
        } else {
          w.compactString(n).uuid(null).int16(40).compactString('Unknown topic config name: x');
          w.int32(-1)
            .int16(-1)
            .compactArray(null, () => undefined);
          // TopicConfigErrorCode arrives as tag 0: skipped.
          w.uvarint(1).uvarint(0).uvarint(2).int16(40);
        }
      })
      .tags()
      .bytes();
    expect(decodeCreateTopicsResponse(created)).toEqual([
      {
        name: 'made',
        topicId: id,
        errorCode: 0,
        errorMessage: null,
        partitions: 6,
        replicationFactor: 3,
        configs: [
          { name: 'retention.ms', value: '1000', readOnly: false, source: 1, sensitive: false },
          {
            name: 'segment.bytes',
            value: '1073741824',
            readOnly: false,
            source: 5,
            sensitive: false,
          },
        ],
      },
      {
        name: 'refused',
        topicId: ZERO_UUID,
        errorCode: 40,
        errorMessage: 'Unknown topic config name: x',
        partitions: -1,
        replicationFactor: -1,
        configs: null,
      },
    ]);
  });

  it('decodes per-item outcomes with Kafka’s message', () => {
    const grown = new Writer()
      .int32(0)
      .array(['t'], (w, n) => w.string(n).int16(37).string('Topic already has 3 partitions.'))
      .bytes();
    expect(decodeCreatePartitionsResponse(grown)).toEqual([
      { name: 't', errorCode: 37, errorMessage: 'Topic already has 3 partitions.' },
    ]);
    const altered = new Writer()
      .int32(0)
      .array(['t'], (w, n) => w.int16(0).string(null).int8(2).string(n))
      .bytes();
    expect(decodeAlterConfigsResponse(altered)).toEqual([
      { name: 't', errorCode: 0, errorMessage: null },
    ]);
  });

  it('encodes CreatePartitions and AlterConfigs requests', () => {
    const cp = new Reader(encodeCreatePartitionsRequest([{ name: 't', count: 6 }], 5000));
    expect(cp.array((x) => [x.string(), x.int32(), x.int32()])).toEqual([['t', 6, -1]]);
    expect([cp.int32(), cp.bool(), cp.remaining]).toEqual([5000, false, 0]);
    const ac = new Reader(encodeAlterTopicConfigsRequest([{ name: 't', config: { a: '1' } }]));
    expect(
      ac.array((x) => [x.int8(), x.string(), x.array((c) => [c.string(), c.string()])]),
    ).toEqual([[2, 't', [['a', '1']]]]);
    expect([ac.bool(), ac.remaining]).toEqual([false, 0]);
  });

  it('decodes described configs with their source', () => {
    const body = new Writer()
      .int32(0)
      .array(['t'], (w, n) =>
        w
          .int16(0)
          .string(null)
          .int8(2)
          .string(n)
          .array([['retention.ms', '1', 1]] as const, (c, [k, v, src]) =>
            c
              .string(k)
              .string(v)
              .bool(false)
              .int8(src)
              .bool(false)
              .array([], () => undefined),
          ),
      )
      .bytes();
    expect(decodeDescribeConfigsResponse(body)).toEqual([
      {
        name: 't',
        errorCode: 0,
        errorMessage: null,
        configs: [
          { name: 'retention.ms', value: '1', readOnly: false, source: 1, sensitive: false },
        ],
      },
    ]);
  });
});

describe('parseBootstrap', () => {
  it('splits host:port lists, IPv6 included', () => {
    expect(parseBootstrap('a:1, [::1]:2')).toEqual([
      { host: 'a', port: 1 },
      { host: '::1', port: 2 },
    ]);
    expect(() => parseBootstrap('nohost')).toThrow(RangeError);
  });
});
