// Scenario 1: the KafkaCluster is Ready (global setup) and clients reach it from inside the
// cluster (Kafka's console tools in a pod, through the bootstrap Service) and from the host
// (kcat through the NodePort listener); each reads what the other wrote.
import { describe, expect, it } from 'vitest';
import { consumeAll, inClusterBootstrap, kcat, metadata, runInCluster, topic } from './lib.ts';

describe('clients inside and outside the cluster', () => {
  it('lists every broker with its advertised host address', async () => {
    const md = await metadata();
    expect(md.brokers.map((b) => b.name).sort()).toEqual([
      'localhost:30092',
      'localhost:30093',
      'localhost:30094',
    ]);
  });

  it('a host producer and an in-cluster consumer, then the other way round', async () => {
    const name = 'e2e-clients';
    await topic(name, { partitions: 3, replicationFactor: 3 });

    const fromHost = Array.from({ length: 200 }, (_, i) => `host-${i}`);
    await kcat(['-P', '-t', name, '-X', 'acks=all'], fromHost.join('\n') + '\n');
    const readInside = await runInCluster(
      'e2e-consumer',
      `/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server ${inClusterBootstrap} ` +
        `--topic ${name} --from-beginning --max-messages 200 --timeout-ms 60000 2>/dev/null`,
    );
    expect(
      readInside
        .split('\n')
        .filter((l) => l.startsWith('host-'))
        .sort(),
    ).toEqual([...fromHost].sort());

    await runInCluster(
      'e2e-producer',
      `seq 0 199 | sed 's/^/pod-/' | /opt/kafka/bin/kafka-console-producer.sh ` +
        `--bootstrap-server ${inClusterBootstrap} --topic ${name} --producer-property acks=all`,
    );
    const all = await consumeAll(name);
    expect(all.filter((v) => v.startsWith('pod-')).sort()).toEqual(
      Array.from({ length: 200 }, (_, i) => `pod-${i}`).sort(),
    );
    expect(all).toHaveLength(400);
  });
});
