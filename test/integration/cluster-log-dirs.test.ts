// Each broker's log-directory volume, from Kafka's own DescribeLogDirs (KIP-827), against the
// real Kafka the integration tier starts (one combined node, id 1, its log dir on this
// machine's disk), and the operator's gauges from it. The operator runs in-process against
// the real kube-apiserver; no kubelet runs here, so the test writes the pods' status standing
// in for it (test/fixtures/stand-in-kubelet.ts), and the operator's bootstrap for the cluster
// points at the shared Kafka.
import { statfsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaCluster } from '../../operator/src/api/kafka-cluster.ts';
import { KafkaClusterAdmin } from '../../operator/src/kafka/cluster-admin.ts';
import type { LogDirInfo } from '../../operator/src/kafka/cluster-port.ts';
import { createOperator, type Operator } from '../../operator/src/operator.ts';
import { loadKubeConfig, type KubeClient } from '../../operator/src/runtime/kube-client.ts';
import { silentLogger } from '../../operator/src/runtime/logger.ts';
import type { KubeObject } from '../../operator/src/runtime/resource.ts';
import { createResource, getResource, kraftwerkPath } from '../fixtures/operator.ts';
import { waitFor } from '../fixtures/process.ts';
import { markPodReady } from '../fixtures/stand-in-kubelet.ts';

const ns = `log-dirs-${process.pid}`;

describe('log directories of the shared Kafka', () => {
  let admin: KafkaClusterAdmin;
  let dir: LogDirInfo;

  beforeAll(async () => {
    admin = new KafkaClusterAdmin({ bootstrap: inject('kafkaBootstrap') });
    const dirs = await admin.describeLogDirs();
    expect(Object.keys(dirs)).toEqual(['1']);
    const broker = dirs[1]!;
    if ('error' in broker) throw new Error(`broker 1 did not answer: ${broker.error}`);
    expect(broker.logDirs).toHaveLength(1);
    dir = broker.logDirs[0]!;
  });

  afterAll(async () => {
    await admin?.close();
  });

  it('describeLogDirs gives the volume the broker writes to: its size, and less usable', () => {
    expect(dir.error).toBeUndefined();
    expect(dir.path).toMatch(/^\/.*data$/);
    expect(dir.usableBytes).toBeGreaterThan(0);
    expect(dir.totalBytes).toBeGreaterThan(dir.usableBytes);
    // The same volume statfs(2) sees here (Java's FileStore.getTotalSpace: blocks × fragment).
    const fs = statfsSync(dir.path);
    expect(dir.totalBytes).toBe(fs.blocks * fs.bsize);
    // One brokers-only Metadata and one DescribeLogDirs for the one broker.
    expect(admin.requests.get('Metadata')).toBe(1);
    expect(admin.requests.get('DescribeLogDirs')).toBe(1);
  });

  describe('the operator', () => {
    let operator: Operator;
    let client: KubeClient;

    beforeAll(async () => {
      operator = createOperator({
        kubeConfig: loadKubeConfig(inject('kubeconfig')),
        logger: silentLogger,
        namespaces: [ns],
        resyncMs: 2_000,
        identity: `test-${ns}`,
        httpPort: 0,
        clusterBootstrap: () => inject('kafkaBootstrap'),
      });
      client = operator.client;
      await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
      await operator.start();
    });

    afterAll(async () => {
      await operator?.stop();
    });

    it('exports them as gauges after a reconcile, and drops them with the cluster', async () => {
      const scrape = async () => {
        const res = await fetch(`http://127.0.0.1:${operator.manager.healthPort()}/metrics`);
        return (await res.text())
          .split('\n')
          .filter((l) => l.startsWith('kraftwerk_kafka_log_dir_'));
      };
      // Two combined nodes (ids 0 and 1); the real Kafka is node 1 and answers for itself.
      await createResource(client, 'kafkaclusters', {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaCluster',
        metadata: { name: 'disks', namespace: ns },
        spec: {
          version: '4.1.1',
          brokers: { replicas: 2, storage: { type: 'ephemeral' } },
          listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
          config: { 'default.replication.factor': '1', 'min.insync.replicas': '1' },
        },
      } as KafkaCluster);
      try {
        const pods = await waitFor('two pods', async () => {
          const list = await client.request<{ items: KubeObject[] }>(
            'GET',
            `/api/v1/namespaces/${ns}/pods`,
          );
          return list.items.length === 2 ? list.items : undefined;
        });
        // Standing in for the kubelet: the pods run and are ready, so the operator asks Kafka.
        for (const p of pods) {
          await markPodReady(client, ns, p.metadata!.name!, { image: 'apache/kafka:4.1.1' });
        }
        const labels = `{namespace="${ns}",cluster="disks",node_id="1",log_dir="${dir.path}"}`;
        const series = await waitFor('the log-dir gauges', async () => {
          const s = await scrape();
          return s.length === 2 ? s : undefined;
        });
        const value = (name: string) =>
          Number(series.find((l) => l.startsWith(`${name}${labels} `))?.split(' ')[1]);
        expect(value('kraftwerk_kafka_log_dir_total_bytes')).toBe(dir.totalBytes);
        const usable = value('kraftwerk_kafka_log_dir_usable_bytes');
        expect(usable).toBeGreaterThan(0);
        expect(usable).toBeLessThan(dir.totalBytes);
      } finally {
        await client.request('DELETE', kraftwerkPath(ns, 'kafkaclusters', 'disks'));
      }
      await waitFor(
        'the cluster gone',
        async () => !(await getResource<KafkaCluster>(client, ns, 'kafkaclusters', 'disks')),
        { timeoutMs: 15_000 },
      );
      expect(await scrape()).toEqual([]);
    });
  });
});
