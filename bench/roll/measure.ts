// The pure half of bench/roll: the manifests it applies, reading the verifiable producer's
// output, following how many brokers are down, and the report. No cluster; `run.ts --dry-run`
// exercises these alone.

export type Strategy = 'OneAtATime' | 'RackAtATime';
export const STRATEGIES: readonly Strategy[] = ['OneAtATime', 'RackAtATime'];

export const CLUSTER = 'bench';
export const TOPIC = 'roll';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** A broker setting Kafka reads only at start-up: changing it rolls every pod. */
export const STATIC_KEY = 'queued.max.requests';

export interface BenchOptions {
  version: string;
  brokers: number;
  controllers: number;
}

/** 6 brokers and 3 controllers by default, racks from the zone label, small pods. */
export function benchCluster(strategy: Strategy, o: BenchOptions, staticValue: string) {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: CLUSTER },
    spec: {
      version: o.version,
      controllers: {
        replicas: o.controllers,
        storage: { type: 'persistent-claim', size: '1Gi', deleteClaim: true },
        resources: { requests: { cpu: '50m', memory: '384Mi' } },
        jvm: { heap: '192m' },
      },
      brokers: {
        replicas: o.brokers,
        storage: { type: 'persistent-claim', size: '1Gi', deleteClaim: true },
        resources: { requests: { cpu: '100m', memory: '640Mi' } },
        jvm: { heap: '320m' },
      },
      listeners: [{ name: 'internal', port: 9092, type: 'internal' }],
      rack: { topologyKey: ZONE_LABEL },
      roll: { strategy },
      config: {
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        [STATIC_KEY]: staticValue,
      },
    },
  };
}

/** RF 3 over 3 zones (Kafka places replicas rack-aware), min ISR 2: acks=all writes survive
 *  one zone down. */
export function benchTopic(partitions = 12) {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaTopic',
    metadata: { name: TOPIC },
    spec: {
      cluster: CLUSTER,
      partitions,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2' },
    },
  };
}

/**
 * The producer pod's script: Kafka's VerifiableProducer (idempotent, acks=all, `rate`/s) until
 * /tmp/stop appears, then SIGTERM (it flushes and prints its totals) and a marker line. The pod
 * stays, so its log can be read and the read-back run in it.
 */
export function producerScript(bootstrap: string, rate: number): string {
  return [
    'set -u',
    // VerifiableProducer sets retries=0 itself, which the idempotent producer refuses.
    "printf 'enable.idempotence=true\\nretries=2147483647\\ndelivery.timeout.ms=300000\\n' > /tmp/producer.properties",
    `/opt/kafka/bin/kafka-run-class.sh org.apache.kafka.tools.VerifiableProducer --bootstrap-server ${bootstrap} --topic ${TOPIC} --acks -1 --throughput ${rate} --producer.config /tmp/producer.properties &`,
    'pid=$!',
    'while [ ! -e /tmp/stop ]; do sleep 1; done',
    'kill -TERM "$pid"; wait "$pid"',
    'echo BENCH-PRODUCER-DONE',
    'sleep 86400',
  ].join('\n');
}

export interface ProducerLog {
  /** Values Kafka acknowledged, in the order the producer reported them. */
  acked: string[];
  /** Sends the producer gave up on (producer_send_error). */
  failed: number;
  /** Its own totals at shutdown (tool_data), when it printed them. */
  totals?: { sent: number; acked: number };
  done: boolean;
}

/** Reads VerifiableProducer's JSON lines; other lines (log output) are skipped. */
export function parseProducerLog(text: string): ProducerLog {
  const out: ProducerLog = { acked: [], failed: 0, done: false };
  for (const line of text.split('\n')) {
    if (line.trim() === 'BENCH-PRODUCER-DONE') out.done = true;
    if (!line.startsWith('{')) continue;
    let event: { name?: string; value?: unknown; sent?: unknown; acked?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    if (event.name === 'producer_send_success') out.acked.push(String(event.value));
    else if (event.name === 'producer_send_error') out.failed++;
    else if (event.name === 'tool_data') {
      out.totals = { sent: Number(event.sent), acked: Number(event.acked) };
    }
  }
  return out;
}

/** Acknowledged values that were not read back. */
export function lostValues(acked: readonly string[], consumed: readonly string[]): string[] {
  const read = new Set(consumed);
  return acked.filter((v) => !read.has(v));
}

export interface PodSnapshot {
  name: string;
  ready: boolean;
  terminating: boolean;
}

/** Follows the brokers through a roll from periodic pod lists. */
export class DownTracker {
  maxDown = 0;
  firstDownMs?: number;
  lastBackMs?: number;
  private wasDown = false;
  private readonly expected: readonly string[];

  constructor(expected: readonly string[]) {
    this.expected = expected;
  }

  /** One observation at `atMs`; returns how many expected pods are down now. */
  observe(pods: readonly PodSnapshot[], atMs: number): number {
    const down = this.expected.filter((name) => {
      const p = pods.find((x) => x.name === name);
      return !p || !p.ready || p.terminating;
    }).length;
    this.maxDown = Math.max(this.maxDown, down);
    if (down > 0 && this.firstDownMs === undefined) this.firstDownMs = atMs;
    if (down === 0 && this.wasDown) this.lastBackMs = atMs;
    this.wasDown = down > 0;
    return down;
  }
}

export interface RunResult {
  strategy: Strategy;
  round: number;
  /** Config change applied → Ready=True at the new generation, every pod on the new spec. */
  totalMs: number;
  /** First broker down → last broker back (controllers roll one at a time either way). */
  brokerMs: number;
  maxBrokersDown: number;
  acked: number;
  failed: number;
  lost: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const median = (xs: readonly number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

export function formatRun(r: RunResult): string {
  return `round ${r.round} ${r.strategy.padEnd(11)} roll ${s(r.totalMs)} (brokers ${s(r.brokerMs)}), at most ${r.maxBrokersDown} brokers down, ${r.acked} acked, ${r.failed} failed sends, ${r.lost} acked but not read back`;
}

/** The medians of both strategies and RackAtATime / OneAtATime. */
export function summary(results: readonly RunResult[]): string[] {
  const of = (st: Strategy) => results.filter((r) => r.strategy === st);
  const serial = of('OneAtATime');
  const rack = of('RackAtATime');
  if (serial.length === 0 || rack.length === 0) return ['(both strategies are needed for a ratio)'];
  const [st, rt] = [median(serial.map((r) => r.totalMs)), median(rack.map((r) => r.totalMs))];
  const [sb, rb] = [median(serial.map((r) => r.brokerMs)), median(rack.map((r) => r.brokerMs))];
  const lost = results.reduce((n, r) => n + r.lost + r.failed, 0);
  return [
    `OneAtATime:  roll ${s(st)}, brokers ${s(sb)} (median of ${serial.length})`,
    `RackAtATime: roll ${s(rt)}, brokers ${s(rb)} (median of ${rack.length})`,
    `ratio RackAtATime / OneAtATime: roll ${(rt / st).toFixed(2)}x, brokers ${(rb / sb).toFixed(2)}x`,
    lost === 0
      ? 'every acknowledged message was read back, no send failed'
      : `LOST OR FAILED: ${lost} messages (see the rounds above)`,
  ];
}
