// Endpoints that are not Kafka, named by a user in spec.bootstrapServers: the operator must
// report them and keep serving everyone else. The operator runs in-process against the real
// API server and the real Kafka of the integration tier; next to it run TCP servers on
// 127.0.0.1 that speak broken Kafka. They are fakes on purpose: a real broker cannot be made to
// send four zero bytes or a 2 GB length prefix. Before the fix the first of them made the
// operator process exit (RangeError out of a socket data handler).
//
// Both paths are covered: KafkaTopic starts with Metadata, KafkaConsumerGroup with
// FindCoordinator (then OffsetFetch, DescribeGroups; kafka/README.md "Who sends what"). The
// listeners below see any exception that escapes a handler in this process.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaConsumerGroup } from '../../operator/src/api/kafka-consumer-group.ts';
import type { KafkaTopic } from '../../operator/src/api/kafka-topic.ts';
import { KafkaUnavailableError } from '../../operator/src/kafka/errors.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import {
  createResource,
  getResource,
  startTestOperator,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';

const namespace = `hostile-${process.pid}`;
let op: TestOperator;
let bootstrap: string;

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** Each endpoint: how it answers, and what the operator must say about it. */
interface Endpoint {
  name: string;
  onConnection(socket: Socket): void;
  /** A KafkaTopic's first request (Metadata). */
  wire: RegExp;
  /** A KafkaConsumerGroup's first request (FindCoordinator), and every group call of the port. */
  group: RegExp;
}

const answer = (reply: (request: Buffer) => Buffer) => (socket: Socket) =>
  socket.on('data', (chunk: Buffer) => socket.write(reply(chunk)));

const endpoints: Endpoint[] = [
  {
    name: 'zeros',
    onConnection: answer(() => Buffer.alloc(4)),
    wire: /frame of 0 bytes, too short for a correlation id from 127\.0\.0\.1:\d+/,
    group: /frame of 0 bytes, too short for a correlation id from 127\.0\.0\.1:\d+/,
  },
  {
    name: 'two-gig',
    onConnection: answer(() => int32(0x7fffffff)),
    wire: /frame of 2147483647 bytes exceeds the 104857600-byte limit from 127\.0\.0\.1:\d+/,
    group: /frame of 2147483647 bytes exceeds the 104857600-byte limit from 127\.0\.0\.1:\d+/,
  },
  {
    name: 'negative',
    onConnection: answer(() => int32(-1)),
    wire: /frame with a negative length \(-1\) from 127\.0\.0\.1:\d+/,
    group: /frame with a negative length \(-1\) from 127\.0\.0\.1:\d+/,
  },
  {
    name: 'silent',
    onConnection: (socket) => socket.resume(),
    wire: /request \(api 3 v12\) to 127\.0\.0\.1:\d+ timed out after 30000 ms/,
    // The operator waits 30 s; the port test below sets 1 s and sends other requests first.
    group: /request \(api \d+ v\d+\) to 127\.0\.0\.1:\d+ timed out after (30000|1000) ms/,
  },
  {
    name: 'closer',
    onConnection: (socket) => socket.destroy(),
    // Closed before or after our request went out: a clean close or a reset.
    wire: /connection (closed by 127\.0\.0\.1:\d+|to 127\.0\.0\.1:\d+ failed)/,
    group: /connection (closed by 127\.0\.0\.1:\d+|to 127\.0\.0\.1:\d+ failed)/,
  },
  {
    name: 'unsolicited',
    // A well-formed frame whose correlation id is not the request's (at bytes 8–11).
    onConnection: answer((request) =>
      Buffer.concat([int32(4), int32(request.readInt32BE(8) + 1000)]),
    ),
    wire: /response with correlation id \d+, which no request is waiting for, from 127\.0\.0\.1:\d+/,
    group:
      /response with correlation id \d+, which no request is waiting for, from 127\.0\.0\.1:\d+/,
  },
];

const servers: Server[] = [];
const sockets = new Set<Socket>();
const addresses = new Map<string, string>();
const escaped: unknown[] = [];
const onEscape = (e: unknown) => escaped.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  bootstrap = inject('kafkaBootstrap');
  for (const e of endpoints) {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      e.onConnection(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    addresses.set(e.name, `127.0.0.1:${(server.address() as { port: number }).port}`);
  }
  op = await startTestOperator(inject('kubeconfig'), namespace);
});

afterAll(async () => {
  await op?.stop();
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

function topic(name: string, bootstrapServers: string): KafkaTopic {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name, namespace },
    // Retain: deleting these must not wait for an answer that never comes.
    spec: { bootstrapServers, partitions: 1, replicationFactor: 1, deletionPolicy: 'Retain' },
  };
}

const readyOf = async (plural: string, name: string) =>
  (
    await getResource<KafkaTopic | KafkaConsumerGroup>(op.client, namespace, plural, name)
  )?.status?.conditions?.find((c) => c.type === 'Ready');

describe('hostile Kafka endpoints', () => {
  it('each KafkaTopic says what is wrong with its endpoint; topics on the real Kafka still reconcile', async () => {
    for (const e of endpoints)
      await createResource(op.client, 'kafkatopics', topic(`t-${e.name}`, addresses.get(e.name)!));
    await createResource(op.client, 'kafkatopics', topic('healthy-before', bootstrap));

    await Promise.all(
      endpoints.map((e) =>
        waitFor(
          `KafkaTopic t-${e.name} Ready naming ${String(e.wire)}`,
          async () => {
            const c = await readyOf('kafkatopics', `t-${e.name}`);
            return c?.reason === 'KafkaUnavailable' && e.wire.test(c.message ?? '') ? c : undefined;
          },
          { timeoutMs: 90_000 },
        ).then((c) => {
          // The topic reconciler reports an unreachable Kafka as not known to be ready.
          expect(['Unknown', 'False']).toContain(c.status);
          expect(c.message).toContain(`Kafka at ${addresses.get(e.name)} is unavailable: `);
        }),
      ),
    );

    const ready = async (name: string) =>
      waitFor(`KafkaTopic ${name} Ready=True`, async () => {
        const c = await readyOf('kafkatopics', name);
        return c?.status === 'True' ? c : undefined;
      });
    await ready('healthy-before');
    // Reconciles of the broken ones keep failing and retrying meanwhile; a new topic on the
    // real Kafka is still served.
    await createResource(op.client, 'kafkatopics', topic('healthy-after', bootstrap));
    await ready('healthy-after');
    expect(escaped).toEqual([]);
  });

  it('each KafkaConsumerGroup says what is wrong with its endpoint', async () => {
    for (const e of endpoints) {
      const name = `g-${e.name}`;
      await op.client.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
        body: {
          metadata: { name, namespace },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
            },
          },
        },
      });
      const group: KafkaConsumerGroup = {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaConsumerGroup',
        metadata: { name, namespace },
        spec: {
          bootstrapServers: addresses.get(e.name)!,
          groupId: name,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: 1,
          maxReplicas: 3,
          pollIntervalSeconds: 2,
        } as KafkaConsumerGroup['spec'],
      };
      await createResource(op.client, 'kafkaconsumergroups', group);
    }
    await Promise.all(
      endpoints.map((e) =>
        waitFor(
          `KafkaConsumerGroup g-${e.name} Ready naming ${String(e.group)}`,
          async () => {
            const c = await readyOf('kafkaconsumergroups', `g-${e.name}`);
            return c?.reason === 'KafkaUnavailable' && e.group.test(c.message ?? '')
              ? c
              : undefined;
          },
          { timeoutMs: 90_000 },
        ),
      ),
    );
    expect(escaped).toEqual([]);
  });

  it('every group and reassignment call of the port fails as unavailable against every endpoint', async () => {
    for (const e of endpoints) {
      const admin = new KafkaAdmin({
        bootstrap: addresses.get(e.name)!,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 1_000,
      });
      try {
        const calls: [string, () => Promise<unknown>][] = [
          ['describeGroup', () => admin.describeGroup('g')],
          ['fetchCommittedOffsets', () => admin.fetchCommittedOffsets('g')],
          ['listPartitionReassignments', () => admin.listPartitionReassignments()],
          [
            'alterPartitionReassignments',
            () => admin.alterPartitionReassignments('t', [{ partition: 0, replicas: [1] }]),
          ],
        ];
        for (const [what, call] of calls) {
          const error = await call().then(
            () => undefined,
            (x: unknown) => x,
          );
          expect(error, `${e.name}: ${what}`).toBeInstanceOf(KafkaUnavailableError);
          expect((error as Error).message, `${e.name}: ${what}`).toMatch(e.group);
        }
      } finally {
        await admin.close();
      }
    }
    expect(escaped).toEqual([]);
  });
});
