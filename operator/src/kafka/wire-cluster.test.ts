import { describe, expect, it } from 'vitest';
import { Reader, Writer, ZERO_UUID } from './wire-codec.ts';
import {
  decodeApiVersionsResponse,
  decodeDescribeClusterResponse,
  decodeDescribeQuorumResponse,
  decodeIncrementalAlterConfigsResponse,
  decodeSimpleResponse,
  decodeUpdateFeaturesResponse,
  encodeAddRaftVoterRequest,
  encodeAlterBrokerDefaultsRequest,
  encodeDescribeClusterRequest,
  encodeDescribeQuorumRequest,
  encodeRemoveRaftVoterRequest,
  encodeUnregisterBrokerRequest,
  encodeUpdateFeaturesRequest,
} from './wire-cluster.ts';
import { metadataLevelOfRelease, metadataVersionName } from './metadata-versions.ts';

const dir = Buffer.from('directory-id-16b').toString('base64url');

function replica(w: Writer, id: number, directory: string | null, leo: bigint): void {
  w.int32(id).uuid(directory).int64(leo).int64(-1n).int64(-1n).tags();
}

describe('DescribeQuorum v2', () => {
  it('asks for partition 0 of __cluster_metadata', () => {
    const r = new Reader(encodeDescribeQuorumRequest());
    const topics = r.compactArray((t) => {
      const name = t.compactString();
      const partitions = t.compactArray((p) => {
        const i = p.int32();
        p.tags();
        return i;
      });
      t.tags();
      return [name, partitions];
    });
    r.tags();
    expect(topics).toEqual([['__cluster_metadata', [0]]]);
    expect(r.remaining).toBe(0);
  });

  it('reads leader, voters and observers with their directory ids', () => {
    const body = new Writer()
      .int16(0)
      .compactString(null)
      .compactArray(['__cluster_metadata'], (w, name) =>
        w
          .compactString(name)
          .compactArray([0], (p) => {
            p.int32(0).int16(0).compactString(null).int32(1).int32(7).int64(120n);
            p.compactArray([0, 1, 2], (v, id) =>
              replica(v, id, id === 2 ? null : dir, 120n - BigInt(id)),
            );
            p.compactArray([3], (o, id) => replica(o, id, dir, -1n));
            p.tags();
          })
          .tags(),
      )
      .compactArray([], (w) => w) // nodes
      .tags()
      .bytes();
    const q = decodeDescribeQuorumResponse(body);
    expect(q.errorCode).toBe(0);
    expect(q.leaderId).toBe(1);
    expect(q.voters.map((v) => [v.replicaId, v.directoryId, v.logEndOffset])).toEqual([
      [0, dir, 120n],
      [1, dir, 119n],
      [2, undefined, 118n],
    ]);
    expect(q.observers[0]).toEqual({ replicaId: 3, directoryId: dir, logEndOffset: -1n });
  });

  it('reports a top-level error with Kafka’s message', () => {
    const body = new Writer()
      .int16(41)
      .compactString('not the controller')
      .compactArray([], (w) => w)
      .compactArray([], (w) => w)
      .tags()
      .bytes();
    expect(decodeDescribeQuorumResponse(body)).toMatchObject({
      errorCode: 41,
      errorMessage: 'not the controller',
    });
  });
});

describe('quorum membership and broker requests', () => {
  it('encodes AddRaftVoter with the endpoint, ports above 32767 included', () => {
    const r = new Reader(
      encodeAddRaftVoterRequest({
        clusterId: null,
        timeoutMs: 5000,
        voterId: 3,
        directoryId: dir,
        listeners: [{ name: 'CONTROLLER', host: 'c-3.c.ns.svc', port: 40000 }],
      }),
    );
    expect([r.compactString(), r.int32(), r.int32(), r.uuid()]).toEqual([null, 5000, 3, dir]);
    const listeners = r.compactArray((l) => {
      const out = [l.compactString(), l.compactString(), l.int16() & 0xffff];
      l.tags();
      return out;
    });
    r.tags();
    expect(listeners).toEqual([['CONTROLLER', 'c-3.c.ns.svc', 40000]]);
    expect(r.remaining).toBe(0);
  });

  it('encodes RemoveRaftVoter and UnregisterBroker', () => {
    const rv = new Reader(
      encodeRemoveRaftVoterRequest({ clusterId: 'abc', voterId: 2, directoryId: dir }),
    );
    expect([rv.compactString(), rv.int32(), rv.uuid()]).toEqual(['abc', 2, dir]);
    const ub = new Reader(encodeUnregisterBrokerRequest(104));
    expect(ub.int32()).toBe(104);
  });

  it('reads the simple responses with Kafka’s error message', () => {
    const body = new Writer()
      .int32(0)
      .int16(102)
      .compactString('Broker 99 is not registered')
      .tags()
      .bytes();
    expect(decodeSimpleResponse(body)).toEqual({
      errorCode: 102,
      errorMessage: 'Broker 99 is not registered',
    });
  });

  it('DescribeCluster v2 asks for fenced brokers and reads them; v1 does not have the field', () => {
    const v2 = new Reader(encodeDescribeClusterRequest(2));
    expect([v2.bool(), v2.int8(), v2.bool()]).toEqual([false, 1, true]);
    const broker = (w: Writer, id: number, fenced?: boolean) => {
      w.int32(id).compactString(`b-${id}`).int32(9091).compactString(null);
      if (fenced !== undefined) w.bool(fenced);
      w.tags();
    };
    const response = (version: 1 | 2) =>
      new Writer()
        .int32(0)
        .int16(0)
        .compactString(null)
        .int8(1)
        .compactString('cid')
        .int32(0)
        .compactArray([100, 101], (w, id) => broker(w, id, version === 2 ? id === 101 : undefined))
        .int32(0)
        .tags()
        .bytes();
    expect(
      decodeDescribeClusterResponse(response(2), 2).brokers.map((b) => [b.brokerId, b.fenced]),
    ).toEqual([
      [100, false],
      [101, true],
    ]);
    expect(decodeDescribeClusterResponse(response(1), 1).brokers.map((b) => b.fenced)).toEqual([
      undefined,
      undefined,
    ]);
  });
});

describe('cluster-wide broker defaults', () => {
  it('sets and deletes keys on the default broker entity', () => {
    const r = new Reader(
      encodeAlterBrokerDefaultsRequest({ 'num.io.threads': '16', 'log.cleaner.threads': null }),
    );
    const resources = r.array((x) => [
      x.int8(),
      x.string(),
      x.array((c) => [c.string(), c.int8(), c.string()]),
    ]);
    expect(resources).toEqual([
      [
        4,
        '',
        [
          ['log.cleaner.threads', 1, null],
          ['num.io.threads', 0, '16'],
        ],
      ],
    ]);
    expect([r.bool(), r.remaining]).toEqual([false, 0]);
  });

  it('reads per-resource outcomes', () => {
    const body = new Writer()
      .int32(0)
      .array([0], (w) => w.int16(40).string('Invalid value x').int8(4).string(''))
      .bytes();
    expect(decodeIncrementalAlterConfigsResponse(body)).toEqual([
      { errorCode: 40, errorMessage: 'Invalid value x' },
    ]);
  });
});

describe('features', () => {
  it('reads finalized features from ApiVersions v3 tagged fields, skipping the others', () => {
    const supported = new Writer()
      .compactArray(['metadata.version'], (w, n) => w.compactString(n).int16(7).int16(27).tags())
      .bytes();
    const finalized = new Writer()
      .compactArray(
        [
          ['metadata.version', 27],
          ['kraft.version', 1],
        ] as const,
        (w, [n, level]) => w.compactString(n).int16(level).int16(level).tags(),
      )
      .bytes();
    const w = new Writer()
      .int16(0)
      .compactArray([[60, 0, 2]], (a, [k, min, max]) => a.int16(k!).int16(min!).int16(max!).tags())
      .int32(0)
      .uvarint(3)
      .uvarint(0)
      .uvarint(supported.length);
    const body = Buffer.concat([
      w.bytes(),
      supported,
      new Writer().uvarint(1).uvarint(8).int64(5n).uvarint(2).uvarint(finalized.length).bytes(),
      finalized,
    ]);
    const v = decodeApiVersionsResponse(body);
    expect(v.maxVersions[60]).toBe(2);
    expect(v.finalized).toEqual({ 'metadata.version': 27, 'kraft.version': 1 });
  });

  it('encodes an upgrade-only UpdateFeatures and reads a per-feature refusal', () => {
    const r = new Reader(
      encodeUpdateFeaturesRequest(1000, [{ feature: 'metadata.version', maxVersionLevel: 27 }]),
    );
    expect(r.int32()).toBe(1000);
    const updates = r.compactArray((u) => {
      const out = [u.compactString(), u.int16(), u.int8()];
      u.tags();
      return out;
    });
    expect(updates).toEqual([['metadata.version', 27, 1]]);
    const body = new Writer()
      .int32(0)
      .int16(0)
      .compactString(null)
      .compactArray(['metadata.version'], (w, f) =>
        w.compactString(f).int16(42).compactString('not all nodes support 27').tags(),
      )
      .tags()
      .bytes();
    expect(decodeUpdateFeaturesResponse(body)).toEqual({
      errorCode: 42,
      errorMessage: 'not all nodes support 27',
    });
  });

  it('names metadata versions and finds a release’s production level', () => {
    expect(metadataVersionName(27)).toBe('4.1-IV1');
    expect(metadataVersionName(999)).toBeUndefined();
    expect(metadataLevelOfRelease('4.1')).toBe(27);
    expect(metadataLevelOfRelease('4.0')).toBe(25);
    expect(metadataLevelOfRelease('3.9')).toBe(21);
    expect(metadataLevelOfRelease('9.9')).toBeUndefined();
    expect(ZERO_UUID).toHaveLength(22);
  });
});
