// Property tests of everything that reads bytes from a Kafka endpoint: each response decoder,
// the connection's framing (over a real socket to a local server that answers with seeded
// garbage). The endpoint is whatever a KafkaTopic
// names, so whatever it sends must end as a value or a typed error, never as an exception out
// of an event handler, and never with more buffered than the frame limit. Seeded: a failure
// prints its seed and iteration, and repeats.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KafkaDecodeError, KafkaUnavailableError } from './errors.ts';
import {
  decodeApiVersionsResponse,
  decodeDescribeClusterResponse,
  decodeDescribeQuorumResponse,
  decodeIncrementalAlterConfigsResponse,
  decodeSimpleResponse,
  decodeUpdateFeaturesResponse,
} from './wire-cluster.ts';
import { Reader, Writer } from './wire-codec.ts';
import { WireConnection } from './wire-connection.ts';
import {
  decodeAlterClientQuotasResponse,
  decodeDescribeClientQuotasResponse,
} from './wire-client-quotas.ts';
import { decodeDescribeConfigsResponse } from './wire-describe-configs.ts';
import {
  decodeConsumerAssignment,
  decodeDescribeGroupsResponse,
  decodeFindCoordinatorResponse,
  decodeOffsetFetchResponse,
} from './wire-groups.ts';
import { decodeListOffsetsResponse } from './wire-list-offsets.ts';
import { decodeDescribeLogDirsResponse } from './wire-log-dirs.ts';
import { decodeMetadataResponse } from './wire-metadata.ts';
import {
  decodeCreateAclsResponse,
  decodeDeleteAclsResponse,
  decodeDescribeAclsResponse,
} from './wire-acls.ts';
import { decodeSaslAuthenticateResponse, decodeSaslHandshakeResponse } from './wire-sasl.ts';
import {
  decodeAlterUserScramCredentialsResponse,
  decodeDescribeUserScramCredentialsResponse,
} from './wire-scram-credentials.ts';
import {
  decodeAlterPartitionReassignmentsResponse,
  decodeListPartitionReassignmentsResponse,
} from './wire-reassignments.ts';
import {
  decodeAlterConfigsResponse,
  decodeCreatePartitionsResponse,
  decodeCreateTopicsResponse,
  decodeDeleteTopicsResponse,
} from './wire-topic-writes.ts';

// ------------------------------------------------------------------- a small seeded generator

/** mulberry32: tiny, fast, good enough to pick cases; the same seed gives the same run. */
class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  bool(): boolean {
    return this.next() < 0.5;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
  readonly name = (): string => `t${this.int(0, 99999)}`;
  times<T>(max: number, f: () => T): T[] {
    return Array.from({ length: this.int(0, max) }, f);
  }
}

// Fixed so a failure reproduces; KRAFTWERK_FUZZ_SEED explores others (a failure names its seed
// and iteration).
const SEED = Number(process.env['KRAFTWERK_FUZZ_SEED'] ?? 0x6b726166); // "kraf"

// --------------------------------------------- plausible responses, one builder per decoder

/** A quota entity: {user}, the default user, or user + client-id. */
const quotaEntity = (r: Rng, user: string): [string, string | null][] =>
  r.pick([
    [['user', user]],
    [['user', null]],
    [
      ['user', user],
      ['client-id', r.name()],
    ],
  ]);
const quotaPart = (w: Writer, [type, name]: [string, string | null]) =>
  w.compactString(type).compactString(name).tags();

const uuid = (r: Rng) => r.bytes(16).toString('base64url');

interface Api {
  name: string;
  apiKey: number;
  version: number;
  flexible: boolean;
  /** ApiVersions answers with a v0 header whatever the request's version. */
  headerFlexible: boolean;
  build(r: Rng): Buffer;
  decode(body: Buffer): unknown;
}

const apis: Api[] = [
  {
    name: 'Metadata v12',
    apiKey: 3,
    version: 12,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(r.times(3, r.name), (w, host) =>
          w.int32(r.int(0, 9)).compactString(host).int32(9092).compactString(null).tags(),
        )
        .compactString('cluster')
        .int32(1)
        .compactArray(r.times(3, r.name), (w, name) =>
          w
            .int16(0)
            .compactString(name)
            .uuid(uuid(r))
            .bool(false)
            .compactArray(
              r.times(3, () => r.int(0, 9)),
              (p, i) =>
                p
                  .int16(0)
                  .int32(i)
                  .int32(1)
                  .int32(0)
                  .compactArray([1, 2], (x, v) => x.int32(v))
                  .compactArray([1], (x, v) => x.int32(v))
                  .compactArray([], () => undefined)
                  .tags(),
            )
            .int32(-2147483648)
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeMetadataResponse,
  },
  {
    name: 'DescribeConfigs v2',
    apiKey: 32,
    version: 2,
    flexible: false,
    headerFlexible: false,
    build: (r) =>
      new Writer()
        .int32(0)
        .array(r.times(3, r.name), (w, name) =>
          w
            .int16(0)
            .string(null)
            .int8(2)
            .string(name)
            .array(r.times(3, r.name), (c, key) =>
              c
                .string(key)
                .string('1')
                .bool(false)
                .int8(5)
                .bool(false)
                .array([], () => undefined),
            ),
        )
        .bytes(),
    decode: decodeDescribeConfigsResponse,
  },
  {
    name: 'CreateTopics v7',
    apiKey: 19,
    version: 7,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(r.times(3, r.name), (w, name) =>
          w
            .compactString(name)
            .uuid(uuid(r))
            .int16(r.pick([0, 40]))
            .compactString(r.bool() ? null : 'Unknown topic config name: x')
            .int32(3)
            .int16(1)
            .compactArray(r.bool() ? null : r.times(3, r.name), (c, key) =>
              c.compactString(key).compactString('v').bool(false).int8(1).bool(false).tags(),
            )
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeCreateTopicsResponse,
  },
  {
    name: 'CreatePartitions v1',
    apiKey: 37,
    version: 1,
    flexible: false,
    headerFlexible: false,
    build: (r) =>
      new Writer()
        .int32(0)
        .array(r.times(3, r.name), (w, name) =>
          w.string(name).int16(37).string('Topic already has 3 partitions.'),
        )
        .bytes(),
    decode: decodeCreatePartitionsResponse,
  },
  {
    name: 'AlterConfigs v1',
    apiKey: 33,
    version: 1,
    flexible: false,
    headerFlexible: false,
    build: (r) =>
      new Writer()
        .int32(0)
        .array(r.times(3, r.name), (w, name) => w.int16(0).string(null).int8(2).string(name))
        .bytes(),
    decode: decodeAlterConfigsResponse,
  },
  {
    name: 'DeleteTopics v3',
    apiKey: 20,
    version: 3,
    flexible: false,
    headerFlexible: false,
    build: (r) =>
      new Writer()
        .int32(0)
        .array(r.times(3, r.name), (w, name) => w.string(name).int16(0))
        .bytes(),
    decode: decodeDeleteTopicsResponse,
  },
  {
    name: 'ListOffsets v5',
    apiKey: 2,
    version: 5,
    flexible: false,
    headerFlexible: false,
    build: (r) =>
      new Writer()
        .int32(0)
        .array(r.times(3, r.name), (w, topic) =>
          w.string(topic).array(
            r.times(3, () => r.int(0, 9)),
            (p, i) =>
              p
                .int32(i)
                .int16(0)
                .int64(-1n)
                .int64(BigInt(r.int(0, 1e6)))
                .int32(0),
          ),
        )
        .bytes(),
    decode: decodeListOffsetsResponse,
  },
  {
    name: 'DescribeQuorum v2',
    apiKey: 55,
    version: 2,
    flexible: true,
    headerFlexible: true,
    build: (r) => {
      const replica = (w: Writer, id: number) =>
        w.int32(id).uuid(uuid(r)).int64(10n).int64(-1n).int64(-1n).tags();
      return new Writer()
        .int16(0)
        .compactString(null)
        .compactArray(['__cluster_metadata'], (w, t) =>
          w
            .compactString(t)
            .compactArray([0], (p, i) =>
              p
                .int32(i)
                .int16(0)
                .compactString(null)
                .int32(1)
                .int32(3)
                .int64(10n)
                .compactArray(
                  r.times(3, () => r.int(0, 9)),
                  replica,
                )
                .compactArray(
                  r.times(3, () => r.int(0, 9)),
                  replica,
                )
                .tags(),
            )
            .tags(),
        )
        .compactArray([], () => undefined)
        .tags()
        .bytes();
    },
    decode: decodeDescribeQuorumResponse,
  },
  {
    name: 'AddRaftVoter v0',
    apiKey: 80,
    version: 0,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(r.pick([0, 35]))
        .compactString(r.bool() ? null : 'no')
        .tags()
        .bytes(),
    decode: decodeSimpleResponse,
  },
  {
    name: 'DescribeCluster v2',
    apiKey: 60,
    version: 2,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(0)
        .compactString(null)
        .int8(1)
        .compactString('cluster')
        .int32(1)
        .compactArray(
          r.times(3, () => r.int(0, 9)),
          (w, id) =>
            w.int32(id).compactString('h').int32(9092).compactString(null).bool(r.bool()).tags(),
        )
        .int32(0)
        .tags()
        .bytes(),
    decode: (b) => decodeDescribeClusterResponse(b, 2),
  },
  {
    name: 'IncrementalAlterConfigs v0',
    apiKey: 44,
    version: 0,
    flexible: false,
    headerFlexible: false,
    build: (r) =>
      new Writer()
        .int32(0)
        .array(r.times(3, r.name), (w, name) => w.int16(0).string(null).int8(4).string(name))
        .bytes(),
    decode: decodeIncrementalAlterConfigsResponse,
  },
  {
    name: 'ApiVersions v3',
    apiKey: 18,
    version: 3,
    flexible: true,
    headerFlexible: false,
    build: (r) => {
      const features = new Writer()
        .compactArray(['metadata.version', 'kraft.version'], (w, f) =>
          w.compactString(f).int16(r.int(0, 27)).int16(1).tags(),
        )
        .bytes();
      return Buffer.concat([
        new Writer()
          .int16(0)
          .compactArray(
            r.times(5, () => r.int(0, 80)),
            (w, key) => w.int16(key).int16(0).int16(r.int(0, 12)).tags(),
          )
          .int32(0)
          .uvarint(2)
          .uvarint(1) // FinalizedFeaturesEpoch: skipped
          .uvarint(8)
          .int64(5n)
          .uvarint(2)
          .uvarint(features.length)
          .bytes(),
        features,
      ]);
    },
    decode: decodeApiVersionsResponse,
  },
  {
    name: 'UpdateFeatures v1',
    apiKey: 57,
    version: 1,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(0)
        .compactString(null)
        .compactArray(['metadata.version'], (w, f) =>
          w
            .compactString(f)
            .int16(r.pick([0, 48]))
            .compactString(null)
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeUpdateFeaturesResponse,
  },
  {
    name: 'FindCoordinator v4',
    apiKey: 10,
    version: 4,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(r.times(3, r.name), (w, key) =>
          w
            .compactString(key)
            .int32(r.int(0, 9))
            .compactString('h')
            .int32(9092)
            .int16(r.pick([0, 15]))
            .compactString(r.bool() ? null : 'The coordinator is not available.')
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeFindCoordinatorResponse,
  },
  {
    name: 'DescribeGroups v5',
    apiKey: 15,
    version: 5,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(r.times(2, r.name), (w, id) =>
          w
            .int16(0)
            .compactString(id)
            .compactString('Stable')
            .compactString('consumer')
            .compactString('range')
            .compactArray(r.times(3, r.name), (m, member) =>
              m
                .compactString(member)
                .compactString(null)
                .compactString('c')
                .compactString('/127.0.0.1')
                .compactBytes(Buffer.alloc(0))
                .compactBytes(consumerAssignment(r))
                .tags(),
            )
            .int32(-2147483648)
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeDescribeGroupsResponse,
  },
  {
    name: 'ConsumerProtocolAssignment',
    apiKey: -1,
    version: 0,
    flexible: false,
    headerFlexible: false,
    build: consumerAssignment,
    decode: decodeConsumerAssignment,
  },
  {
    name: 'OffsetFetch v8',
    apiKey: 9,
    version: 8,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(r.times(2, r.name), (w, id) =>
          w
            .compactString(id)
            .compactArray(r.times(3, r.name), (t, topic) =>
              t
                .compactString(topic)
                .compactArray(
                  r.times(3, () => r.int(0, 9)),
                  (p, i) =>
                    p
                      .int32(i)
                      .int64(BigInt(r.int(-1, 1e6)))
                      .int32(-1)
                      .compactString(r.bool() ? null : '')
                      .int16(0)
                      .tags(),
                )
                .tags(),
            )
            .int16(r.pick([0, 16]))
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeOffsetFetchResponse,
  },
  {
    name: 'AlterPartitionReassignments v0',
    apiKey: 45,
    version: 0,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(r.pick([0, 41]))
        .compactString(r.bool() ? null : 'not the controller')
        .compactArray(r.times(3, r.name), (w, topic) =>
          w
            .compactString(topic)
            .compactArray(
              r.times(3, () => r.int(0, 9)),
              (p, i) =>
                p
                  .int32(i)
                  .int16(r.pick([0, 39]))
                  .compactString(r.bool() ? null : 'non-existent brokerIDs')
                  .tags(),
            )
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeAlterPartitionReassignmentsResponse,
  },
  {
    name: 'ListPartitionReassignments v0',
    apiKey: 46,
    version: 0,
    flexible: true,
    headerFlexible: true,
    build: (r) => {
      const ids = (w: Writer) =>
        w.compactArray(
          r.times(3, () => r.int(0, 9)),
          (x, id) => x.int32(id),
        );
      return new Writer()
        .int32(0)
        .int16(0)
        .compactString(null)
        .compactArray(r.times(3, r.name), (w, topic) =>
          w
            .compactString(topic)
            .compactArray(
              r.times(3, () => r.int(0, 9)),
              (p, i) => ids(ids(ids(p.int32(i)))).tags(),
            )
            .tags(),
        )
        .tags()
        .bytes();
    },
    decode: decodeListPartitionReassignmentsResponse,
  },
  {
    name: 'DescribeUserScramCredentials v0',
    apiKey: 50,
    version: 0,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(0)
        .compactString(null)
        .compactArray(r.times(3, r.name), (w, user) =>
          w
            .compactString(user)
            .int16(r.pick([0, 91]))
            .compactString(r.bool() ? null : 'no such user')
            .compactArray(
              r.times(2, () => r.int(0, 3)),
              (c, mechanism) => c.int8(mechanism).int32(r.int(4096, 16384)).tags(),
            )
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeDescribeUserScramCredentialsResponse,
  },
  {
    name: 'AlterUserScramCredentials v0',
    apiKey: 51,
    version: 0,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(r.times(3, r.name), (w, user) =>
          w
            .compactString(user)
            .int16(r.pick([0, 91, 93]))
            .compactString(r.bool() ? null : 'Too few iterations')
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeAlterUserScramCredentialsResponse,
  },
  {
    name: 'DescribeClientQuotas v1',
    apiKey: 48,
    version: 1,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(r.pick([0, 42]))
        .compactString(r.bool() ? null : 'Invalid entity type')
        .compactArray(r.bool() ? null : r.times(3, r.name), (w, user) =>
          w
            .compactArray(quotaEntity(r, user), quotaPart)
            .compactArray(r.times(4, r.name), (v, key) =>
              v
                .compactString(key)
                .float64(r.int(0, 1 << 30) / 4)
                .tags(),
            )
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeDescribeClientQuotasResponse,
  },
  {
    name: 'AlterClientQuotas v1',
    apiKey: 49,
    version: 1,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(r.times(3, r.name), (w, user) =>
          w
            .int16(r.pick([0, 42]))
            .compactString(r.bool() ? null : 'Invalid quota value')
            .compactArray(quotaEntity(r, user), quotaPart)
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeAlterClientQuotasResponse,
  },
  {
    name: 'DescribeAcls v3',
    apiKey: 29,
    version: 3,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(r.pick([0, 54]))
        .compactString(r.bool() ? null : 'No Authorizer is configured.')
        .compactArray(r.times(3, r.name), (w, name) =>
          w
            .int8(r.int(0, 9))
            .compactString(name)
            .int8(r.int(0, 5))
            .compactArray(r.times(3, r.name), (a, user) =>
              a
                .compactString(`User:${user}`)
                .compactString('*')
                .int8(r.int(0, 16))
                .int8(r.int(0, 4))
                .tags(),
            )
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeDescribeAclsResponse,
  },
  {
    name: 'CreateAcls v3',
    apiKey: 30,
    version: 3,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(
          r.times(3, () => r.pick([0, 42, 54])),
          (w, code) =>
            w
              .int16(code)
              .compactString(code === 0 ? null : 'Invalid ACL')
              .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeCreateAclsResponse,
  },
  {
    name: 'DeleteAcls v3',
    apiKey: 31,
    version: 3,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .compactArray(
          r.times(3, () => r.pick([0, 54])),
          (w, code) =>
            w
              .int16(code)
              .compactString(code === 0 ? null : 'no')
              .compactArray(r.times(3, r.name), (m, name) =>
                m
                  .int16(0)
                  .compactString(null)
                  .int8(r.int(0, 9))
                  .compactString(name)
                  .int8(r.int(0, 5))
                  .compactString('User:x')
                  .compactString('*')
                  .int8(r.int(0, 16))
                  .int8(r.int(0, 4))
                  .tags(),
              )
              .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeDeleteAclsResponse,
  },
  {
    name: 'DescribeLogDirs v4',
    apiKey: 35,
    version: 4,
    flexible: true,
    headerFlexible: true,
    build: (r) =>
      new Writer()
        .int32(0)
        .int16(r.pick([0, 31]))
        .compactArray(r.times(3, r.name), (w, dir) =>
          w
            .int16(r.pick([0, 56]))
            .compactString(`/var/lib/${dir}`)
            .compactArray(r.times(2, r.name), (t, topic) =>
              t
                .compactString(topic)
                .compactArray(
                  r.times(3, () => r.int(0, 9)),
                  (p, i) => p.int32(i).int64(4096n).int64(0n).bool(false).tags(),
                )
                .tags(),
            )
            .int64(BigInt(r.int(0, 2 ** 31)) * 1024n)
            .int64(BigInt(r.int(0, 2 ** 31)))
            .tags(),
        )
        .tags()
        .bytes(),
    decode: decodeDescribeLogDirsResponse,
  },
];

/** A consumer-protocol assignment: version, [topic, [partition]], user data. */
function consumerAssignment(r: Rng): Buffer {
  return new Writer()
    .int16(r.int(0, 3))
    .array(r.times(3, r.name), (w, topic) =>
      w.string(topic).array(
        r.times(4, () => r.int(0, 9)),
        (p, i) => p.int32(i),
      ),
    )
    .int32(-1)
    .bytes();
}

/** Sent only while a connection authenticates, so only the decoder test below takes them. */
const saslApis: Api[] = [
  {
    name: 'SaslHandshake v1',
    apiKey: 17,
    version: 1,
    flexible: false,
    headerFlexible: false,
    build: (r) =>
      new Writer()
        .int16(r.pick([0, 33]))
        .array(r.times(3, r.name), (w, m) => w.string(m))
        .bytes(),
    decode: decodeSaslHandshakeResponse,
  },
  {
    name: 'SaslAuthenticate v2',
    apiKey: 36,
    version: 2,
    flexible: true,
    headerFlexible: true,
    build: (r) => {
      const bytes = r.bytes(r.int(0, 40));
      return Buffer.concat([
        new Writer()
          .int16(r.pick([0, 58]))
          .compactString(r.bool() ? null : r.name())
          .uvarint(bytes.length + 1)
          .bytes(),
        bytes,
        new Writer()
          .int64(BigInt(r.int(0, 3_600_000)))
          .tags()
          .bytes(),
      ]);
    },
    decode: decodeSaslAuthenticateResponse,
  },
];

/** A response gone wrong in one of the ways a broken or hostile endpoint's would. */
function mutate(r: Rng, body: Buffer): Buffer {
  const b = Buffer.from(body);
  switch (r.int(0, 5)) {
    case 0: // cut short
      return b.subarray(0, r.int(0, Math.max(0, b.length - 1)));
    case 1: // a few bits flipped
      for (let i = r.int(1, 8); i > 0 && b.length > 0; i--)
        b[r.int(0, b.length - 1)]! ^= 1 << r.int(0, 7);
      return b;
    case 2: // a count or length made huge or negative
      if (b.length >= 4)
        b.writeInt32BE(r.pick([0x7fffffff, -1, -2, 0x10000]), r.int(0, b.length - 4));
      return b;
    case 3: // a varint that never ends
      if (b.length > 0) b.fill(0xff, r.int(0, b.length - 1), b.length);
      return b;
    case 4: // noise
      return r.bytes(r.int(0, 64));
    default: // nothing at all
      return Buffer.alloc(0);
  }
}

// --------------------------------------------------------------------------------- decoders

describe('response decoders on garbage', () => {
  it.each([...apis, ...saslApis].map((a) => [a.name, a] as const))(
    '%s decodes what it should and throws only KafkaDecodeError otherwise',
    (_name, api) => {
      const r = new Rng(SEED ^ api.apiKey);
      let decoded = 0;
      let refused = 0;
      for (let i = 0; i < 400; i++) {
        const valid = api.build(r);
        api.decode(valid); // a plausible answer always decodes
        const bad = mutate(r, valid);
        try {
          api.decode(bad);
          decoded++;
        } catch (e) {
          if (!(e instanceof KafkaDecodeError))
            throw new Error(`iteration ${i}: ${String(e)} for ${bad.toString('hex')}`, {
              cause: e,
            });
          refused++;
        }
      }
      // Both outcomes happen, so the check above saw real garbage and real near-misses.
      expect(decoded).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    },
    30_000,
  );
});

// ----------------------------------------------------------------- the connection, over TCP

const MAX = 4096;

/** What the server does with one request; every case either answers in full or closes. */
type Reply =
  | 'valid'
  | 'mutated'
  | 'split'
  | 'tooShort'
  | 'negative'
  | 'oversized'
  | 'twoGig'
  | 'wrongId'
  | 'noiseThenClose'
  | 'partialThenClose'
  | 'close';
const replies: Reply[] = [
  'valid',
  'valid',
  'mutated',
  'mutated',
  'split',
  'tooShort',
  'negative',
  'oversized',
  'twoGig',
  'wrongId',
  'noiseThenClose',
  'partialThenClose',
  'close',
];

interface Script {
  reply: Reply;
  api: Api;
  seed: number;
}

const scripts = new Map<number, Script>();
let server: Server;
let port: number;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

function frame(correlationId: number, headerFlexible: boolean, body: Buffer): Buffer {
  const header = new Writer().int32(correlationId);
  if (headerFlexible) header.tags();
  const payload = Buffer.concat([header.bytes(), body]);
  return Buffer.concat([new Writer().int32(payload.length).bytes(), payload]);
}

function lengthPrefix(n: number): Buffer {
  return new Writer().int32(n).bytes();
}

/** Writes pieces a tick apart, so the client sees them as separate reads. */
function dribble(socket: Socket, pieces: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const next = (rest: Buffer[]) => {
      const [first, ...more] = rest;
      if (first === undefined || socket.destroyed) return resolve();
      socket.write(first);
      setImmediate(() => next(more));
    };
    next(pieces);
  });
}

/**
 * Answers one request. Replies leave a socket one after another, as from a broker: a reply
 * written in pieces is never cut into by the next one (that would be a broken server, and the
 * client, rightly, would wait for the rest of a frame that never comes).
 */
function answer(socket: Socket, correlationId: number, s: Script): Promise<void> | void {
  const r = new Rng(s.seed);
  const body = s.api.build(r);
  const ok = frame(correlationId, s.api.headerFlexible, body);
  switch (s.reply) {
    case 'valid':
      return void socket.write(ok);
    case 'mutated':
      return void socket.write(frame(correlationId, s.api.headerFlexible, mutate(r, body)));
    case 'split': {
      const cuts = [...new Set(r.times(4, () => r.int(1, ok.length - 1)))].sort((x, y) => x - y);
      const bounds = [0, ...cuts, ok.length];
      return dribble(
        socket,
        bounds.slice(1).map((end, i) => ok.subarray(bounds[i], end)),
      );
    }
    case 'tooShort':
      return void socket.write(Buffer.concat([lengthPrefix(r.int(0, 3)), r.bytes(3)]));
    case 'negative':
      return void socket.write(lengthPrefix(-r.int(1, 0x7fffffff)));
    case 'oversized':
      // A prefix just over the limit, then as much of the frame as a broker might send.
      return void socket.write(Buffer.concat([lengthPrefix(MAX + r.int(1, 1000)), r.bytes(MAX)]));
    case 'twoGig':
      return void socket.write(lengthPrefix(0x7fffffff));
    case 'wrongId':
      return void socket.write(frame(correlationId + r.int(1, 1000), s.api.headerFlexible, body));
    case 'noiseThenClose':
      socket.write(r.bytes(r.int(1, 64)));
      return void socket.end();
    case 'partialThenClose':
      socket.write(ok.subarray(0, r.int(0, ok.length - 1)));
      return void socket.end();
    case 'close':
      return void socket.destroy();
  }
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  server = createServer((socket) => {
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let replies = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const r = new Reader(buf.subarray(4, 4 + buf.readInt32BE(0)));
        buf = buf.subarray(4 + buf.readInt32BE(0));
        r.int16(); // api key
        r.int16(); // version
        const correlationId = r.int32();
        r.string(); // client id
        // The request body is the script's number (last 4 bytes) after some padding.
        r.skip(r.remaining - 4);
        const s = scripts.get(r.int32());
        if (s) replies = replies.then(() => answer(socket, correlationId, s));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  expect(uncaught).toEqual([]);
});

describe('WireConnection against a server answering garbage', () => {
  it('settles every call with a value or KafkaUnavailableError, buffering at most the limit', async () => {
    const r = new Rng(SEED);
    const c = new WireConnection(`127.0.0.1:${port}`, {
      clientId: 'fuzz',
      connectTimeoutMs: 5_000,
      requestTimeoutMs: 20_000,
      maxFrameBytes: MAX,
    });
    const seen = new Map<string, number>();
    let next = 0;
    for (let i = 0; i < 1000; i++) {
      // 1–3 pipelined calls on one socket; whatever one reply does, all must settle.
      const batch = r
        .times(2, () => 0)
        .concat([0])
        .map(() => {
          const s: Script = { reply: r.pick(replies), api: r.pick(apis), seed: r.int(0, 2 ** 31) };
          const id = next++;
          scripts.set(id, s);
          return { s, id };
        });
      const outcomes = await Promise.all(
        batch.map(({ s, id }) =>
          c
            .call(
              s.api.apiKey,
              s.api.version,
              Buffer.concat([r.bytes(r.int(0, 8)), new Writer().int32(id).bytes()]),
              s.api.flexible,
              s.api.decode,
              s.api.headerFlexible,
            )
            .then(
              () => 'value',
              (e: unknown) => e,
            ),
        ),
      );
      for (const [k, o] of outcomes.entries()) {
        const s = batch[k]!.s;
        if (o !== 'value') {
          expect(o, `seed ${SEED} iteration ${i}: ${s.reply} ${s.api.name}`).toBeInstanceOf(
            KafkaUnavailableError,
          );
          // Settled because of what the server sent, not by the safety-net timeout.
          expect((o as Error).message).not.toMatch(/timed out/);
        }
        // A lone well-formed answer always gives its value.
        if (batch.length === 1 && (s.reply === 'valid' || s.reply === 'split'))
          expect(o, `seed ${SEED} iteration ${i}: ${s.reply} ${s.api.name}`).toBe('value');
        const key = `${s.reply}:${o === 'value' ? 'value' : 'failed'}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      for (const { id } of batch) scripts.delete(id);
      expect(c.peakBufferedBytes).toBeLessThan(MAX + 4);
    }
    c.close();
    // Every hostile reply was seen failing a call; good replies gave values.
    for (const reply of [
      'tooShort',
      'negative',
      'oversized',
      'twoGig',
      'wrongId',
      'noiseThenClose',
      'partialThenClose',
      'close',
    ])
      expect(seen.get(`${reply}:failed`), reply).toBeGreaterThan(0);
    for (const reply of ['valid', 'split', 'mutated'])
      expect(seen.get(`${reply}:value`), reply).toBeGreaterThan(0);
    expect(seen.get('mutated:failed')).toBeGreaterThan(0);
  }, 30_000);

  it('names what was wrong', async () => {
    const c = new WireConnection(`127.0.0.1:${port}`, {
      clientId: 'fuzz',
      connectTimeoutMs: 5_000,
      requestTimeoutMs: 20_000,
      maxFrameBytes: MAX,
    });
    const metadata = apis[0]!;
    const fail = async (reply: Reply, body?: Buffer) => {
      const id = 1_000_000 + scripts.size;
      scripts.set(id, { reply, api: metadata, seed: 7 });
      const e = await c
        .call(
          3,
          12,
          Buffer.concat([body ?? Buffer.alloc(0), new Writer().int32(id).bytes()]),
          true,
          metadata.decode,
        )
        .then(
          () => undefined,
          (x: unknown) => x as Error,
        );
      scripts.delete(id);
      return e?.message;
    };
    const at = `127.0.0.1:${port}`;
    expect(await fail('twoGig')).toBe(
      `Kafka at ${at} is unavailable: frame of 2147483647 bytes exceeds the 4096-byte limit from ${at}`,
    );
    expect(await fail('tooShort')).toMatch(
      /frame of [0-3] bytes, too short for a correlation id from/,
    );
    expect(await fail('negative')).toMatch(/frame with a negative length \(-\d+\) from/);
    expect(await fail('wrongId')).toMatch(
      /response with correlation id \d+, which no request is waiting for, from/,
    );
    expect(await fail('close')).toBe(`Kafka at ${at} is unavailable: connection closed by ${at}`);
    c.close();
  });

  it('fails an undecodable answer alone and drops the socket under it', async () => {
    let connections = 0;
    const s = createServer((socket) => {
      connections++;
      socket.on('data', (chunk: Buffer) => {
        // Answers with a body cut short: Metadata cannot read it.
        const correlationId = chunk.readInt32BE(8);
        socket.write(frame(correlationId, true, Buffer.from([0, 0])));
      });
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const p = (s.address() as { port: number }).port;
    const c = new WireConnection(`127.0.0.1:${p}`, {
      clientId: 'fuzz',
      connectTimeoutMs: 5_000,
      requestTimeoutMs: 20_000,
    });
    for (let i = 0; i < 2; i++) {
      const e = await c
        .call(3, 12, Buffer.alloc(0), true, decodeMetadataResponse)
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KafkaUnavailableError);
      expect((e as Error).message).toBe(
        `Kafka at 127.0.0.1:${p} is unavailable: undecodable response (api 3 v12) from 127.0.0.1:${p}: truncated Kafka response (4 bytes wanted at 0)`,
      );
      expect((e as Error).cause).toBeInstanceOf(KafkaDecodeError);
    }
    // Each failure took its socket along: the second call came on a new one.
    expect(connections).toBe(2);
    c.close();
    await new Promise((resolve) => s.close(resolve));
  });
});
