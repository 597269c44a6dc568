// Scenario 3: a KafkaConsumerGroup scales real consumer pods (Kafka's console consumer doing
// slow work) on lag: a backlog wakes the group from zero and scales it up — never past the
// partition count — and once drained it scales back to zero. The group's offsets are read
// back with Kafka's own kafka-consumer-groups.sh.
import { describe, expect, it } from 'vitest';
import {
  apply,
  e2e,
  inClusterBootstrap,
  get,
  kafkaTool,
  kcat,
  paths,
  seconds,
  topic,
  waitFor,
  waitReady,
} from './lib.ts';

const name = 'e2e-consumer';
const topicName = 'e2e-orders';
const group = 'e2e-processor';
const partitions = 6;

const replicasOf = async () =>
  (await get<{ spec: { replicas?: number } }>(paths.deployment(name))).spec.replicas ?? 1;

describe('lag autoscaling with real consumers', () => {
  it('scales up on a backlog, capped at the partitions, and back to zero when drained', async () => {
    await topic(topicName, { partitions, replicationFactor: 3 });
    await apply(paths.deployment(name), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { app: name } },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 5,
            containers: [
              {
                name: 'consumer',
                image: e2e.kafkaImage,
                imagePullPolicy: 'IfNotPresent',
                command: ['bash', '-o', 'pipefail', '-c'],
                // About 100 messages a second per replica: slow enough for a backlog.
                args: [
                  `/opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server ${inClusterBootstrap} ` +
                    `--topic ${topicName} --group ${group} --consumer-property auto.offset.reset=earliest ` +
                    `| while read -r _; do sleep 0.01; done`,
                ],
                env: [
                  { name: 'KAFKA_HEAP_OPTS', value: '-Xmx96m' },
                  { name: 'LOG_DIR', value: '/tmp' },
                ],
                resources: { requests: { cpu: '10m', memory: '160Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    });
    await apply(paths.group(name), {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaConsumerGroup',
      metadata: { name },
      spec: {
        cluster: e2e.cluster,
        groupId: group,
        topics: [topicName],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: 0,
        maxReplicas: 12,
        lagThreshold: 500,
        activationLagThreshold: 10,
        pollIntervalSeconds: 2,
        scaleUp: { dwellSeconds: 20, rebalanceSeconds: 10 },
        scaleDown: { stabilizationSeconds: 20, maxStepPercent: 100 },
        offsetResetPolicy: 'earliest',
      },
    });
    await waitReady(paths.group(name), 180_000);
    await waitFor('an idle group scaled to zero', async () => (await replicasOf()) === 0, {
      timeoutMs: 120_000,
      intervalMs: 1000,
    });

    // 20,000 keyed messages, spread over the 6 partitions by key (unkeyed, librdkafka's sticky
    // partitioner put 98% of a burst in one partition, which one consumer drains alone — and
    // the group rightly scales to the partitions that have lag). By lagThreshold 40 replicas
    // are wanted, even from a reading taken halfway through the burst; 6 partitions cap it.
    const burst = Array.from({ length: 20_000 }, (_, i) => `k${i}:order-${i}`).join('\n') + '\n';
    const started = Date.now();
    await kcat(['-P', '-t', topicName, '-K', ':', '-X', 'acks=all'], burst);
    let most = 0;
    // What the group and the Deployment did, for the failure message.
    const history: string[] = [];
    const watch = setInterval(() => {
      Promise.all([replicasOf(), get(paths.group(name))]).then(
        ([r, g]) => {
          most = Math.max(most, r);
          const s = g.status as { lag?: { total?: number }; desiredReplicas?: number } | undefined;
          const ready = g.status?.conditions?.find((c) => c.type === 'Ready');
          history.push(
            `+${seconds(Date.now() - started)} replicas ${r} desired ${s?.desiredReplicas} lag ${s?.lag?.total} ${ready?.reason ?? ''}: ${ready?.message ?? ''}`,
          );
        },
        () => undefined,
      );
    }, 1000);
    try {
      const upAfter = await waitFor(
        'scaled up to the partition count',
        async () => ((await replicasOf()) === partitions ? Date.now() - started : undefined),
        { timeoutMs: 120_000, intervalMs: 1000 },
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${history.slice(-40).join('\n')}`, { cause: e });
      });
      const downAfter = await waitFor(
        'drained and back to zero',
        async () => ((await replicasOf()) === 0 ? Date.now() - started : undefined),
        { timeoutMs: 8 * 60_000, intervalMs: 2000 },
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${history.slice(-40).join('\n')}`, { cause: e });
      });
      console.log(
        `autoscale: 0 → ${partitions} replicas after ${seconds(upAfter)}, back to 0 after ${seconds(downAfter)}`,
      );
    } finally {
      clearInterval(watch);
    }
    expect(most).toBe(partitions);

    const described = await kafkaTool('kafka-consumer-groups.sh', ['--describe', '--group', group]);
    const rows = described
      .split('\n')
      .filter((l) => l.trim().startsWith(group))
      .map((l) => l.trim().split(/\s+/));
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
    expect(rows).toHaveLength(partitions);
    expect(rows.every((r) => r[3] === r[4] && r[5] === '0')).toBe(true);
  });
});
