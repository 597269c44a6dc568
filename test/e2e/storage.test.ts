// Scenario 9: volume expansion. A one-node combined KafkaCluster on a StorageClass that allows
// expansion (kind's own local-path provisioner binds the claim for the real pod) grows its
// storage.size: the operator raises the bound claim's request, the API server's resize
// admission accepts it, and the running pod is not restarted for it. Shrinking is refused at
// admission with the schema's message. (local-path has no resizer, so the volume's capacity
// itself stays: what a CSI driver does with the request is the driver's part.)
import { describe, expect, it } from 'vitest';
import {
  apply,
  deleteAndWait,
  e2e,
  get,
  ignoreNotFound,
  kube,
  oneNodeCluster,
  runInCluster,
  seconds,
  waitFor,
  waitReady,
  paths,
} from './lib.ts';

const name = 'grow';
const storageClass = 'kraftwerk-e2e-expandable';
const bootstrap = `${name}-kafka-bootstrap.${e2e.namespace}.svc:9092`;
const claimPath = `/api/v1/namespaces/${e2e.namespace}/persistentvolumeclaims/data-${name}-kafka-0`;
const podPath = `/api/v1/namespaces/${e2e.namespace}/pods/${name}-kafka-0`;

const cluster = (size: string) =>
  oneNodeCluster(name, e2e.kafkaImage.split(':')[1]!, {
    type: 'persistent-claim',
    size,
    storageClassName: storageClass,
    deleteClaim: true,
  });

interface Claim {
  spec: { resources: { requests: { storage: string } }; volumeName?: string };
  status: { phase?: string; capacity?: { storage?: string }; conditions?: { type: string }[] };
}
interface Pod {
  metadata: { uid: string };
  status: { containerStatuses?: { restartCount: number }[] };
}

describe('volume expansion', () => {
  it('grows the bound claim of a running node without restarting it; a shrink is refused', async () => {
    const path = paths.cluster(name);
    await kube
      .request('DELETE', `/apis/storage.k8s.io/v1/storageclasses/${storageClass}`)
      .catch(ignoreNotFound);
    await kube.request('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: storageClass },
        provisioner: 'rancher.io/local-path',
        volumeBindingMode: 'WaitForFirstConsumer',
        reclaimPolicy: 'Delete',
        allowVolumeExpansion: true,
      },
    });
    try {
      await apply(path, cluster('1Gi'));
      await waitReady(path, 8 * 60_000);
      const before = await kube.request<Claim>('GET', claimPath);
      expect(before.status.phase).toBe('Bound');
      expect(before.spec.resources.requests.storage).toBe('1Gi');
      const pod = await kube.request<Pod>('GET', podPath);
      await runInCluster(
        'e2e-grow-producer',
        `seq 1 100 | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server ${bootstrap} ` +
          `--topic before-growth --producer-property acks=all`,
      );

      const started = Date.now();
      await apply(path, cluster('3Gi'));
      const grown = await waitFor(
        'the claim asking for 3Gi',
        async () => {
          const c = await kube.request<Claim>('GET', claimPath);
          return c.spec.resources.requests.storage === '3Gi' ? c : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      const grownMs = Date.now() - started;
      await waitReady(path, 120_000);
      // Same pod, never restarted: growing a volume is not a reason to roll.
      const after = await kube.request<Pod>('GET', podPath);
      expect(after.metadata.uid).toBe(pod.metadata.uid);
      expect(after.status.containerStatuses?.[0]?.restartCount).toBe(
        pod.status.containerStatuses?.[0]?.restartCount,
      );
      expect(grown.spec.volumeName).toBe(before.spec.volumeName);

      // The schema refuses a shrink before anything is touched.
      await expect(apply(path, cluster('2Gi'))).rejects.toThrow(/storage.size may not shrink/);
      expect((await kube.request<Claim>('GET', claimPath)).spec.resources.requests.storage).toBe(
        '3Gi',
      );
      const read = await runInCluster(
        'e2e-grow-consumer',
        `/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server ${bootstrap} ` +
          `--topic before-growth --from-beginning --max-messages 100 --timeout-ms 60000 2>/dev/null`,
      );
      expect(read.split('\n').filter(Boolean).length).toBe(100);
      const status = (await get(path)).status as { observedGeneration?: number };
      console.log(
        `volume expansion: claim 1Gi → 3Gi ${seconds(grownMs)} after the spec change; pod kept; ` +
          `claim capacity ${grown.status.capacity?.storage ?? '?'} (local-path has no resizer), ` +
          `conditions [${(grown.status.conditions ?? []).map((c) => c.type).join(', ')}]; ` +
          `observedGeneration ${status.observedGeneration}`,
      );
    } finally {
      await deleteAndWait(path, 180_000);
      await kube
        .request('DELETE', `/apis/storage.k8s.io/v1/storageclasses/${storageClass}`)
        .catch(ignoreNotFound);
    }
  });
});
