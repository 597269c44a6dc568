// Scenario 7 (beyond the six): the KRaft quorum itself scales, 3 → 4 → 3 controllers,
// through the dynamic quorum (KIP-853): the new controller joins as an observer and is added as
// a voter, then removed as a voter before its pod goes. Read back with Kafka's own
// kafka-metadata-quorum.sh, while a producer writes without losing anything.
import { describe, expect, it } from 'vitest';
import {
  editCluster,
  consumeAll,
  e2e,
  get,
  kafkaTool,
  listPods,
  paths,
  podReady,
  seconds,
  SteadyProducer,
  topic,
  waitFor,
  waitReady,
} from './lib.ts';

/** The voter ids kafka-metadata-quorum.sh reports (`CurrentVoters: [{"id": 0, ...}, ...]`). */
async function voters(): Promise<number[]> {
  const out = await kafkaTool('kafka-metadata-quorum.sh', ['describe', '--status']);
  const line = out.split('\n').find((l) => l.startsWith('CurrentVoters:')) ?? '';
  return [...line.matchAll(/"id":\s*(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

async function scaleControllers(replicas: number): Promise<number> {
  const started = Date.now();
  await editCluster({ controllers: { replicas } }, 'kraftwerk-e2e-controllers');
  const want = Array.from({ length: replicas }, (_, i) => i);
  await waitFor(
    `${replicas} voters, ${replicas} controller pods Ready`,
    async () => {
      const pods = await listPods(
        `kraftwerk.dev/cluster=${e2e.cluster},kraftwerk.dev/role=controller`,
      );
      const ready = pods.filter(podReady);
      if (pods.length !== replicas || ready.length !== replicas) return false;
      return JSON.stringify(await voters()) === JSON.stringify(want);
    },
    { timeoutMs: 10 * 60_000, intervalMs: 3000 },
  );
  await waitReady(paths.cluster(), 10 * 60_000);
  return Date.now() - started;
}

describe('controller quorum scaling', () => {
  it('3 → 4 → 3 voters, with the producer losing nothing', async () => {
    expect(await voters()).toEqual([0, 1, 2]);
    const name = 'e2e-quorum';
    await topic(name, {
      partitions: 3,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    });
    const producer = new SteadyProducer(name, 100);
    await waitFor('200 messages acknowledged', async () => producer.acked() >= 200, {
      timeoutMs: 60_000,
    });
    const upMs = await scaleControllers(4);
    const status = (await get(paths.cluster())).status as { controllers?: { nodeIds?: number[] } };
    expect(status.controllers?.nodeIds).toEqual([0, 1, 2, 3]);
    const downMs = await scaleControllers(3);
    const { acked, summary } = await producer.stop();
    const consumed = new Set(await consumeAll(name));
    expect(acked.filter((v) => !consumed.has(v))).toEqual([]);
    console.log(
      `controllers 3 → 4: ${seconds(upMs)}; 4 → 3: ${seconds(downMs)}; producer: ${summary}`,
    );
  });
});
