// Side by side on real pods (a benchmark that prints numbers, not a test), run by run.sh:
//   node bench/consumergroup/real/side-by-side.ts [--traces step,burst,...] [--seconds 1800]
//     [--arms ours,keda,keda-tuned]
// Every trace of ../traces.ts, scaled down (see `scale` below), runs at once against three
// arms, each with its own topic, consumer group and Deployment of the same consumer
// (consumer.ts, RATE msg/s per replica): a KafkaConsumerGroup (ours), a KEDA ScaledObject
// with KEDA's defaults, and one tuned for responsiveness. The same produced trace feeds the
// three topics of a trace. Once a second the bench samples each Deployment's replicas and
// each group's lag as Kafka reports it (end offset minus committed offset), then prints the
// measures of ../measures.ts per trace, the ratios, and the model of ../keda-model.ts and our
// pure policy replayed on the same scaled trace next to what the real ones did.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { loadAverage } from '../../lib.ts';
import { KubeClient, loadKubeConfig } from '../../../operator/src/runtime/kube-client.ts';
import { kedaDefaults, type KedaSettings } from '../keda-model.ts';
import { measure, type Measures } from '../measures.ts';
import { changesLine, fmt, measureRows, ratio, tableRow } from '../report.ts';
import {
  oursSettings,
  replayKeda,
  replayOurs,
  type Environment,
  type Timeline,
} from '../replay.ts';
import { traces as modelTraces, type Trace } from '../traces.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required (run.sh sets it)`);
  return v;
};

// The model's world is 12 partitions x 100 msg/s per replica; on a 2-core kind cluster 18
// consumer Deployments of that size do not fit. Scaled: 6 partitions, 25 msg/s per replica,
// every rate and offset x 1/8 — so each ideal size is half the model's, and lagThreshold x 1/4
// keeps "one replica's 10 s of work" per replica. Durations are cut to --seconds (default 30
// min): long enough for KEDA's 300 s windows to show whether a size settles.
const partitions = 6;
const perReplicaRate = 25;
const factor = 1 / 8;
const lagThreshold = 250;
const seconds = Number(arg('seconds') ?? 1800);
const scenv: Environment = {
  partitions,
  perReplicaRate,
  rebalancePauseSeconds: 15,
  commitIntervalSeconds: 5,
};

function scale(t: Trace): Trace {
  const i = t.world.initial;
  return {
    ...t,
    durationSeconds: Math.min(t.durationSeconds, seconds),
    rate: (s) => t.rate(s) * factor,
    world: {
      ...t.world,
      initialReplicas: Math.min(partitions, t.world.initialReplicas),
      initial: {
        end: Math.round(i.end * factor),
        logStart: Math.round(i.logStart * factor),
        committed: i.committed === null ? null : Math.round(i.committed * factor),
      },
    },
  };
}
const wanted = arg('traces')?.split(',');
const traces = modelTraces.filter((t) => !wanted || wanted.includes(t.name)).map(scale);
const slug = (name: string) => name.replace(/[^a-z0-9]+/g, '-');

// Ours with this scale's threshold; max = 2 x partitions for both sides.
const ours = oursSettings(lagThreshold, 2 * partitions);
// KEDA tuned for responsiveness with the knobs its ScaledObject documents: poll every 5 s (as
// ours), a 60 s cooldown to zero, and the HPA's scale-down window cut from 300 s to 60 s.
const tuned = { pollingInterval: 5, cooldownPeriod: 60, scaleDownWindow: 60 };

type ArmKind = 'ours' | 'keda' | 'keda-tuned';
const armKinds = (arg('arms')?.split(',') ?? ['ours', 'keda', 'keda-tuned']) as ArmKind[];
interface Arm {
  trace: Trace;
  kind: ArmKind;
  name: string;
  replicas: number[];
  lag: number[];
}

const namespace = 'kraftwerk-bench';
const bootstrapInCluster = env('BENCH_BOOTSTRAP_IN_CLUSTER');
const image = env('BENCH_CONSUMER_IMAGE');
const kube = new KubeClient(loadKubeConfig(env('KUBECONFIG')));
const kafka = new Kafka({
  clientId: 'kraftwerk-bench',
  brokers: env('BENCH_BOOTSTRAP_HOST').split(','),
  logLevel: logLevel.NOTHING,
});
const out = join(
  '/tmp',
  `kraftwerk-bench-side-by-side-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
mkdirSync(out, { recursive: true });
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function apply(path: string, body: object): Promise<void> {
  await kube.request('PATCH', `${path}?fieldManager=kraftwerk-bench&force=true`, {
    body,
    contentType: 'application/apply-patch+yaml',
  });
}

function deployment(a: Arm): object {
  const w = a.trace.world;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: a.name,
      namespace,
      labels: { app: a.name, 'kraftwerk.dev/bench': 'side-by-side' },
    },
    spec: {
      replicas: w.initialReplicas,
      selector: { matchLabels: { app: a.name } },
      template: {
        metadata: { labels: { app: a.name } },
        spec: {
          terminationGracePeriodSeconds: 15,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'consumer',
              image,
              imagePullPolicy: 'IfNotPresent',
              env: [
                { name: 'BOOTSTRAP', value: bootstrapInCluster },
                { name: 'TOPIC', value: a.name },
                { name: 'GROUP', value: a.name },
                { name: 'RATE', value: String(perReplicaRate) },
                { name: 'FROM_BEGINNING', value: String(w.offsetResetPolicy === 'earliest') },
              ],
              resources: { requests: { cpu: '5m', memory: '48Mi' }, limits: { memory: '160Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}

function autoscaler(a: Arm): { path: string; body: object } {
  const policy = a.trace.world.offsetResetPolicy;
  if (a.kind === 'ours') {
    return {
      path: `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkaconsumergroups/${a.name}`,
      body: {
        apiVersion: 'kraftwerk.dev/v1alpha1',
        kind: 'KafkaConsumerGroup',
        metadata: { name: a.name, namespace },
        spec: {
          bootstrapServers: bootstrapInCluster,
          groupId: a.name,
          topics: [a.name],
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: a.name },
          minReplicas: ours.minReplicas,
          maxReplicas: ours.maxReplicas,
          lagThreshold: ours.lagThreshold,
          activationLagThreshold: ours.activationLagThreshold,
          drainTargetSeconds: ours.drainTargetSeconds,
          pollIntervalSeconds: 5,
          scaleUp: { dwellSeconds: ours.dwellSeconds, rebalanceSeconds: ours.rebalanceSeconds },
          scaleDown: {
            stabilizationSeconds: ours.scaleDownStabilizationSeconds,
            maxStepPercent: ours.scaleDownMaxStepPercent,
          },
          offsetResetPolicy: policy,
        },
      },
    };
  }
  const t = a.kind === 'keda-tuned';
  return {
    path: `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects/${a.name}`,
    body: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: a.name, namespace },
      spec: {
        scaleTargetRef: { name: a.name },
        minReplicaCount: 0,
        maxReplicaCount: ours.maxReplicas,
        ...(t
          ? {
              pollingInterval: tuned.pollingInterval,
              cooldownPeriod: tuned.cooldownPeriod,
              advanced: {
                horizontalPodAutoscalerConfig: {
                  behavior: { scaleDown: { stabilizationWindowSeconds: tuned.scaleDownWindow } },
                },
              },
            }
          : {}),
        triggers: [
          {
            type: 'kafka',
            metadata: {
              bootstrapServers: bootstrapInCluster,
              consumerGroup: a.name,
              topic: a.name,
              lagThreshold: String(ours.lagThreshold),
              activationLagThreshold: String(ours.activationLagThreshold),
              offsetResetPolicy: policy,
            },
          },
        ],
      },
    },
  };
}

/** Retries what Kafka calls retriable (a topic not yet known everywhere), up to a minute. */
// kafkajs refreshes metadata in promises nobody awaits; while a new topic's metadata spreads
// over the brokers one of them rejects with a retriable UNKNOWN_TOPIC_OR_PARTITION and would
// end the run (it did, preparing the burst/no-commit/over-provisioned arms). The call that
// needed the metadata retries on its own; only the orphan is let go.
process.on('unhandledRejection', (e) => {
  if ((e as { retriable?: boolean }).retriable !== true) throw e;
  log(`kafkajs: an unawaited retriable error, ignored: ${String(e)}`);
});

async function retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const retriable = (e as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= 60) throw e;
      if (attempt % 10 === 0) log(`${what}: still retrying (${String(e)})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Topic, initial offsets and committed offsets as the trace's world starts. */
async function prepare(admin: Admin, producer: Producer, a: Arm): Promise<void> {
  const i = a.trace.world.initial;
  // Not kafkajs' waitForLeaders: its wait rejects a promise nobody awaits when a broker does
  // not know the topic yet, which ends the process. Metadata is polled here instead.
  await admin.createTopics({
    waitForLeaders: false,
    topics: [{ topic: a.name, numPartitions: partitions, replicationFactor: 3 }],
  });
  await retry(`leaders of ${a.name}`, async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [a.name] });
    const ps = topics[0]?.partitions ?? [];
    if (ps.length < partitions || ps.some((p) => p.leader < 0))
      throw Object.assign(new Error(`${a.name} has no leader everywhere yet`), { retriable: true });
  });
  // The backlog a new group finds (the "no committed offsets" trace): i.end messages per
  // partition, of which Kafka keeps those from i.logStart on. The settled traces start at an
  // empty topic with offsets committed at its end: what matters is committed == end.
  if (i.committed === null && i.end > 0) {
    for (let p = 0; p < partitions; p++) {
      for (let n = 0; n < i.end; n += 500) {
        const count = Math.min(500, i.end - n);
        await retry(`backlog of ${a.name}`, () =>
          producer.send({
            topic: a.name,
            messages: Array.from({ length: count }, () => ({ partition: p, value: 'backlog' })),
          }),
        );
      }
    }
    if (i.logStart > 0) {
      // kafkajs' admin finds leaders in its own metadata cache, which predates the topic.
      await admin.fetchTopicMetadata({ topics: [a.name] });
      await admin.deleteTopicRecords({
        topic: a.name,
        partitions: Array.from({ length: partitions }, (_, p) => ({
          partition: p,
          offset: String(i.logStart),
        })),
      });
    }
  } else {
    await admin.setOffsets({
      groupId: a.name,
      topic: a.name,
      partitions: Array.from({ length: partitions }, (_, p) => ({ partition: p, offset: '0' })),
    });
  }
}

/** Lag per group as Kafka reports it, with the offset reset policy applied to no commit. */
async function lagOf(admin: Admin, a: Arm): Promise<number> {
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId: a.name, topics: [a.name] }),
    admin.fetchTopicOffsets(a.name),
  ]);
  const byPartition = new Map(committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
  let lag = 0;
  for (const e of ends) {
    const c = byPartition.get(e.partition) ?? -1;
    const high = Number(e.high);
    const low = Number(e.low);
    if (c >= 0) lag += Math.max(0, high - Math.max(c, low));
    else if (a.trace.world.offsetResetPolicy === 'earliest') lag += high - low;
  }
  return lag;
}

async function replicasOf(): Promise<Map<string, number>> {
  const list = await kube.request<{
    items: { metadata: { name: string }; spec: { replicas?: number } }[];
  }>('GET', `/apis/apps/v1/namespaces/${namespace}/deployments`);
  return new Map(list.items.map((d) => [d.metadata.name, d.spec.replicas ?? 0]));
}

/**
 * Our arms' reasoning, every 5 s: the KafkaConsumerGroup's conditions (the policy's reasons and
 * limits) and desired size, kept when they change — to explain a size, not to measure it.
 */
const decisions: { t: number; name: string; desired?: number; conditions: string[] }[] = [];
const lastDecision = new Map<string, string>();
async function recordDecisions(t: number): Promise<void> {
  const list = await kube.request<{
    items: {
      metadata: { name: string };
      status?: {
        desiredReplicas?: number;
        conditions?: { type: string; status: string; reason?: string; message?: string }[];
      };
    }[];
  }>('GET', `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkaconsumergroups`);
  for (const g of list.items) {
    const conditions = (g.status?.conditions ?? []).map(
      (c) => `${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`,
    );
    const key = JSON.stringify([g.status?.desiredReplicas, conditions]);
    if (lastDecision.get(g.metadata.name) === key) continue;
    lastDecision.set(g.metadata.name, key);
    decisions.push({ t, name: g.metadata.name, desired: g.status?.desiredReplicas, conditions });
  }
}

function timeline(a: Arm): Timeline {
  const changes: Timeline['changes'] = [];
  for (let t = 1; t < a.replicas.length; t++) {
    if (a.replicas[t] !== a.replicas[t - 1])
      changes.push({ time: t, from: a.replicas[t - 1]!, to: a.replicas[t]! });
  }
  const ideal = a.replicas.map((_, t) =>
    Math.min(partitions, Math.ceil(a.trace.rate(t) / perReplicaRate)),
  );
  return { replicas: a.replicas, lag: a.lag, ideal, changes };
}

async function cleanUp(): Promise<void> {
  for (const path of [
    `/apis/kraftwerk.dev/v1alpha1/namespaces/${namespace}/kafkaconsumergroups`,
    `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects`,
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
  ]) {
    await kube
      .request('DELETE', path)
      .catch((e: unknown) => log(`clean-up of ${path}: ${String(e)}`));
  }
}

// ---- run ----
await apply(`/api/v1/namespaces/${namespace}`, {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: namespace },
});
await cleanUp();
const admin = kafka.admin();
await admin.connect();
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
const runId = Date.now().toString(36).slice(-5);
const arms: Arm[] = traces.flatMap((trace) =>
  armKinds.map((kind) => ({
    trace,
    kind,
    // A run id in every name: a topic of an earlier run may still be being deleted.
    name: `sbs-${slug(trace.name)}-${kind}-${runId}`,
    replicas: [],
    lag: [],
  })),
);
// Topics an earlier, interrupted run left behind.
const stale = (await admin.listTopics()).filter((n) => n.startsWith('sbs-'));
if (stale.length) await admin.deleteTopics({ topics: stale });
log(`preparing ${arms.length} arms (${traces.length} traces x ${armKinds.join(', ')}) in ${out}`);
for (const a of arms) await prepare(admin, producer, a);
for (const a of arms)
  await apply(`/apis/apps/v1/namespaces/${namespace}/deployments/${a.name}`, deployment(a));
// The world starts with its initial consumers in the group.
const deadline = Date.now() + 10 * 60_000;
for (const a of arms) {
  const want = a.trace.world.initialReplicas;
  if (want === 0) continue;
  for (;;) {
    const g = await admin.describeGroups([a.name]);
    if (g.groups[0]?.state === 'Stable' && g.groups[0].members.length === want) break;
    if (Date.now() > deadline) throw new Error(`group ${a.name} never reached ${want} members`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
const loadBefore = loadAverage();
log(
  `all arms running; traces for ${Math.max(...traces.map((t) => t.durationSeconds))} s, load ${loadBefore}`,
);

// Producer: every 100 ms each arm's topic gets rate x 0.1 messages (fractions carried),
// round-robin over the partitions like the model's even spread. A stuck-partition trace's
// event sends one poison message to partition 5, which consumer.ts never gets past.
const start = Date.now();
const carry = new Map<string, number>();
const rr = new Map<string, number>();
let producing = true;
const poisoned = new Set<string>();
const produceLoop = (async () => {
  // Wall time, not a count of iterations: a loaded machine delays a send, never the trace.
  let last = start;
  while (producing) {
    const now = Date.now();
    const t = (now - start) / 1000;
    const batches = [];
    for (const a of arms) {
      if (t >= a.trace.durationSeconds) continue;
      if (a.trace.name === 'stuck partition' && t >= a.trace.eventAt && !poisoned.has(a.name)) {
        poisoned.add(a.name);
        batches.push({
          topic: a.name,
          messages: [{ partition: 5, value: 'poison', headers: { 'kraftwerk-bench': 'stuck' } }],
        });
      }
      const due = (carry.get(a.name) ?? 0) + (a.trace.rate(Math.floor(t)) * (now - last)) / 1000;
      const n = Math.floor(due);
      carry.set(a.name, due - n);
      if (n === 0) continue;
      let p = rr.get(a.name) ?? 0;
      const messages = Array.from({ length: n }, () => ({
        partition: p++ % partitions,
        value: String(now),
      }));
      rr.set(a.name, p);
      batches.push({ topic: a.name, messages });
    }
    last = now;
    if (batches.length) await producer.sendBatch({ topicMessages: batches });
    const wait = 100 - (Date.now() - now);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
})();

// Sampler: once a second, every arm's replicas and lag, at the second of wall time it was
// taken; a second the loaded machine let pass unsampled gets the next sample (counted as late).
const longest = Math.max(...traces.map((t) => t.durationSeconds));
let late = 0;
let started = false;
for (let t = 0; t < longest; t = Math.floor((Date.now() - start) / 1000) + 1) {
  const due = start + t * 1000 - Date.now();
  if (due > 0) await new Promise((r) => setTimeout(r, due));
  const replicas = await replicasOf();
  const lags = await Promise.all(arms.map((a) => lagOf(admin, a)));
  const now = Math.min(longest - 1, Math.floor((Date.now() - start) / 1000));
  arms.forEach((a, i) => {
    while (a.replicas.length <= Math.min(now, a.trace.durationSeconds - 1)) {
      a.replicas.push(replicas.get(a.name) ?? 0);
      a.lag.push(lags[i]!);
    }
  });
  late += Math.max(0, now - t);
  if (started && now % 5 === 0 && armKinds.includes('ours')) await recordDecisions(now);
  // The autoscalers start with the trace, after the first sample shows the world as it began.
  if (!started) {
    started = true;
    await Promise.all(
      arms.map(async (a) => {
        const { path, body } = autoscaler(a);
        await apply(path, body);
      }),
    );
  }
  if (Math.floor(now / 60) !== Math.floor(t / 60) || t === 0)
    log(
      `t=${now}s ${arms.map((a) => `${a.name.slice(4)}=${a.replicas.at(-1)}/${a.lag.at(-1)}`).join(' ')}`,
    );
}
producing = false;
await produceLoop;
const loadAfter = loadAverage();
writeFileSync(
  join(out, 'timelines.json'),
  JSON.stringify(arms.map((a) => ({ name: a.name, replicas: a.replicas, lag: a.lag }))),
);
writeFileSync(join(out, 'decisions.json'), JSON.stringify(decisions, null, 1));

// ---- report ----
const rows = measureRows('thousands');
const widths = [31, 7, 7, 11, 10, 11, 11, 11];
const row = (cells: string[]) => tableRow(cells, widths, ' ');
console.log(
  `\nkraftwerk vs real KEDA ${process.env.KEDA_VERSION ?? ''} on kind — ${partitions} partitions, ${perReplicaRate} msg/s per replica ` +
    `(the model's traces x ${factor}), lagThreshold ${lagThreshold}, max ${ours.maxReplicas}; ` +
    `KEDA tuned: polling ${tuned.pollingInterval}s, cooldown ${tuned.cooldownPeriod}s, HPA scale-down window ${tuned.scaleDownWindow}s; ` +
    `${availableParallelism()} cores, load ${loadBefore} → ${loadAfter}; ${late} of ${longest} seconds sampled late; timelines in ${out}`,
);
for (const trace of traces) {
  const m = Object.fromEntries(
    arms
      .filter((a) => a.trace === trace)
      .map((a) => [a.kind, measure(timeline(a), trace.eventAt)] as const),
  ) as Partial<Record<ArmKind, Measures>>;
  const keda: KedaSettings = {
    ...kedaDefaults,
    lagThreshold,
    activationLagThreshold: ours.activationLagThreshold,
    offsetResetPolicy: trace.world.offsetResetPolicy,
    maxReplicaCount: ours.maxReplicas,
  };
  const modelKeda = measure(replayKeda(trace, scenv, keda), trace.eventAt);
  const modelOurs = measure(replayOurs(trace, scenv, ours, 5), trace.eventAt);
  console.log(
    `\n## ${trace.name} (x ${factor}): ${trace.description} (event at t=${trace.eventAt}s, ${trace.durationSeconds}s)`,
  );
  console.log(
    row(['', 'ours', 'KEDA', 'KEDA tuned', 'ours/KEDA', 'ours/tuned', 'model ours', 'model KEDA']),
  );
  for (const [label, get] of rows) {
    const [o = null, k = null, kt = null] = [m.ours, m.keda, m['keda-tuned']].map((x) =>
      x ? get(x) : null,
    );
    console.log(
      row([
        label,
        fmt(o, 2),
        fmt(k, 2),
        fmt(kt, 2),
        ratio(o, k),
        ratio(o, kt),
        fmt(get(modelOurs), 2),
        fmt(get(modelKeda), 2),
      ]),
    );
  }
  for (const a of arms.filter((x) => x.trace === trace)) {
    console.log(`  ${a.kind}: ${changesLine(timeline(a)) || 'no change'}`);
  }
}
await cleanUp();
await admin.deleteTopics({ topics: arms.map((a) => a.name) }).catch(() => undefined);
await producer.disconnect();
await admin.disconnect();
