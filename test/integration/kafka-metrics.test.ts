// The metrics contract (docs/metrics.md) against real Kafka: a dedicated controller and a
// broker run the JMX exporter agent with exactly the rules the operator renders
// (KAFKA_METRICS_CONFIG), a real produce and consume moves bytes, and each node's /metrics,
// scraped over HTTP, carries every name alert rules and dashboards are written against.
// KRAFTWERK_RECORD_METRICS=1 also rewrites test/fixtures/metrics/{broker,controller}.prom, the
// recorded scrapes rule and dashboard tests can read.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KAFKA_METRICS_CONFIG,
  METRICS_PATH,
  javaAgentOption,
} from '../../operator/src/cluster/render/kafka-metrics-config.ts';
import { KafkaFixture } from '../fixtures/kafka.ts';
import { freePorts } from '../fixtures/ports.ts';
import { logRoot, waitFor } from '../fixtures/process.ts';
import { jmxExporterJar, repoRoot } from '../fixtures/toolchain.ts';
import { BROKER_METRICS, CONTROLLER_METRICS, metricNames } from '../fixtures/metrics/contract.ts';

const TOPIC = 'metrics-contract';
let kafka: KafkaFixture;
const metricsPort = new Map<number, number>();

beforeAll(async () => {
  // Not the fixture's own directory (join(logRoot, name)): it empties that at start.
  const dir = join(logRoot, 'kafka-metrics-rules');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  writeFileSync(config, KAFKA_METRICS_CONFIG);
  const [controllerPort, brokerPort] = await freePorts(2);
  // Node ids as the fixture gives them: controllers from 0, brokers from 100.
  metricsPort.set(0, controllerPort!);
  metricsPort.set(100, brokerPort!);
  kafka = await KafkaFixture.start({
    name: 'kafka-metrics',
    brokers: 1,
    controllers: 1,
    nodeEnv: ({ id }) => ({
      KAFKA_OPTS: javaAgentOption(config, metricsPort.get(id)!, '127.0.0.1', jmxExporterJar()),
    }),
  });
  const client = new Kafka({
    clientId: 'kafka-metrics-test',
    brokers: [kafka.bootstrapServers],
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: Array.from({ length: 100 }, (_, i) => ({ key: String(i), value: 'x'.repeat(100) })),
  });
  await producer.disconnect();
  // A consumer too, so bytes-out and the fetch latencies have something to count.
  const consumer = client.consumer({ groupId: 'kafka-metrics-test' });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let seen = 0;
  await consumer.run({
    eachMessage: async () => {
      seen++;
    },
  });
  await waitFor('the consumer to read the 100 messages', async () => seen >= 100, {
    timeoutMs: 60_000,
  });
  await consumer.disconnect();
}, 180_000);

afterAll(async () => {
  await kafka?.stop();
});

async function scrape(nodeId: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${metricsPort.get(nodeId)}${METRICS_PATH}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the first sample of `name` whose label set includes `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  throw new Error(`no sample ${name}${JSON.stringify(labels)} in the scrape`);
}

function record(file: string, text: string): void {
  if (process.env.KRAFTWERK_RECORD_METRICS !== '1') return;
  writeFileSync(join(repoRoot, 'test/fixtures/metrics', file), text);
}

describe('the JMX exporter with kraftwerk rules', () => {
  it('a broker exports every broker metric of the contract, with real traffic counted', async () => {
    // Byte counters are meters Kafka updates as it serves; the scrape reads them as they are.
    let text = '';
    await waitFor('the broker to count the produced bytes', async () => {
      text = await scrape(100);
      return sample(text, 'kafka_server_brokertopicmetrics_bytesin_total', { topic: TOPIC }) > 0;
    });
    const names = metricNames(text);
    expect(BROKER_METRICS.filter((n) => !names.has(n))).toEqual([]);
    expect(sample(text, 'kafka_server_brokertopicmetrics_bytesin_total')).toBeGreaterThan(0);
    expect(sample(text, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: TOPIC })).toBe(
      100,
    );
    expect(sample(text, 'kafka_server_brokertopicmetrics_bytesout_total')).toBeGreaterThan(0);
    expect(sample(text, 'kafka_server_replicamanager_partitioncount')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'kafka_server_replicamanager_underreplicatedpartitions')).toBe(0);
    expect(sample(text, 'kafka_log_log_size', { topic: TOPIC, partition: '0' })).toBeGreaterThan(0);
    expect(
      sample(text, 'kafka_network_requestmetrics_requests_total', { request: 'Produce' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'kafka_network_requestmetrics_totaltimems', {
        request: 'Produce',
        quantile: '0.99',
      }),
    ).toBeGreaterThanOrEqual(0);
    // The broker follows the quorum: its leader is the controller, node 0.
    expect(sample(text, 'kafka_server_raftmetrics_current_leader')).toBe(0);
    // Successes are not errors: NONE is left out.
    expect(text).not.toMatch(/kafka_network_requestmetrics_errors_total\{[^}]*error="NONE"/);
    record('broker.prom', text);
  });

  it('a controller exports the controller and quorum metrics of the contract', async () => {
    const text = await scrape(0);
    const names = metricNames(text);
    expect(CONTROLLER_METRICS.filter((n) => !names.has(n))).toEqual([]);
    expect(sample(text, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    expect(sample(text, 'kafka_controller_kafkacontroller_globalpartitioncount')).toBeGreaterThan(
      0,
    );
    expect(sample(text, 'kafka_server_raftmetrics_current_leader')).toBe(0);
    record('controller.prom', text);
  });
});
