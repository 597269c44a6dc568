// The rolling-restart drive shared by the roll scenarios: a steady idempotent producer, a
// static config change, a watch on every Kafka pod, and the reckoning afterwards.
import { expect } from 'vitest';
import {
  editCluster,
  consumeAll,
  get,
  paths,
  podNames,
  PodWatch,
  RoleWatch,
  seconds,
  SteadyProducer,
  topic,
  waitFor,
  type Resource,
} from './lib.ts';

export interface RollReport {
  acked: number;
  lost: string[];
  maxBrokersDown: number;
  maxControllersDown: number;
  /** Failed list/watch requests of the pod watch: the judgement above needs every change. */
  watchErrors: number;
  brokerRestarts: number;
  controllerRestarts: number;
  firstBrokerDown: number;
  lastControllerBack: number;
}

// A broker setting Kafka only reads at start-up (not in dynamic-config.ts's cluster-wide set),
// so changing it means a rolling restart of every node.
const STATIC_KEY = 'queued.max.requests';

/**
 * Rolls the cluster by setting STATIC_KEY under a steady producer. `duringRoll` runs once the
 * first pod is down (the operator-kill scenario uses it).
 */
export async function rollWithConfig(
  topicName: string,
  duringRoll?: () => Promise<void>,
): Promise<RollReport> {
  await topic(topicName, {
    partitions: 6,
    replicationFactor: 3,
    config: { 'min.insync.replicas': '2' },
  });
  const cluster = await get<Resource & { spec: { brokers: { replicas: number } } }>(
    paths.cluster(),
  );
  const replicas = { broker: cluster.spec.brokers.replicas, controller: 3 };
  const brokers = new RoleWatch('broker', () => podNames('broker', replicas.broker));
  const controllers = new RoleWatch('controller', () =>
    podNames('controller', replicas.controller),
  );
  const pods = await new PodWatch([brokers, controllers]).start();

  const producer = new SteadyProducer(topicName, 100);
  await waitFor('the producer has 200 messages acknowledged', async () => producer.acked() >= 200, {
    timeoutMs: 60_000,
  });
  const current = Number(
    (cluster.spec as { config?: Record<string, string> }).config?.[STATIC_KEY] ?? 500,
  );
  const value = String(current >= 1000 ? 501 : current + 1);
  const started = Date.now();
  await editCluster({ config: { [STATIC_KEY]: value } }, 'kraftwerk-e2e-config');

  if (duringRoll) {
    await waitFor(
      'the first pod of the roll restarted',
      async () => brokers.restarts() + controllers.restarts() > 0,
      { timeoutMs: 5 * 60_000, intervalMs: 500 },
    );
    await duringRoll();
  }

  await waitFor(
    'every controller and broker replaced and Ready, the cluster Ready',
    async () => {
      const all = [
        ...podNames('controller', replicas.controller).map((n) => controllers.uids.get(n)),
        ...podNames('broker', replicas.broker).map((n) => brokers.uids.get(n)),
      ];
      if (!all.every((uids) => (uids?.size ?? 0) >= 2)) return false;
      // Our own look at the pods, not only the cluster's Ready condition.
      if (!brokers.allReady() || !controllers.allReady()) return false;
      const c = await get(paths.cluster());
      const ready = c.status?.conditions?.find((x) => x.type === 'Ready');
      return c.status?.observedGeneration === c.metadata.generation && ready?.status === 'True';
    },
    { timeoutMs: 15 * 60_000, intervalMs: 2000 },
  );
  const rollMs = Date.now() - started;
  const watchErrors = pods.errors;
  await pods.stop();
  const { acked, summary } = await producer.stop();
  const consumed = new Set(await consumeAll(topicName));
  const lost = acked.filter((v) => !consumed.has(v));

  // Each outage with its span from the change, so overlaps can be read off a failed run.
  const fmt = (w: RoleWatch) =>
    w.outages
      .map(
        (o) =>
          `${o.pod} ${seconds(o.ms)} (${seconds(o.from - started)} → ${seconds(o.to - started)})`,
      )
      .join(', ');
  console.log(
    `roll (${STATIC_KEY}=${value}) took ${seconds(rollMs)}; producer: ${summary}, ` +
      `${acked.length} acknowledged, ${lost.length} lost\n` +
      `  controller restarts (down → Ready): ${fmt(controllers)}\n` +
      `  broker restarts (down → Ready): ${fmt(brokers)}`,
  );
  return {
    acked: acked.length,
    lost: lost.slice(0, 20),
    maxBrokersDown: brokers.maxDownAtOnce,
    maxControllersDown: controllers.maxDownAtOnce,
    watchErrors,
    brokerRestarts: brokers.restarts(),
    controllerRestarts: controllers.restarts(),
    firstBrokerDown: Math.min(...brokers.outages.map((o) => o.from)),
    lastControllerBack: Math.max(...controllers.outages.map((o) => o.to)),
  };
}

/**
 * What every roll scenario asserts: nothing acknowledged lost, one pod down at a time, each pod
 * restarted exactly once (none skipped or repeated), controllers before brokers.
 */
export function expectSafeRoll(report: RollReport): void {
  expect(report.lost).toEqual([]);
  expect(report.maxBrokersDown).toBe(1);
  expect(report.maxControllersDown).toBe(1);
  expect(report.watchErrors).toBe(0);
  expect(report.brokerRestarts).toBe(3);
  expect(report.controllerRestarts).toBe(3);
  expect(report.lastControllerBack).toBeLessThanOrEqual(report.firstBrokerDown);
}
