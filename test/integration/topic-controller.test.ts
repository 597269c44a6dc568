// The KafkaTopic controller end to end at the integration tier: the operator in-process, a real
// kube-apiserver and real Kafka. What the operator did is checked with clients that are not
// ours: kafkajs' admin, and Kafka's own kafka-configs.sh to change things behind its back.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaTopic } from '../../operator/src/api/kafka-topic.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import { kafkaTopicIds, kafkaTopicNames, kafkaTopicsCli } from '../fixtures/kafka-cli.ts';
import {
  createResource,
  eventsFor,
  waitForEvent,
  getResource,
  kraftwerkPath,
  mergePatch,
  startTestOperator,
  type TestOperator,
} from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';
import { kafkaHome } from '../fixtures/toolchain.ts';

const execFileP = promisify(execFile);
const namespace = `topics-${process.pid}`;
let op: TestOperator;
let bootstrap: string;
let admin: Admin;

function topic(name: string, spec: Partial<KafkaTopic['spec']>): KafkaTopic {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name, namespace },
    spec: { bootstrapServers: bootstrap, partitions: 1, deletionPolicy: 'Delete', ...spec },
  };
}

const get = (name: string) => getResource<KafkaTopic>(op.client, namespace, 'kafkatopics', name);
const ready = (t: KafkaTopic | undefined) => t?.status?.conditions?.find((c) => c.type === 'Ready');

async function waitReady(name: string, status = 'True', reason?: string): Promise<KafkaTopic> {
  return waitFor(
    `KafkaTopic ${name} Ready=${status}${reason ? ` (${reason})` : ''}`,
    async () => {
      const t = await get(name);
      const c = ready(t);
      const current = c && c.observedGeneration === t?.metadata.generation;
      return current && c.status === status && (!reason || c.reason === reason) ? t : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

const deleteResource = (name: string) =>
  op.client.request('DELETE', kraftwerkPath(namespace, 'kafkatopics', name));

/**
 * Applies `count` KafkaTopics and deletes each one moments later (0 ms up to about a second:
 * before, during and after its create — what GitOps prunes and CI pipelines do), waits until
 * every resource is gone, then asks Kafka's own tool which of their topics it still has.
 */
async function applyAndDeleteAtOnce(
  prefix: string,
  count: number,
  spec: Partial<KafkaTopic['spec']>,
  kafka: { bootstrap: string; version?: string },
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await Promise.all(
    names.map(async (name, i) => {
      await createResource(op.client, 'kafkatopics', topic(name, spec));
      await new Promise((r) => setTimeout(r, Math.round((i * 1_100) / count)));
      await deleteResource(name);
    }),
  );
  await waitFor(
    `every ${prefix}-* resource gone`,
    async () => (await Promise.all(names.map(get))).every((t) => !t),
    { timeoutMs: 120_000 },
  );
  // The finalizer goes once Kafka's controller has committed the deletion; a broker's listing
  // shows it moments later, so a few looks (the failure names what is left).
  let left: string[] = [];
  for (let look = 0; look < 5; look++) {
    const listed = new Set(kafkaTopicNames(kafka.bootstrap, kafka.version));
    left = names.filter((n) => listed.has(n));
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return left;
}

async function topicConfig(name: string): Promise<Record<string, string>> {
  const res = await admin.describeConfigs({
    resources: [{ type: 2, name }],
    includeSynonyms: false,
  });
  const out: Record<string, string> = {};
  for (const e of res.resources[0]!.configEntries) {
    if (!e.isDefault) out[e.configName] = e.configValue;
  }
  return out;
}

async function kafkaConfigs(args: string[]): Promise<void> {
  await execFileP(join(kafkaHome(), 'bin/kafka-configs.sh'), [
    '--bootstrap-server',
    bootstrap,
    ...args,
  ]);
}

beforeAll(async () => {
  bootstrap = inject('kafkaBootstrap');
  admin = new Kafka({
    clientId: 'test-observer',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  op = await startTestOperator(inject('kubeconfig'), namespace, { resyncMs: 2_000 });
});

afterAll(async () => {
  await op?.stop();
  await admin?.disconnect();
});

describe('KafkaTopic against one Kafka broker', () => {
  it('writes a new topic twice (finalizer, status), an unchanged one never', async () => {
    const m = op.operator.metrics;
    const count = () => ({
      finalizer: m.kubeRequests.get({ method: 'PATCH', resource: 'kafkatopics', code: '200' }),
      status: m.kubeRequests.get({ method: 'PATCH', resource: 'kafkatopics/status', code: '200' }),
      refused: m.kubeRequests.get({ method: 'PATCH', resource: 'kafkatopics', code: '422' }),
      reconciles: m.reconcileTotal.get({ kind: 'kafkatopic', result: 'success' }),
      listings: m.kafkaRequests.get({ api: 'ListPartitionReassignments' }),
    });
    const before = count();
    await createResource(op.client, 'kafkatopics', topic('counted', { replicationFactor: 1 }));
    await waitFor('status.topicId', async () => (await waitReady('counted')).status?.topicId);
    const created = count();
    // Resyncs run every 2 s here: two of them over an unchanged topic.
    await new Promise((r) => setTimeout(r, 5_000));
    const after = count();
    expect(created.finalizer - before.finalizer).toBe(1);
    expect(created.status - before.status).toBe(1);
    expect(after.refused - before.refused).toBe(0);
    expect(after.reconciles - created.reconciles).toBeGreaterThanOrEqual(2);
    expect(after.finalizer - created.finalizer).toBe(0);
    expect(after.status - created.status).toBe(0);
    // Replicas as declared: no reason to ask Kafka for running reassignments.
    expect(after.listings - before.listings).toBe(0);
  });

  it('creates the topic with its partitions and config, and reports its id', async () => {
    await createResource(
      op.client,
      'kafkatopics',
      topic('orders', {
        partitions: 3,
        config: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' },
      }),
    );
    const t = await waitFor('status.topicId', async () => {
      const x = await waitReady('orders');
      return x.status?.topicId ? x : undefined;
    });
    const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    expect(t.status?.partitions).toBe(3);
    expect(t.status?.replicationFactor).toBe(1);
    // The id comes from CreateTopics' answer; Kafka's own tool must print the same.
    expect(t.status?.topicId).toBe(kafkaTopicIds(bootstrap, ['orders']).orders);
    expect(await topicConfig('orders')).toMatchObject({
      'retention.ms': '3600000',
      'cleanup.policy': 'delete',
    });
    const fin = (await get('orders'))!.metadata.finalizers;
    expect(fin).toContain('kraftwerk.dev/topic');
  });

  it('grows partitions, sets changed keys and resets removed ones', async () => {
    await mergePatch(op.client, namespace, 'kafkatopics', 'orders', {
      spec: { partitions: 5, config: { 'retention.ms': '7200000', 'cleanup.policy': null } },
    });
    await waitReady('orders');
    await waitFor('5 partitions and the new config in Kafka', async () => {
      const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
      const cfg = await topicConfig('orders');
      return (
        meta.topics[0]!.partitions.length === 5 &&
        cfg['retention.ms'] === '7200000' &&
        !('cleanup.policy' in cfg)
      );
    });
  });

  it('puts back a config changed outside and says so in an Event', async () => {
    await kafkaConfigs([
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      'orders',
      '--add-config',
      'retention.ms=1000,segment.bytes=1048576',
    ]);
    await waitFor('the drift to be corrected', async () => {
      const cfg = await topicConfig('orders');
      return cfg['retention.ms'] === '7200000' && !('segment.bytes' in cfg);
    });
    const events = await waitFor('a ConfigDriftCorrected event', async () => {
      const ev = await eventsFor(op.client, namespace, 'orders');
      return ev.some((e) => e.reason === 'ConfigDriftCorrected') ? ev : undefined;
    });
    expect(events.find((e) => e.reason === 'ConfigDriftCorrected')!.note).toContain('retention.ms');
  });

  it('recreates a topic deleted outside', async () => {
    const before = (await get('orders'))!.status!.topicId;
    await admin.deleteTopics({ topics: ['orders'] });
    const after = await waitFor('a new topic id', async () => {
      const t = await get('orders');
      return t?.status?.topicId && t.status.topicId !== before ? t : undefined;
    });
    expect(after.status?.partitions).toBe(5);
    await waitForEvent(op, 'orders', ['TopicRecreated', 'TopicReplacedOutside']);
  });

  it("reports Kafka's own message for an invalid config value, and changes nothing", async () => {
    await createResource(
      op.client,
      'kafkatopics',
      topic('bad-config', { config: { 'cleanup.policy': 'sometimes' } }),
    );
    const t = await waitReady('bad-config', 'False', 'KafkaRejected');
    expect(ready(t)!.message).toMatch(/cleanup\.policy|sometimes/);
    // Flux (kstatus) reads Stalled, not Ready: a refusal that needs a person is Stalled.
    expect(t.status?.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'KafkaRejected',
    });
    const names = await admin.listTopics();
    expect(names).not.toContain('bad-config');
  });

  it('refuses a replication factor above the broker count, and creates nothing', async () => {
    await createResource(op.client, 'kafkatopics', topic('too-safe', { replicationFactor: 3 }));
    const t = await waitReady('too-safe', 'False', 'ReplicationFactorTooHigh');
    expect(ready(t)!.message).toContain('replicationFactor 3');
    expect(await admin.listTopics()).not.toContain('too-safe');
  });

  it('lets the older of two resources naming one topic win', async () => {
    await createResource(op.client, 'kafkatopics', topic('payments', {}));
    await waitReady('payments');
    await createResource(
      op.client,
      'kafkatopics',
      topic('payments-copy', { topicName: 'payments', partitions: 4 }),
    );
    const t = await waitReady('payments-copy', 'False', 'Conflict');
    expect(ready(t)!.message).toContain(`${namespace}/payments`);
    expect(t.status?.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('True');
    const meta = await admin.fetchTopicMetadata({ topics: ['payments'] });
    expect(meta.topics[0]!.partitions).toHaveLength(1);
  });

  it('waits for a KafkaCluster that does not exist yet', async () => {
    await createResource(op.client, 'kafkatopics', {
      ...topic('later', {}),
      spec: { cluster: 'not-yet', partitions: 1, deletionPolicy: 'Delete' },
    });
    const t = await waitReady('later', 'False', 'ClusterNotFound');
    expect(ready(t)!.message).toContain('not-yet');
    // Waiting resolves by itself: Reconciling, not Stalled.
    expect(t.status?.conditions?.find((c) => c.type === 'Reconciling')?.status).toBe('True');
    expect(t.status?.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('False');
  });

  it('declares every topic config Kafka lists, at its default value, and stays quiet', async () => {
    // The input comes from Kafka, not from this repository: kafka-configs.sh --describe --all
    // of a scratch topic lists every topic config with its value. Declared back as overrides,
    // each must be accepted, end up as a per-topic config equal to the declared value, and
    // read as "no drift" on later resyncs (Kafka re-renders some values as it stores them).
    const scratch = `every-config-scratch-${process.pid}`;
    await admin.createTopics({ topics: [{ topic: scratch, numPartitions: 1 }] });
    const { stdout } = await execFileP(join(kafkaHome(), 'bin/kafka-configs.sh'), [
      '--bootstrap-server',
      bootstrap,
      '--entity-type',
      'topics',
      '--entity-name',
      scratch,
      '--describe',
      '--all',
    ]);
    await admin.deleteTopics({ topics: [scratch] });
    const all: Record<string, string> = {};
    for (const m of stdout.matchAll(/^\s+([a-z0-9.]+)=(.*?) sensitive=(true|false)/gm)) {
      if (m[3] === 'false') all[m[1]!] = m[2]!;
    }
    expect(Object.keys(all).length).toBeGreaterThan(30);

    const m = op.operator.metrics;
    await createResource(op.client, 'kafkatopics', topic('every-config', { config: all }));
    const t = await waitReady('every-config');
    expect(t.status?.topicId).toBeTruthy();
    const inKafka = await topicConfig('every-config');
    for (const [k, v] of Object.entries(all)) {
      expect(inKafka[k], `${k} as a per-topic config`).toBeDefined();
      if (inKafka[k] !== v)
        console.log(`[every-config] ${k}: declared ${v}, Kafka stores ${inKafka[k]}`);
    }
    const alters = () => m.kafkaRequests.get({ api: 'AlterConfigs' });
    const before = alters();
    // Resyncs run every 2 s here: two or more over the unchanged topic.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(alters() - before).toBe(0);
    const events = await eventsFor(op.client, namespace, 'every-config');
    expect(events.filter((e) => e.reason === 'ConfigDriftCorrected')).toEqual([]);
    console.log(
      `[every-config] ${Object.keys(all).length} topic configs declared, Ready, no drift`,
    );
  });

  it('leaves no topic behind when KafkaTopics are applied and deleted at once (3 × 10)', async () => {
    for (const round of ['flash-a', 'flash-b', 'flash-c']) {
      const left = await applyAndDeleteAtOnce(round, 10, {}, { bootstrap });
      expect(left, `topics left in Kafka after round ${round}`).toEqual([]);
    }
  });

  it('adopts a topic that already exists, says so, and holds it to the spec', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: 'existing',
          numPartitions: 2,
          configEntries: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
    });
    const id = kafkaTopicIds(bootstrap, ['existing']).existing;
    await createResource(
      op.client,
      'kafkatopics',
      topic('existing', { partitions: 2, config: { 'retention.ms': '2000' } }),
    );
    const t = await waitReady('existing');
    expect(t.status).toMatchObject({ topicId: id, origin: 'Adopted', partitions: 2 });
    // Ready=True only with Kafka holding the spec, read back by a client that is not ours.
    expect((await topicConfig('existing'))['retention.ms']).toBe('2000');
    expect((await waitForEvent(op, 'existing', 'TopicAdopted')).note).toContain(id!);
  });

  it('deletes only its own topic: one deleted and recreated outside survives', async () => {
    await createResource(op.client, 'kafkatopics', topic('replaced', {}));
    const ours = (await waitReady('replaced')).status;
    expect(ours?.origin).toBe('Created');
    // The operator is stopped while someone replaces the topic and the resource is deleted, so
    // its deletion is the first it hears of either (a resync would otherwise adopt the new one).
    await op.stop();
    kafkaTopicsCli(bootstrap, ['--delete', '--topic', 'replaced']);
    await waitFor('the name free again', async () => {
      try {
        kafkaTopicsCli(bootstrap, ['--create', '--topic', 'replaced', '--partitions', '2']);
        return true;
      } catch {
        return false;
      }
    });
    const theirs = kafkaTopicIds(bootstrap, ['replaced']).replaced;
    expect(theirs).toBeTruthy();
    expect(theirs).not.toBe(ours?.topicId);
    await deleteResource('replaced');
    op = await startTestOperator(inject('kubeconfig'), namespace, { resyncMs: 2_000 });
    await waitFor('the resource gone', async () => !(await get('replaced')));
    expect(kafkaTopicIds(bootstrap, ['replaced']).replaced).toBe(theirs);
    expect((await waitForEvent(op, 'replaced', 'TopicNotDeleted')).note).toContain(theirs!);
  });

  it('deletes the topic under deletionPolicy Delete and keeps it under Retain', async () => {
    await createResource(op.client, 'kafkatopics', topic('keep-me', { deletionPolicy: 'Retain' }));
    await createResource(op.client, 'kafkatopics', topic('drop-me', { deletionPolicy: 'Delete' }));
    await waitReady('keep-me');
    await waitReady('drop-me');
    for (const name of ['keep-me', 'drop-me']) {
      await op.client.request(
        'DELETE',
        `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkatopics/${name}`,
      );
    }
    await waitFor(
      'both resources gone',
      async () => !(await get('keep-me')) && !(await get('drop-me')),
    );
    const names = await admin.listTopics();
    expect(names).toContain('keep-me');
    expect(names).not.toContain('drop-me');
  });
});

describe('KafkaTopic against three brokers (Kafka 3.9)', () => {
  let kafka3: KafkaFixture;
  let admin3: Admin;
  beforeAll(async () => {
    kafka3 = await KafkaFixture.start({
      name: 'topics-kafka-3.9',
      version: '3.9.1',
      brokers: 3,
      controllers: 1,
    });
    admin3 = new Kafka({
      clientId: 'test-observer',
      brokers: kafka3.bootstrapServers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin3.connect();
  }, 180_000);
  afterAll(async () => {
    await admin3?.disconnect();
    await kafka3?.stop();
  });

  const on39 = (spec: Partial<KafkaTopic['spec']>): Partial<KafkaTopic['spec']> => ({
    bootstrapServers: kafka3.bootstrapServers,
    ...spec,
  });

  it('leaves no topic behind when KafkaTopics are applied and deleted at once (8)', async () => {
    const left = await applyAndDeleteAtOnce('flash-39', 8, on39({ replicationFactor: 3 }), {
      bootstrap: kafka3.bootstrapServers,
      version: '3.9.1',
    });
    expect(left).toEqual([]);
  });

  it('deletes by id: never the topic recreated under the name (the Kafka port, directly)', async () => {
    const port = new KafkaAdmin({ bootstrap: kafka3.bootstrapServers });
    try {
      const made = await port.createTopic({
        name: 'by-id',
        partitions: 1,
        replicationFactor: 1,
        config: {},
      });
      await admin3.deleteTopics({ topics: ['by-id'] });
      await waitFor('the name free again', async () =>
        admin3.createTopics({ topics: [{ topic: 'by-id' }] }).catch(() => false),
      );
      const theirs = kafkaTopicIds(kafka3.bootstrapServers, ['by-id'], '3.9.1')['by-id'];
      expect(theirs).not.toBe(made!.topicId);
      expect(await port.deleteTopicById(made!.topicId)).toBe(false); // UNKNOWN_TOPIC_ID
      expect(kafkaTopicIds(kafka3.bootstrapServers, ['by-id'], '3.9.1')['by-id']).toBe(theirs);
      expect(await port.deleteTopicById(theirs!)).toBe(true);
    } finally {
      await port.close();
    }
  });

  it('judges two resources naming one topic by the cluster, not by its address', async () => {
    await createResource(op.client, 'kafkatopics', topic('shared', on39({})));
    await waitReady('shared');
    // The same cluster through one broker's address only: another spelling, the same Kafka.
    const third = `127.0.0.1:${kafka3.brokers[2]!.port}`;
    expect(kafka3.bootstrapServers).not.toBe(third);
    await createResource(
      op.client,
      'kafkatopics',
      topic('shared-elsewhere', { bootstrapServers: third, topicName: 'shared', partitions: 4 }),
    );
    const t = await waitReady('shared-elsewhere', 'False', 'Conflict');
    expect(ready(t)!.message).toContain(`${namespace}/shared`);
    const meta = await admin3.fetchTopicMetadata({ topics: ['shared'] });
    expect(meta.topics[0]!.partitions).toHaveLength(1);
  });

  it('raises the replication factor by partition reassignment', async () => {
    await createResource(op.client, 'kafkatopics', {
      ...topic('replicated', { partitions: 4, replicationFactor: 1 }),
      spec: {
        bootstrapServers: kafka3.bootstrapServers,
        partitions: 4,
        replicationFactor: 1,
        deletionPolicy: 'Delete',
      },
    });
    await waitReady('replicated');
    await mergePatch(op.client, namespace, 'kafkatopics', 'replicated', {
      spec: { replicationFactor: 3 },
    });
    await waitFor(
      'every partition on 3 replicas, all in sync',
      async () => {
        const meta = await admin3.fetchTopicMetadata({ topics: ['replicated'] });
        return meta.topics[0]!.partitions.every(
          (p) => p.replicas.length === 3 && p.isr.length === 3,
        );
      },
      { timeoutMs: 90_000 },
    );
    const t = await waitReady('replicated');
    expect(t.status?.replicationFactor).toBe(3);
    // Leaders spread over the brokers, not piled on one.
    const meta = await admin3.fetchTopicMetadata({ topics: ['replicated'] });
    expect(new Set(meta.topics[0]!.partitions.map((p) => p.replicas[0])).size).toBeGreaterThan(1);
  });
});
