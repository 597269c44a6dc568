// Scenario 8 (beyond the six): a version upgrade. A one-node combined-mode
// KafkaCluster on the toolchain's older Kafka (3.9.1) is moved to the example's version by
// changing spec.version: the node restarts on the new image, and only then is metadata.version
// raised, read back with Kafka's own kafka-features.sh; what was written before is still there.
import { describe, expect, inject, it } from 'vitest';
import {
  apply,
  deleteAndWait,
  e2e,
  get,
  kube,
  oneNodeCluster,
  paths,
  runInCluster,
  seconds,
  waitFor,
  waitReady,
} from './lib.ts';

const name = 'upgrade';
const bootstrap = `${name}-kafka-bootstrap.${e2e.namespace}.svc:9092`;
const from = inject('e2eUpgradeFrom');

const cluster = (version: string) =>
  oneNodeCluster(name, version, { type: 'persistent-claim', size: '1Gi', deleteClaim: true });

/** metadata.version's finalized level as kafka-features.sh (in a pod, new tools) reports it. */
async function metadataVersion(): Promise<string> {
  const out = await runInCluster(
    'e2e-features',
    `/opt/kafka/bin/kafka-features.sh --bootstrap-server ${bootstrap} describe 2>/dev/null`,
  );
  const line = out.split('\n').find((l) => /Feature:\s*metadata\.version/.test(l)) ?? '';
  return /FinalizedVersionLevel:\s*(\S+)/.exec(line)?.[1] ?? `unparsed: ${out}`;
}

describe('version upgrade', () => {
  it(`${from} → ${e2e.kafkaImage.split(':')[1]}: restart on the new image, then metadata.version`, async () => {
    const to = e2e.kafkaImage.split(':')[1]!;
    const path = paths.cluster(name);
    try {
      await apply(path, cluster(from));
      await waitReady(path, 8 * 60_000);
      const before = await metadataVersion();
      expect(before.startsWith(from.split('.').slice(0, 2).join('.'))).toBe(true);
      await runInCluster(
        'e2e-upgrade-producer',
        `seq 1 100 | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server ${bootstrap} ` +
          `--topic before-upgrade --producer-property acks=all`,
      );

      const started = Date.now();
      await apply(path, cluster(to));
      await waitReady(path, 8 * 60_000);
      const minor = to.split('.').slice(0, 2).join('.');
      // The operator raises metadata.version only after the node runs the new version.
      const status = await waitFor(
        `status.metadataVersion ${minor}-*`,
        async () => {
          const s = (await get(path)).status as { kafkaVersion?: string; metadataVersion?: string };
          return s.metadataVersion?.startsWith(minor) ? s : undefined;
        },
        { timeoutMs: 5 * 60_000, intervalMs: 2000 },
      );
      const upgradedMs = Date.now() - started;
      expect(status.kafkaVersion).toBe(to);
      const pod = await kube.request<{ spec: { containers: { image: string }[] } }>(
        'GET',
        `/api/v1/namespaces/${e2e.namespace}/pods/${name}-kafka-0`,
      );
      expect(pod.spec.containers[0]!.image).toBe(`apache/kafka:${to}`);
      const after = await metadataVersion();
      expect(after).toBe(status.metadataVersion);
      const read = await runInCluster(
        'e2e-upgrade-consumer',
        `/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server ${bootstrap} ` +
          `--topic before-upgrade --from-beginning --max-messages 100 --timeout-ms 60000 2>/dev/null`,
      );
      expect(
        read
          .split('\n')
          .filter(Boolean)
          .map(Number)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      console.log(
        `upgrade ${from} → ${to}: ${seconds(upgradedMs)}; metadata.version ${before} → ${after}`,
      );
    } finally {
      await deleteAndWait(path, 180_000);
    }
  });
});
