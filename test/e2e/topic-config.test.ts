// Scenario 2: a KafkaTopic appears in Kafka with exactly its declared partitions, replication
// factor and config, read back with Kafka's own kafka-configs.sh and kcat; a change to the
// spec (a value changed, a key removed) is carried out the same way.
import { describe, expect, it } from 'vitest';
import { kafkaTool, metadata, topic } from './lib.ts';

/** The topic-level overrides Kafka reports (DYNAMIC_TOPIC_CONFIG), as key → value. */
async function overrides(name: string): Promise<Record<string, string>> {
  const out = await kafkaTool('kafka-configs.sh', [
    '--describe',
    '--entity-type',
    'topics',
    '--entity-name',
    name,
  ]);
  const result: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^\s+([a-z0-9.]+)=(\S*) sensitive=\w+ synonyms=\{DYNAMIC_TOPIC_CONFIG:/.exec(line);
    if (m) result[m[1]!] = m[2]!;
  }
  return result;
}

describe('KafkaTopic in Kafka', () => {
  it('has exactly the declared partitions, replicas and config, and follows spec changes', async () => {
    const name = 'e2e-config';
    const declared = {
      'cleanup.policy': 'compact',
      'max.message.bytes': '2097152',
      'min.insync.replicas': '2',
      'retention.ms': '3600000',
    };
    await topic(name, { partitions: 4, replicationFactor: 3, config: declared });
    expect(await overrides(name)).toEqual(declared);
    const md = await metadata(name);
    const t = md.topics.find((x) => x.topic === name)!;
    expect(t.partitions).toHaveLength(4);
    expect(t.partitions.every((p) => p.replicas.length === 3)).toBe(true);

    const changed = {
      'cleanup.policy': 'delete',
      'min.insync.replicas': '2',
      'retention.ms': '7200000',
    };
    await topic(name, { partitions: 6, replicationFactor: 3, config: changed });
    expect(await overrides(name)).toEqual(changed);
    const grown = (await metadata(name)).topics.find((x) => x.topic === name)!;
    expect(grown.partitions).toHaveLength(6);
  });
});
