// Scenario 13: Kafka's own metrics, the shipped alert rules and the operator's metrics in one
// real Prometheus (Debian's, in the kind cluster: hack/e2e/monitoring.sh). Every Kafka metric
// the rules use is scraped from the e2e cluster's pods; a broker stopped (SIGSTOP on its node)
// makes KafkaUnderReplicatedPartitions fire and, once it runs again, clear; a consumer group's
// lag and the operator's scaling decision show in the same Prometheus.
//
// The one change to the shipped rules: KafkaUnderReplicatedPartitions' `for:` is shortened so
// the scenario takes seconds, not 15 minutes (promtool's tests in deploy/prometheus/tests/
// cover `for:` itself). The expression is the shipped one.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load, dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apply,
  e2e,
  get,
  kcat,
  kube,
  paths,
  seconds,
  topic,
  waitFor,
  waitReady,
  deleteAndWait,
  ignoreNotFound,
} from './lib.ts';
import { kafkaPods, signalPodProcess } from './nodes.ts';

const run = promisify(execFile);
const RULES = join(import.meta.dirname, '../../deploy/prometheus/kraftwerk-kafka-rules.yaml');
const SHORT_FOR = '20s';
const URP = 'KafkaUnderReplicatedPartitions';

interface RuleFile {
  groups: {
    name: string;
    rules: { alert?: string; record?: string; expr: string; for?: string }[];
  }[];
}
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through the API server's service proxy (no port-forward to leak). */
async function query(promql: string): Promise<Sample[]> {
  const path =
    '/api/v1/namespaces/kraftwerk-monitoring/services/prometheus:web/proxy/api/v1/query' +
    `?query=${encodeURIComponent(promql)}`;
  const r = await kube.request<{ status: string; data: { result: Sample[] }; error?: string }>(
    'GET',
    path,
  );
  if (r.status !== 'success') throw new Error(`${promql}: ${r.error ?? r.status}`);
  return r.data.result;
}

const alertState = async (name: string) =>
  (
    await query(
      `ALERTS{alertname="${name}",namespace="${e2e.namespace}",kraftwerk_dev_cluster="${e2e.cluster}"}`,
    )
  ).map((s) => s.metric.alertstate);

let paused: { node: string; pod: string } | undefined;
const groupName = 'e2e-monitored';
const groupTopic = 'e2e-monitored';

beforeAll(async () => {
  const rules = load(readFileSync(RULES, 'utf8')) as RuleFile;
  const urp = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === URP);
  if (!urp) throw new Error(`${RULES} has no ${URP} rule`);
  urp.for = SHORT_FOR;
  const file = join(mkdtempSync(join(tmpdir(), 'kraftwerk-rules-')), 'rules.yaml');
  writeFileSync(file, dump(rules));
  const { stdout } = await run(
    'bash',
    [join(import.meta.dirname, '../../hack/e2e/monitoring.sh'), file],
    {
      env: { ...process.env, KIND_KUBECONFIG: e2e.kubeconfig },
      maxBuffer: 16 << 20,
    },
  );
  console.log(`prometheus in namespace ${stdout.trim().split('\n').at(-1)}`);
});

afterAll(async () => {
  // Never leave a broker stopped for the scenarios after this one.
  if (paused) await signalPodProcess(paused.node, paused.pod, 'kafka.Kafka', 'CONT');
  await deleteAndWait(paths.group(groupName)).catch(ignoreNotFound);
  await deleteAndWait(paths.deployment(groupName)).catch(ignoreNotFound);
});

describe('monitoring with a real Prometheus', () => {
  it('scrapes every Kafka pod, every Kafka metric the alert rules use, and the operator', async () => {
    const pods = (await kafkaPods()).map((p) => p.metadata.name);
    const up = await waitFor(
      `every pod of ${e2e.cluster} scraped and up`,
      async () => {
        // Other scenarios' one-node clusters may share the namespace: this cluster's pods only.
        const s = await query(
          `up{job="kafka",namespace="${e2e.namespace}",kraftwerk_dev_cluster="${e2e.cluster}"} == 1`,
        );
        const scraped = s.map((x) => x.metric.pod);
        return pods.every((p) => scraped.includes(p)) ? scraped : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    expect(up.length).toBe(pods.length);

    const rules = load(readFileSync(RULES, 'utf8')) as RuleFile;
    const used = new Set(
      rules.groups
        .flatMap((g) => g.rules)
        .flatMap((r) => [...r.expr.matchAll(/\bkafka_[a-z0-9_]+/g)].map((m) => m[0])),
    );
    const missing: string[] = [];
    for (const name of used) {
      if ((await query(`count(${name}{namespace="${e2e.namespace}"})`)).length === 0)
        missing.push(name);
    }
    expect(missing, 'Kafka metrics the alert rules use but Prometheus has no series of').toEqual(
      [],
    );

    const controllers = await query(
      `sum(kafka_controller_kafkacontroller_activecontrollercount{namespace="${e2e.namespace}",kraftwerk_dev_cluster="${e2e.cluster}"})`,
    );
    expect(Number(controllers[0]?.value[1])).toBe(1);
    expect((await query('kraftwerk_reconcile_total{job="kraftwerk"}')).length).toBeGreaterThan(0);
    console.log(
      `prometheus: ${up.length} Kafka pods up; the rules' ${used.size} Kafka metrics all present; ` +
        `${(await query(`count({namespace="${e2e.namespace}",job="kafka"})`))[0]?.value[1]} series from the cluster`,
    );
  });

  it(`a stopped broker fires ${URP}, which clears when it runs again`, async () => {
    await topic('e2e-monitoring', { partitions: 6, replicationFactor: 3 });
    await kcat(['-P', '-t', 'e2e-monitoring', '-X', 'acks=all'], 'a\nb\nc\n');
    const broker = (await kafkaPods()).find((p) => p.metadata.name === `${e2e.cluster}-broker-2`)!;
    expect(await alertState(URP)).toEqual([]);

    const stopped = Date.now();
    paused = { node: broker.spec!.nodeName!, pod: broker.metadata.name };
    await signalPodProcess(paused.node, paused.pod, 'kafka.Kafka', 'STOP');
    // The other brokers drop it from their ISRs after replica.lag.time.max.ms (30 s).
    await waitFor(`${URP} firing`, async () => (await alertState(URP)).includes('firing'), {
      timeoutMs: 180_000,
      intervalMs: 2000,
    });
    const firedMs = Date.now() - stopped;
    const urp = await query(
      `sum(kafka_server_replicamanager_underreplicatedpartitions{namespace="${e2e.namespace}"})`,
    );
    expect(Number(urp[0]?.value[1])).toBeGreaterThan(0);

    const resumed = Date.now();
    await signalPodProcess(paused.node, paused.pod, 'kafka.Kafka', 'CONT');
    paused = undefined;
    await waitFor(`${URP} cleared`, async () => (await alertState(URP)).length === 0, {
      timeoutMs: 300_000,
      intervalMs: 2000,
    });
    const clearedMs = Date.now() - resumed;
    await waitReady(paths.cluster(), 300_000);
    console.log(
      `${URP} (for: ${SHORT_FOR}) fired ${seconds(firedMs)} after the broker stopped, ` +
        `cleared ${seconds(clearedMs)} after it ran again`,
    );
  });

  it("shows a group's lag and the operator's scaling decision", async () => {
    await topic(groupTopic, { partitions: 3, replicationFactor: 3 });
    // Consumers that never consume: the lag stays, and so does the decision.
    await apply(paths.deployment(groupName), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: groupName },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: groupName } },
        template: {
          metadata: { labels: { app: groupName } },
          spec: {
            containers: [
              {
                name: 'idle',
                image: e2e.kafkaImage,
                command: ['sleep', 'infinity'],
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
              },
            ],
          },
        },
      },
    });
    // No committed offsets yet: with offsetResetPolicy earliest the whole backlog is the lag.
    const backlog = Array.from({ length: 3000 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    await kcat(['-P', '-t', groupTopic, '-K', ':'], backlog);
    await apply(paths.group(groupName), {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaConsumerGroup',
      metadata: { name: groupName },
      spec: {
        cluster: e2e.cluster,
        groupId: groupName,
        topics: [groupTopic],
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: groupName },
        minReplicas: 0,
        maxReplicas: 6,
        lagThreshold: 500,
        pollIntervalSeconds: 2,
        offsetResetPolicy: 'earliest',
      },
    });
    const selector = `namespace="${e2e.namespace}",name="${groupName}"`;
    const lag = await waitFor(
      'the lag in Prometheus',
      async () => {
        const s = await query(`kraftwerk_consumergroup_lag{${selector}}`);
        return Number(s[0]?.value[1]) >= 3000 ? Number(s[0]!.value[1]) : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    // 3,000 behind at 500 per replica wants 6; the 3 partitions cap it at 3.
    const desired = await waitFor(
      'the scaling decision in Prometheus',
      async () => {
        const s = await query(`kraftwerk_consumergroup_desired_replicas{${selector}}`);
        return Number(s[0]?.value[1]) === 3 ? 3 : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    await waitFor(
      'the Deployment at the decided size',
      async () =>
        (await get<{ spec: { replicas?: number } }>(paths.deployment(groupName))).spec.replicas ===
        desired,
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    console.log(`prometheus: ${groupName} lag ${lag}, desired replicas ${desired}`);
  });
});
