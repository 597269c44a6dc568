// The KafkaConsumerGroup controller at the integration tier: the operator in-process, a real
// kube-apiserver + kube-controller-manager (the Deployment controller acts on our scale), and
// real Kafka with real kafkajs consumers. A backlog scales the Deployment up (to the partition
// ceiling), consumers draining it scale it down after the window, and a dead broker holds the
// size with a condition instead of reading as zero lag.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaConsumerGroup } from '../../operator/src/api/kafka-consumer-group.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import {
  createResource,
  eventsFor,
  getResource,
  startTestOperator,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';
import { kafkaHome } from '../fixtures/toolchain.ts';

const execFileP = promisify(execFile);
const kafkaTool = async (tool: string, args: string[]): Promise<string> =>
  (await execFileP(join(kafkaHome(), 'bin', tool), args, { timeout: 60_000 })).stdout;

const namespace = `groups-${process.pid}`;
let op: TestOperator;

async function deployment(name: string, replicas: number): Promise<void> {
  await op.client.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
    body: {
      metadata: { name, namespace },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'registry.invalid/consumer:1' }] },
        },
      },
    },
  });
}
const replicasOf = async (name: string): Promise<number> =>
  (
    await op.client.request<{ spec: { replicas: number } }>(
      'GET',
      `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`,
    )
  ).spec.replicas;
const group = (name: string) =>
  getResource<KafkaConsumerGroup>(op.client, namespace, 'kafkaconsumergroups', name);
const condition = (g: KafkaConsumerGroup | undefined, type: string) =>
  g?.status?.conditions?.find((c) => c.type === type);

function groupResource(
  name: string,
  bootstrap: string,
  spec: Partial<KafkaConsumerGroup['spec']>,
): KafkaConsumerGroup {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaConsumerGroup',
    metadata: { name, namespace },
    spec: {
      bootstrapServers: bootstrap,
      groupId: name,
      topics: [name],
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 10,
      allowIdleConsumers: false,
      lagThreshold: 100,
      activationLagThreshold: 0,
      pollIntervalSeconds: 1,
      scaleUp: { dwellSeconds: 2, rebalanceSeconds: 1 },
      scaleDown: { stabilizationSeconds: 5, maxStepPercent: 100 },
      offsetResetPolicy: 'earliest',
      ...spec,
    },
  };
}

async function produce(bootstrap: string, topic: string, count: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'test-producer',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  // Idempotent: a retried send under load must not write a batch twice (300 messages that
  // became 400 once made the group ask for 4 replicas instead of 3).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < count; i += 100) {
    await producer.send({
      topic,
      messages: Array.from({ length: Math.min(100, count - i) }, (_, j) => ({
        key: `k${i + j}`,
        value: 'x',
      })),
    });
  }
  await producer.disconnect();
}

beforeAll(async () => {
  op = await startTestOperator(inject('kubeconfig'), namespace);
});
afterAll(async () => {
  await op?.stop();
});

describe('KafkaConsumerGroup', () => {
  const consumers: Consumer[] = [];
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
  });

  it('scales a Deployment up to the partition ceiling for a backlog nobody consumes', async () => {
    const bootstrap = inject('kafkaBootstrap');
    await produce(bootstrap, 'backlog', 1000);
    await deployment('backlog', 1);
    await createResource(op.client, 'kafkaconsumergroups', groupResource('backlog', bootstrap, {}));

    // 1000 messages of lag at 100 per replica asks for 10; 4 partitions cap it at 4.
    await waitFor('the Deployment scaled to 4', async () => (await replicasOf('backlog')) === 4, {
      timeoutMs: 60_000,
    });
    const g = await waitFor('status with lag and the ceiling', async () => {
      const x = await group('backlog');
      return x?.status?.lag?.total === 1000 && condition(x, 'ScalingLimited')?.status === 'True'
        ? x
        : undefined;
    });
    expect(condition(g, 'ScalingLimited')!.reason).toBe('PartitionCeiling');
    expect(condition(g, 'Ready')!.status).toBe('True');
    expect(g.status?.partitions).toBe(4);
    expect(g.status?.desiredReplicas).toBe(4);
    expect(g.status?.currentReplicas).toBe(4);
    // The Deployment controller (kube-controller-manager) followed our scale.
    await waitFor('a ReplicaSet of 4', async () => {
      const rs = await op.client.request<{ items: { spec: { replicas: number } }[] }>(
        'GET',
        `/apis/apps/v1/namespaces/${namespace}/replicasets?labelSelector=app%3Dbacklog`,
      );
      return rs.items.some((r) => r.spec.replicas === 4);
    });
    const events = await eventsFor(op.client, namespace, 'backlog');
    expect(events.some((e) => e.reason === 'ScaledUp' && e.note?.includes('1 → 4'))).toBe(true);
  });

  it('scales back down once real consumers have drained the backlog', async () => {
    const bootstrap = inject('kafkaBootstrap');
    const kafka = new Kafka({
      clientId: 'test-consumer',
      brokers: bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    });
    let consumed = 0;
    for (let i = 0; i < 2; i++) {
      const c = kafka.consumer({ groupId: 'backlog' });
      consumers.push(c);
      await c.connect();
      await c.subscribe({ topic: 'backlog', fromBeginning: true });
      await c.run({ eachMessage: async () => void consumed++ });
    }
    await waitFor(
      'the backlog consumed and committed',
      async () => {
        const g = await group('backlog');
        return consumed >= 1000 && g?.status?.lag?.total === 0;
      },
      { timeoutMs: 90_000 },
    );
    // No traffic and no lag: back to minReplicas after the 5 s stabilization window.
    await waitFor(
      'the Deployment back at minReplicas 1',
      async () => (await replicasOf('backlog')) === 1,
      { timeoutMs: 90_000 },
    );
    const g = await group('backlog');
    expect(g?.status?.health).toBe('Ok');
    const events = await eventsFor(op.client, namespace, 'backlog');
    expect(events.some((e) => e.reason === 'ScaledDown')).toBe(true);
  });

  it('holds the size and says why when Kafka goes away', async () => {
    const kafka = await KafkaFixture.start({ name: 'groups-outage-kafka' });
    try {
      await produce(kafka.bootstrapServers, 'outage', 300);
      await deployment('outage', 1);
      await createResource(
        op.client,
        'kafkaconsumergroups',
        groupResource('outage', kafka.bootstrapServers, {}),
      );
      await waitFor(
        'scaled to 3 for 300 messages',
        async () => (await replicasOf('outage')) === 3,
        { timeoutMs: 60_000 },
      );
      await kafka.killNode(kafka.brokers[0]!.id);
      const g = await waitFor(
        'Ready=False KafkaUnavailable',
        async () => {
          const x = await group('outage');
          const ready = condition(x, 'Ready');
          return ready?.status === 'False' && ready.reason === 'KafkaUnavailable' ? x : undefined;
        },
        { timeoutMs: 90_000 },
      );
      expect(condition(g, 'Ready')!.message).toContain('holding 3 replica(s)');
      // Several polls later the size has not moved: an error is never zero lag.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(await replicasOf('outage')).toBe(3);
      expect(condition(g, 'ScalingLimited')?.reason).toBe('ReadError');
    } finally {
      await kafka.stop();
    }
  });

  it("reports the same lag as Kafka's own kafka-consumer-groups.sh, with every input made by other tools", async () => {
    const bootstrap = inject('kafkaBootstrap');
    // Topic by kafka-topics.sh, messages by kcat (librdkafka), committed offsets by
    // kafka-consumer-groups.sh --reset-offsets: nothing here comes from our code or kafkajs.
    await kafkaTool('kafka-topics.sh', [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      'agree',
      '--partitions',
      '4',
    ]);
    const lines = Array.from({ length: 400 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    await new Promise<void>((resolve, reject) => {
      const p = execFile(
        'kcat',
        ['-b', bootstrap, '-P', '-t', 'agree', '-K', ':'],
        { timeout: 30_000 },
        (e) => (e ? reject(e) : resolve()),
      );
      p.stdin!.end(lines);
    });
    await kafkaTool('kafka-consumer-groups.sh', [
      '--bootstrap-server',
      bootstrap,
      '--group',
      'agree',
      '--topic',
      'agree',
      '--reset-offsets',
      '--to-offset',
      '30',
      '--execute',
    ]);
    const described = await kafkaTool('kafka-consumer-groups.sh', [
      '--bootstrap-server',
      bootstrap,
      '--describe',
      '--group',
      'agree',
    ]);
    // Columns: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
    const rows = described.split('\n').filter((l) => l.startsWith('agree '));
    expect(rows).toHaveLength(4);
    const kafkasLag = rows.reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[5]), 0);
    expect(kafkasLag).toBeGreaterThan(0);

    await deployment('agree', 1);
    await createResource(
      op.client,
      'kafkaconsumergroups',
      groupResource('agree', bootstrap, { lagThreshold: 1000, offsetResetPolicy: 'latest' }),
    );
    const g = await waitFor('status.lag', async () => {
      const x = await group('agree');
      return x?.status?.lag?.total !== undefined ? x : undefined;
    });
    expect(g.status!.lag!.total).toBe(kafkasLag);
    expect(g.status!.partitions).toBe(4);
  });
});
