// The KafkaTopic reconciler: read (cache + Kafka), plan (pure), act (Kafka), report (status,
// Events, finalizer). Level-triggered: every run recomputes from what is there now.
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type { KafkaTopic } from '../api/kafka-topic.ts';
import { KafkaRequestError, KafkaUnavailableError } from '../kafka/errors.ts';
import type { ClusterDescription, CreatedTopic, KafkaAdminPort } from '../kafka/port.ts';
import { Recent } from '../kafka/recent.ts';
import { resolveKafkaTarget, type KafkaTarget } from '../kafka-target.ts';
import { applyStatus, sameJson } from '../runtime/apply.ts';
import { sleep, type Clock } from '../runtime/clock.ts';
import type { EventRecorder } from '../runtime/events.ts';
import { addFinalizer, removeFinalizer } from '../runtime/finalizers.ts';
import type { Informer } from '../runtime/informer.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import { executeTopicAction } from './execute-action.ts';
import { planAfterCreate, planTopic, type LastReconciled } from './planner.ts';
import {
  claimOf,
  desiredOf,
  desiredReplicationFactor,
  observedOf,
  otherClaims,
  reassignmentsOf,
  specUnchanged,
  statusAfter,
  topicFinalizer,
  topicNameOf,
} from './topic-resource.ts';

export interface TopicReconcilerDeps {
  client: KubeClient;
  topics: Informer<KafkaTopic>;
  clusters: Informer<KafkaCluster>;
  /** The admin for a bootstrap address (shared connections; see kafka/connections.ts). */
  kafka: (bootstrap: string) => KafkaAdminPort;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
  /** How soon to look again while Kafka is still carrying a change out. */
  recheckMs?: number;
  /** How soon to look again while the cluster is not ready or Kafka refused a change. */
  waitMs?: number;
}

export function topicReconciler(deps: TopicReconcilerDeps) {
  const recheckMs = deps.recheckMs ?? 2_000;
  const waitMs = deps.waitMs ?? 15_000;
  // Brokers change rarely; a burst of reconciles shares one metadata request per cluster.
  const clusterInfo = new Recent<string, ClusterDescription>(5_000, () => deps.clock.now());

  const targetOf = (t: KafkaTopic): KafkaTarget =>
    resolveKafkaTarget(
      t.spec,
      t.metadata.namespace ?? '',
      t.spec.cluster ? deps.clusters.getByName(t.metadata.namespace, t.spec.cluster) : undefined,
    );
  const targetKey = (t: KafkaTopic): string => {
    const target = targetOf(t);
    return target.ready ? target.key : `cluster:${t.metadata.namespace}/${t.spec.cluster}`;
  };

  const report = async (
    t: KafkaTopic,
    ready: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string },
    plan?: Parameters<typeof statusAfter>[1],
  ): Promise<void> => {
    const status = statusAfter(t, plan, ready, new Date(deps.clock.now()));
    // Unchanged status: no write, so a quiet resync costs the API server nothing.
    if (sameJson(t.status ?? {}, status)) return;
    await applyStatus(deps.client, t, status);
  };

  return async (key: string, signal?: AbortSignal): Promise<ReconcileResult | undefined> => {
    const t = deps.topics.get(key);
    if (!t) return undefined;
    const deleting = Boolean(t.metadata.deletionTimestamp);
    const log = deps.logger.child({ kafkatopic: key });

    const target = targetOf(t);
    if (!target.ready) {
      if (deleting && target.reason === 'ClusterNotFound') {
        // The cluster and its data are gone: there is no topic left to delete or keep.
        await removeFinalizer(deps.client, t, topicFinalizer);
        return undefined;
      }
      if (deleting) return { requeueAfterMs: waitMs };
      await report(t, { status: 'False', reason: target.reason, message: target.message });
      return { requeueAfterMs: waitMs };
    }

    if (!deleting) await addFinalizer(deps.client, t, topicFinalizer);
    const kafka = deps.kafka(target.bootstrap);
    const name = topicNameOf(t);
    try {
      const observeAndPlan = async (lastReconciled: LastReconciled) => {
        const [cluster, description] = await Promise.all([
          clusterInfo.get(target.bootstrap, () => kafka.describeCluster()),
          kafka.describeTopic(name),
        ]);
        const [configs, reassignments] = description
          ? await Promise.all([
              kafka.describeTopicConfigs(name),
              // A running reassignment shows as replica counts off the declared factor (Kafka
              // lists adding replicas too); only then is it worth a cluster-wide request.
              mayBeReassigning(t, description.partitions)
                ? kafka.listPartitionReassignments([name])
                : Promise.resolve([]),
            ])
          : [undefined, []];
        const clusterDefault = t.spec.cluster
          ? numberOrUndefined(
              deps.clusters.getByName(t.metadata.namespace, t.spec.cluster)?.spec.config?.[
                'default.replication.factor'
              ],
            )
          : undefined;
        const rf = desiredReplicationFactor(t, clusterDefault, description, cluster.brokers.length);
        return planTopic({
          self: claimOf(t),
          desired: desiredOf(t, rf),
          deleting,
          observed: observedOf(description, configs),
          brokers: cluster.brokers.map((b) => b.nodeId),
          reassignments: reassignmentsOf(name, reassignments),
          otherClaims: otherClaims(t, deps.topics.list(), targetKey),
          lastReconciled,
        });
      };
      const plan = await observeAndPlan({
        ...(t.status?.topicId ? { topicId: t.status.topicId } : {}),
        specUnchanged: specUnchanged(t),
      });

      let createAnswer: CreatedTopic | null | undefined;
      for (const action of plan.actions) {
        log.info('kafka action', { action: action.type, topic: name });
        const answer = await executeTopicAction(kafka, action);
        if (action.type === 'createTopic') createAnswer = answer;
      }
      // "Already exists": the topic was there all along, just not yet in the broker's
      // metadata (created moments ago); nothing was recreated.
      const events =
        createAnswer === null
          ? plan.events.filter((e) => e.reason !== 'TopicRecreated')
          : plan.events;
      for (const e of events) {
        void deps.events.record(t, e.type, e.reason, 'Reconcile', e.message);
      }
      if (deleting) {
        if (plan.finalizer === 'remove') await removeFinalizer(deps.client, t, topicFinalizer);
        return undefined;
      }
      let final = plan;
      if (createAnswer) {
        // Kafka's answer says what it made (id, partitions, factor, configs): the whole status
        // at once, without waiting until a broker's metadata shows the topic (measured: on a
        // loaded machine 200 of 300 new topics were still unseen 2 s after their create).
        final = planAfterCreate(plan, createAnswer);
      } else if (createAnswer === null) {
        // Created before but unseen: a few short looks (batched, cheap), then the recheck.
        // Only the facts and verdict are taken: the events were the first plan's.
        for (const delayMs of createdSettleMs) {
          if (delayMs > 0) await sleep(deps.clock, delayMs, signal);
          const after = await observeAndPlan({ specUnchanged: false });
          if (after.actions.length === 0) {
            final = after;
            break;
          }
        }
        // Still unseen: no status until it can be complete (one without a topicId would make
        // the recheck take the topic for one recreated outside).
        if (final === plan) return { requeueAfterMs: recheckMs };
      }
      await report(t, final.ready, final);
      return final.recheck ? { requeueAfterMs: recheckMs } : undefined;
    } catch (e) {
      if (e instanceof KafkaRequestError) {
        // Kafka refused the change (unknown config key, invalid value, …): its own words are
        // the most useful message. Retrying at once would not change its mind.
        void deps.events.record(t, 'Warning', 'KafkaRejected', 'Reconcile', e.message);
        if (!deleting)
          await report(t, { status: 'False', reason: 'KafkaRejected', message: e.message });
        return { requeueAfterMs: waitMs };
      }
      if (e instanceof KafkaUnavailableError && !deleting) {
        await report(t, { status: 'Unknown', reason: 'KafkaUnavailable', message: e.message });
      }
      // Unavailable and anything else: the queue retries with backoff. A deleting resource
      // keeps its finalizer until Kafka answers, so the topic is never left behind silently.
      throw e;
    }
  };
}

/** Pauses before each look at a topic created earlier but not yet seen (half a second in all). */
const createdSettleMs = [0, 100, 400];

function mayBeReassigning(
  t: KafkaTopic,
  partitions: readonly { replicas: readonly number[] }[],
): boolean {
  const factors = new Set(partitions.map((p) => p.replicas.length));
  const want = t.spec.replicationFactor;
  // Without a factor in the status yet (a new topic), the spec's is what to compare with:
  // otherwise every new topic cost an unbatched listing (1,000 requests for 1,000 topics).
  const known = t.status?.replicationFactor ?? want;
  return (
    factors.size > 1 || (want !== undefined && !factors.has(want)) || known !== [...factors][0]
  );
}

function numberOrUndefined(v: string | number | boolean | undefined): number | undefined {
  const n = Number(v);
  return v === undefined || !Number.isInteger(n) ? undefined : n;
}
