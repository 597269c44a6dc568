// Proves the Kafka fixture is the real thing, on both supported major versions: kafkajs
// creates a topic, produces, consumes and commits; committed offsets and lag are read back;
// and an independent client (kcat, librdkafka) sees the same topic and messages.
import { execFileSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaFixture } from '../fixtures/kafka.ts';
import { waitFor } from '../fixtures/process.ts';

interface Target {
  version: string;
  bootstrap: string;
}

const own: KafkaFixture[] = [];
const targets: Target[] = [];

beforeAll(async () => {
  targets.push({ version: inject('kafkaVersion'), bootstrap: inject('kafkaBootstrap') });
  // The shared fixture runs the default version; the other major gets its own node here.
  const k39 = await KafkaFixture.start({ name: 'smoke-kafka-3.9', version: '3.9.1' });
  own.push(k39);
  targets.push({ version: k39.version, bootstrap: k39.bootstrapServers });
});

afterAll(async () => {
  await Promise.all(own.map((k) => k.stop()));
});

function kcatJson(args: string[]): unknown {
  return JSON.parse(execFileSync('kcat', args, { encoding: 'utf8', timeout: 30_000 }));
}

describe.each(['4.1.1', '3.9.1'])('Kafka %s', (version) => {
  const target = (): Target => {
    const t = targets.find((x) => x.version === version);
    if (!t) throw new Error(`no Kafka ${version} fixture`);
    return t;
  };

  it('creates a topic, produces, consumes, and reports committed offsets and lag', async () => {
    const { bootstrap } = target();
    const kafka = new Kafka({
      clientId: 'smoke',
      brokers: bootstrap.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `smoke-${version.replace(/\./g, '-')}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: `m${i}` }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    // Consume exactly 10 messages, commit, and stop: the group then lags by 20.
    const groupId = `smoke-group-${version}`;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        if (seen.length >= 10) return;
        seen.push(message.value!.toString());
        await consumer.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    await waitFor('10 consumed messages', async () => seen.length >= 10, { timeoutMs: 60_000 });
    await consumer.disconnect();

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    const committedTotal = committed[0]!.partitions.reduce(
      (s, p) => s + Math.max(0, Number(p.offset)),
      0,
    );
    const endTotal = ends.reduce((s, p) => s + Number(p.high), 0);
    expect(endTotal).toBe(30);
    expect(committedTotal).toBeGreaterThanOrEqual(10);
    expect(endTotal - committedTotal).toBeLessThanOrEqual(20);
    expect(endTotal - committedTotal).toBeGreaterThan(0);
    await admin.disconnect();

    // An independent client agrees on the topic and reads every message.
    const meta = kcatJson(['-b', bootstrap, '-L', '-J', '-t', topic]) as {
      topics: { topic: string; partitions: unknown[] }[];
    };
    expect(meta.topics[0]!.topic).toBe(topic);
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    const consumed = execFileSync(
      'kcat',
      ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    )
      .trim()
      .split('\n');
    expect(consumed.sort()).toEqual(messages.map((m) => m.value).sort());
  });
});
