// Benchmark (prints numbers; asserts nothing): what TLS and TLS + SCRAM cost a Kafka client,
// side by side in one run against one broker.
//   node bench/tls/run.ts [--messages 50000] [--size 512] [--rounds 3] [--latency 1000] [--rate 200]
// One local Kafka node (test/fixtures/kafka-secure.ts, KAFKA_DEFAULT_VERSION) with PLAINTEXT,
// SSL and SASL_SSL (SCRAM-SHA-512) listeners, a topic per listener (3 partitions), and the same
// client on each: confluent_kafka 2.12 from the toolchain's venv (bench/tls/client.py). Each round
// visits the listeners in a rotated order (so drift in the machine's load spreads over all three);
// a warm-up round comes first and is not counted; the medians of the rounds are printed with
// their ratio to plaintext. bench/tls/README.md.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { loadAverage } from '../lib.ts';
import { SecureKafka } from '../../test/fixtures/kafka-secure.ts';
import { waitFor } from '../../test/fixtures/process.ts';
import { confluentKafkaPython, defaultKafkaVersion } from '../../test/fixtures/toolchain.ts';

const run = promisify(execFile);
const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    size: { type: 'string', default: '512' },
    rounds: { type: 'string', default: '3' },
    latency: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
  },
});

interface Numbers {
  produce_msgs_s: number;
  produce_mb_s: number;
  consume_msgs_s: number;
  consume_mb_s: number;
  p50_ms: number;
  p99_ms: number;
}
const fields: (keyof Numbers)[] = [
  'produce_msgs_s',
  'produce_mb_s',
  'consume_msgs_s',
  'consume_mb_s',
  'p50_ms',
  'p99_ms',
];

const user = { name: 'bench', password: 'bench-secret' };
const python = confluentKafkaPython();
const kafka = await SecureKafka.start({ version: defaultKafkaVersion, scram: [user], plain: [] });
try {
  const admin = new Kafka({ brokers: [kafka.plaintext], logLevel: logLevel.NOTHING }).admin();
  await kafka.waitReady(async () => {
    await admin.connect();
    await admin.describeCluster();
  });
  const caFile = join(kafka.dir, 'pki', 'bench-ca.crt');
  writeFileSync(caFile, kafka.ca);
  const listeners: { name: string; config: Record<string, string> }[] = [
    { name: 'PLAINTEXT', config: { 'bootstrap.servers': kafka.plaintext } },
    {
      name: 'SSL',
      config: {
        'bootstrap.servers': kafka.ssl,
        'security.protocol': 'SSL',
        'ssl.ca.location': caFile,
      },
    },
    {
      name: 'SASL_SSL SCRAM-SHA-512',
      config: {
        'bootstrap.servers': kafka.saslSsl,
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.username': user.name,
        'sasl.password': user.password,
        'ssl.ca.location': caFile,
      },
    },
  ];
  const rounds = Number(opts.rounds);
  const results = new Map<string, Numbers[]>(listeners.map((l) => [l.name, []]));
  console.log(
    `Kafka ${kafka.version}, one node; confluent_kafka ${(await run(python, ['-c', 'import confluent_kafka as c; print(c.version())'])).stdout.trim()}; ` +
      `${opts.messages} messages of ${opts.size} B per listener and round, ${rounds} rounds; ` +
      `latency: ${opts.latency} messages at ${opts.rate}/s; load average ${loadAverage()}`,
  );
  const topicOf = (r: number, l: { name: string }) =>
    `bench-${r}-${l.name.split(' ')[0]!.toLowerCase()}`;
  // Round 0 warms the JVM and the page cache up and is not counted.
  const all = Array.from({ length: rounds + 1 }, (_, r) => listeners.map((l) => topicOf(r, l)));
  // kafkajs' waitForLeaders gives up on the first UNKNOWN_TOPIC_OR_PARTITION: create without
  // it and ask until every partition has a leader.
  await admin.createTopics({
    topics: all.flat().map((topic) => ({ topic, numPartitions: 3 })),
    waitForLeaders: false,
  });
  await waitFor(
    'every bench topic has leaders',
    async () => {
      const md = await admin.fetchTopicMetadata({ topics: all.flat() }).catch(() => undefined);
      return (
        md?.topics.every(
          (t) => t.partitions.length === 3 && t.partitions.every((p) => p.leader >= 0),
        ) ?? false
      );
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  for (let r = 0; r <= rounds; r++) {
    for (let i = 0; i < listeners.length; i++) {
      const l = listeners[(i + r) % listeners.length]!;
      const topic = topicOf(r, l);
      const { stdout } = await run(
        python,
        [
          join(import.meta.dirname, 'client.py'),
          topic,
          opts.messages,
          opts.size,
          opts.latency,
          opts.rate,
        ],
        { env: { ...process.env, KAFKA_CONFIG: JSON.stringify(l.config) }, maxBuffer: 1 << 20 },
      );
      const n = JSON.parse(stdout.trim().split('\n').pop()!) as Numbers;
      if (r > 0) results.get(l.name)!.push(n);
      console.log(
        `${r === 0 ? 'warm-up' : `round ${r}`} ${l.name.padEnd(22)} ` +
          fields.map((f) => `${f} ${n[f].toFixed(f.endsWith('ms') ? 2 : 1)}`).join('  '),
      );
    }
  }
  await admin.disconnect();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const med = (name: string, f: keyof Numbers) => median(results.get(name)!.map((n) => n[f]));
  const base = listeners[0]!.name;
  console.log(`\nmedians of ${rounds} rounds (ratio to plaintext); load average ${loadAverage()}`);
  console.log(
    '| listener | produce msg/s | produce MB/s | consume msg/s | consume MB/s | produce p50 ms | produce p99 ms |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const l of listeners) {
    const cells = fields.map((f) => {
      const v = med(l.name, f);
      const text = v.toFixed(f.endsWith('ms') ? 2 : f.endsWith('mb_s') ? 1 : 0);
      return l.name === base ? text : `${text} (${(v / med(base, f)).toFixed(2)}×)`;
    });
    console.log(`| ${l.name} | ${cells.join(' | ')} |`);
  }
} finally {
  await kafka.stop();
}
