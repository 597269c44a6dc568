// Scenario 5: brokers scale 3 → 4 → 3 through the scale subresource (`kubectl scale`). The new
// broker joins and takes replicas of a new topic; on the way down its partitions are moved to
// the remaining brokers before it is removed, while a producer keeps writing: nothing lost,
// every partition keeps three in-sync replicas.
import { afterAll, describe, expect, it } from 'vitest';
import {
  consumeAll,
  e2e,
  get,
  kubectl,
  metadata,
  paths,
  type Resource,
  seconds,
  SteadyProducer,
  topic,
  waitFor,
  waitReady,
} from './lib.ts';

interface ClusterStatus {
  brokers?: { replicas?: number; readyReplicas?: number; nodeIds?: number[] };
}

async function scaleTo(replicas: number): Promise<number> {
  const started = Date.now();
  await kubectl(
    '-n',
    e2e.namespace,
    'scale',
    `kafkacluster/${e2e.cluster}`,
    `--replicas=${replicas}`,
  );
  await waitFor(
    `${replicas} brokers in metadata, the cluster Ready`,
    async () => {
      const c = await get(paths.cluster());
      const s = c.status as ClusterStatus | undefined;
      if (s?.brokers?.replicas !== replicas || s.brokers.readyReplicas !== replicas) return false;
      return (await metadata()).brokers.length === replicas;
    },
    { timeoutMs: 15 * 60_000, intervalMs: 2000 },
  );
  await waitReady(paths.cluster(), 10 * 60_000);
  return Date.now() - started;
}

describe('broker scale-up and drained scale-down', () => {
  let producer: SteadyProducer | undefined;
  // A failed step must not hand the next scenario a producer still writing or four brokers.
  afterAll(async () => {
    await producer?.stop().catch(() => undefined); // its failure was the scenario's to report
    const c = await get<Resource & { spec: { brokers: { replicas: number } } }>(paths.cluster());
    if (c.spec.brokers.replicas !== 3) await scaleTo(3);
  });

  it('3 → 4 → 3 with no acknowledged message lost', async () => {
    const upMs = await scaleTo(4);
    const joined = (await metadata()).brokers.find((b) => b.name === 'localhost:30095');
    expect(joined, 'the fourth broker advertises the fourth NodePort').toBeDefined();

    const name = 'e2e-scale';
    await topic(name, {
      partitions: 8,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    });
    const before = (await metadata(name)).topics[0]!;
    const onLeaving = before.partitions.filter((p) => p.replicas.some((r) => r.id === joined!.id));
    // Otherwise the drain would have nothing to do and the test would prove nothing.
    expect(onLeaving.length).toBeGreaterThan(0);

    const writer = new SteadyProducer(name, 100);
    producer = writer;
    await waitFor('200 messages acknowledged', async () => writer.acked() >= 200, {
      timeoutMs: 60_000,
    });
    const downMs = await scaleTo(3);
    await waitFor(
      `pod ${e2e.cluster}-broker-3 gone`,
      async () =>
        (await kubectl('-n', e2e.namespace, 'get', 'pods', '-o', 'name')).includes(
          `${e2e.cluster}-broker-3`,
        )
          ? false
          : true,
      { timeoutMs: 5 * 60_000, intervalMs: 2000 },
    );
    const { acked, summary } = await writer.stop();
    producer = undefined;

    const md = await metadata();
    expect(md.brokers.map((b) => b.id)).not.toContain(joined!.id);
    // In sync, not merely assigned: a moved replica counts once it has caught up.
    const after = await waitFor(
      'every partition with three in-sync replicas on the remaining brokers',
      async () => {
        const t = (await metadata(name)).topics[0]!;
        return t.partitions.every((p) => p.isrs.length === 3) ? t : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    for (const p of after.partitions) {
      expect(p.replicas.map((r) => r.id)).not.toContain(joined!.id);
      expect(p.isrs.map((r) => r.id)).not.toContain(joined!.id);
      expect(p.isrs).toHaveLength(3);
    }
    const consumed = new Set(await consumeAll(name));
    expect(acked.filter((v) => !consumed.has(v))).toEqual([]);
    console.log(
      `scale 3 → 4: ${seconds(upMs)}; 4 → 3 with ${onLeaving.length} of 8 partitions drained ` +
        `off broker ${joined!.id}: ${seconds(downMs)}; producer: ${summary}`,
    );
  });
});
