// The KafkaTopic reconciler: read (cache + Kafka), plan (pure), act (Kafka), report (status,
// Events). Level-triggered: every run recomputes from what is there now. The controller keeps
// the finalizer (runtime/controller.ts FinalizerHook): it adds it once the topic's Kafka is
// there, and on deletion calls `finalize` here until the plan lets the finalizer go.
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type { KafkaTopic } from '../api/kafka-topic.ts';
import { kinds } from '../api/kinds.ts';
import { KafkaRequestError, KafkaUnavailableError } from '../kafka/errors.ts';
import type { ClusterDescription, CreatedTopic, KafkaAdminPort } from '../kafka/port.ts';
import { Recent } from '../kafka/recent.ts';
import type { KafkaSecurity } from '../kafka/security.ts';
import {
  AUTHENTICATION_FAILED,
  ExternalCredentialSource,
  type ExternalCredentials,
} from '../external-credentials.ts';
import type { OperatorCredentials } from '../kafka-credentials.ts';
import {
  KAFKA_CLUSTER_SECURING,
  kafkaIdentity,
  resolveKafkaTarget,
  type KafkaTarget,
  type ReplicationBootstrap,
} from '../kafka-target.ts';
import { applyStatusIfChanged } from '../runtime/apply.ts';
import { sleep, type Clock } from '../runtime/clock.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import { isNotFound, type KubeClient } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import { objectKey, resourcePath } from '../runtime/resource.ts';
import type { FinalizeResult, Reconciler } from '../runtime/controller.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { SecretReader } from '../secret-reader.ts';
import { executeTopicAction } from './execute-action.ts';
import {
  changesInPlace,
  planAfterChange,
  planAfterCreate,
  planTopic,
  type LastReconciled,
  type PlanInput,
  type TopicOrigin,
} from './planner.ts';
import {
  claimOf,
  desiredOf,
  desiredReplicationFactor,
  namesakes,
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
  /** The admin for a bootstrap address (shared connections; see kafka/connections.ts), with
   *  TLS/SASL settings for a secured cluster (unset: PLAINTEXT). */
  kafka: (bootstrap: string, security?: KafkaSecurity) => KafkaAdminPort;
  /** The operator's credentials for a secured KafkaCluster (kafka-credentials.ts). */
  credentials?: (cluster: KafkaCluster) => Promise<OperatorCredentials>;
  /** Where a secured cluster is reached; default its bootstrap Service's REPLICATION port. */
  replicationBootstrap?: ReplicationBootstrap;
  /** Reads the Secrets of spec.authentication/spec.tls (bootstrapServers). */
  secrets: SecretReader;
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
  // What this process knows that its cache may not show yet, by resource key: the topic id
  // (and origin) it last wrote to the resource's status or learned from a create's answer —
  // a deletion right after a create must not depend on the status write having reached the
  // watch — and creates sent whose answer never came.
  const records = new Map<string, { uid: string; topicId?: string; origin?: TopicOrigin }>();
  const doubts = new Map<string, { uid: string; sentAt: number }>();
  const forget = (key: string) => {
    records.delete(key);
    doubts.delete(key);
  };

  const external = new ExternalCredentialSource(deps.secrets);
  const byTopicName = deps.topics.index((t) => [topicNameOf(t)]);

  const targetOf = (t: KafkaTopic): KafkaTarget =>
    resolveKafkaTarget(
      t.spec,
      t.metadata.namespace ?? '',
      t.spec.cluster ? deps.clusters.getByName(t.metadata.namespace, t.spec.cluster) : undefined,
      deps.replicationBootstrap,
    );
  // A KafkaCluster's id is in its status; an address is asked (shared with the broker lookups).
  // Unreachable, the address's spelling is all there is to go by.
  const identityOf = async (t: KafkaTopic): Promise<string> => {
    const target = targetOf(t);
    // A secured cluster is a KafkaCluster, named by its id once it has one: nothing to ask.
    if (!target.ready || target.clusterId || target.secured) return kafkaIdentity(target);
    // Another resource's Kafka, reached with that resource's credentials.
    const credentials = target.external
      ? await external.forConnection(target.external, t.metadata.namespace ?? '').catch(() => null)
      : undefined;
    if (credentials === null || credentials?.state === 'invalid') return kafkaIdentity(target);
    const kafka = deps.kafka(target.bootstrap, credentials?.security);
    return clusterInfo
      .get(target.bootstrap, () => kafka.describeCluster())
      .then(
        (c) => kafkaIdentity(target, c.clusterId),
        () => kafkaIdentity(target),
      );
  };

  const report = async (
    key: string,
    t: KafkaTopic,
    ready: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string },
    plan?: Parameters<typeof statusAfter>[1],
  ): Promise<void> => {
    const status = statusAfter(t, plan, ready, new Date(deps.clock.now()));
    if (plan) {
      records.set(key, {
        uid: t.metadata.uid ?? '',
        ...(status.topicId !== undefined ? { topicId: status.topicId } : {}),
        ...(status.origin !== undefined ? { origin: status.origin } : {}),
      });
      if (status.topicId !== undefined) doubts.delete(key);
    }
    await applyStatusIfChanged(deps.client, t, status, { resource: kinds.KafkaTopic });
  };

  /** Ready=False for a problem a person must fix; one Warning Event per new problem. */
  const refuse = async (key: string, t: KafkaTopic, reason: string, message: string) => {
    const previous = t.status?.conditions?.find((c) => c.type === 'Ready');
    if (previous?.reason !== reason || previous.message !== message) {
      void deps.events.record(t, 'Warning', reason, 'Reconcile', message);
    }
    await report(key, t, { status: 'False', reason, message });
  };

  /** The last topic id and origin: this process's own record first (it is never behind its
   *  cache), else the status. */
  const lastOf = (key: string, t: KafkaTopic) => {
    const mine = records.get(key);
    if (mine && mine.uid === t.metadata.uid) {
      const { uid: _uid, ...last } = mine;
      return last;
    }
    return {
      ...(t.status?.topicId ? { topicId: t.status.topicId } : {}),
      ...(t.status?.origin ? { origin: t.status.origin } : {}),
    };
  };
  const doubtOf = (key: string, t: KafkaTopic): PlanInput['createInDoubt'] => {
    const d = doubts.get(key);
    if (!d || d.uid !== t.metadata.uid) return undefined;
    return deps.clock.now() - d.sentAt < createDoubtMs ? 'pending' : 'settled';
  };

  /** One pass over a live or a deleting resource; `released`: the finalizer may go. */
  const pass = async (
    key: string,
    t: KafkaTopic,
    signal?: AbortSignal,
  ): Promise<(ReconcileResult & { released?: true }) | undefined> => {
    const deleting = Boolean(t.metadata.deletionTimestamp);
    const log = deps.logger.child({ kafkatopic: key });

    const target = targetOf(t);
    if (!target.ready) {
      if (deleting && target.reason === 'ClusterNotFound') {
        // The cluster and its data are gone: there is no topic left to delete or keep.
        forget(key);
        return { released: true };
      }
      if (deleting) return { requeueAfterMs: waitMs };
      await report(key, t, { status: 'False', reason: target.reason, message: target.message });
      return { requeueAfterMs: waitMs };
    }

    const fromSecrets: ExternalCredentials | undefined = target.external
      ? await external.forConnection(target.external, t.metadata.namespace ?? '', { deleting })
      : undefined;
    if (fromSecrets?.state === 'invalid') {
      // Its Secrets cannot be used (missing, a key missing, PEM that does not parse): nothing is
      // asked of Kafka. Waits for a person to fix them. Deleting: a resource that never reached
      // Kafka (no topic id on record, no create in doubt; a misspelt secretRef) holds nothing
      // there and is let go; one that did keeps its finalizer (kraftwerk.dev/abandon releases it).
      if (deleting) {
        if (!lastOf(key, t).topicId && !doubts.has(key)) {
          log.info('released: its Kafka was never reached', { reason: fromSecrets.reason });
          forget(key);
          return { released: true };
        }
        return { requeueAfterMs: waitMs };
      }
      await refuse(key, t, fromSecrets.reason, fromSecrets.message);
      return { requeueAfterMs: waitMs };
    }
    const credentials: OperatorCredentials =
      target.secured && deps.credentials
        ? await deps.credentials(target.secured)
        : { state: 'plaintext' };
    if (credentials.state === 'pending') {
      // The cluster is secured and the operator's certificate is not there (yet): nothing can
      // be asked of Kafka. Waits like a cluster that is not Ready; the finalizer stays.
      if (deleting) return { requeueAfterMs: waitMs };
      await report(key, t, {
        status: 'False',
        reason: KAFKA_CLUSTER_SECURING,
        message: credentials.message,
      });
      return { requeueAfterMs: waitMs };
    }
    const kafka = deps.kafka(
      target.bootstrap,
      credentials.state === 'ready' ? credentials.security : fromSecrets?.security,
    );
    const name = topicNameOf(t);
    try {
      const observeAndPlan = async (lastReconciled: LastReconciled) => {
        const candidates = namesakes(t, byTopicName(name));
        // Every look is a fresh Metadata request (never a cached view: deleting must see what
        // Kafka has now, and a create of moments ago may not show at all).
        const [cluster, description, identities] = await Promise.all([
          clusterInfo.get(target.bootstrap, () => kafka.describeCluster()),
          kafka.describeTopic(name),
          Promise.all(candidates.map(identityOf)),
        ]);
        const [configs, reassignments] =
          description && !deleting
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
        const createInDoubt = doubtOf(key, t);
        return planTopic({
          self: claimOf(t),
          desired: desiredOf(t, rf),
          deleting,
          observed: observedOf(description, configs),
          brokers: cluster.brokers.map((b) => b.nodeId),
          reassignments: reassignmentsOf(name, reassignments),
          otherClaims: otherClaims(
            candidates,
            identities,
            kafkaIdentity(target, cluster.clusterId),
          ),
          lastReconciled,
          ...(createInDoubt ? { createInDoubt } : {}),
        });
      };
      const last = lastOf(key, t);
      const plan = await observeAndPlan({ ...last, specUnchanged: specUnchanged(t) });

      let createAnswer: CreatedTopic | null | undefined;
      for (const action of plan.actions) {
        log.info('kafka action', {
          action: action.type,
          topic: name,
          ...(action.type === 'deleteTopic' ? { topicId: action.topicId } : {}),
        });
        if (action.type !== 'createTopic') {
          await executeTopicAction(kafka, action);
          continue;
        }
        const earlier = doubts.get(key);
        doubts.set(key, { uid: t.metadata.uid ?? '', sentAt: deps.clock.now() });
        try {
          createAnswer = (await executeTopicAction(kafka, action)) ?? null;
        } catch (e) {
          // Refused: nothing was made by this create. Unavailable: it may still be made.
          if (e instanceof KafkaRequestError && !earlier) doubts.delete(key);
          throw e;
        }
        if (createAnswer) {
          records.set(key, {
            uid: t.metadata.uid ?? '',
            topicId: createAnswer.topicId,
            origin: 'Created',
          });
          doubts.delete(key);
        } else if (!earlier) {
          doubts.delete(key); // already there: made by someone else, not by this resource
        }
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
        if (plan.finalizer !== 'remove') return { requeueAfterMs: recheckMs };
        forget(key);
        return { released: true };
      }
      let final = plan;
      if (createAnswer) {
        // Kafka's answer says what it made (id, partitions, factor, configs): the whole status
        // at once, without waiting until a broker's metadata shows the topic (measured: on a
        // loaded machine 200 of 300 new topics were still unseen 2 s after their create).
        final = planAfterCreate(plan, createAnswer);
      } else if (createAnswer === null) {
        // Created before but unseen: a few short looks (batched, cheap), then the recheck.
        // Only the facts, the verdict and who made the topic are taken: the other events were
        // the first plan's.
        for (const delayMs of createdSettleMs) {
          if (delayMs > 0) await sleep(deps.clock, delayMs, signal);
          const after = await observeAndPlan({ ...last, specUnchanged: false });
          if (after.actions.length === 0) {
            final = after;
            for (const e of after.events.filter((x) => originEvents.has(x.reason))) {
              void deps.events.record(t, e.type, e.reason, 'Reconcile', e.message);
            }
            break;
          }
        }
        // Still unseen: no status until it can be complete (one without a topicId would make
        // the recheck take the topic for one recreated outside).
        if (final === plan) return { requeueAfterMs: recheckMs };
      } else if (changesInPlace(plan)) {
        // Kafka answering "no error" is not Kafka holding the change: Ready comes from a fresh
        // look afterwards (a broker shows an accepted change within moments).
        const lastNow = {
          ...(plan.status.topicId ? { topicId: plan.status.topicId } : {}),
          ...(plan.status.origin ? { origin: plan.status.origin } : {}),
          specUnchanged: false,
        };
        for (const delayMs of changedSettleMs) {
          await sleep(deps.clock, delayMs, signal);
          final = planAfterChange(plan, await observeAndPlan(lastNow));
          if (final.ready.reason !== 'ChangePending') break;
        }
      }
      try {
        await report(key, t, final.ready, final);
      } catch (e) {
        if (!isNotFound(e) || !createAnswer) throw e;
        // The resource is gone although its finalizer was added before the create: a DELETE
        // that had already decided to delete at once (no finalizer when it read the object)
        // removes it regardless of a finalizer added meanwhile (kubernetes/kubernetes#77988; seen
        // here when a KafkaTopic was deleted milliseconds after it was applied). No deletion
        // reconcile will come,
        // so the topic this reconcile made goes now — by its id, as deletion would.
        forget(key);
        if (t.spec.deletionPolicy !== 'Delete') return undefined;
        log.info('resource deleted during its create; deleting the topic it made', {
          topic: name,
          topicId: createAnswer.topicId,
        });
        await kafka.deleteTopicById(createAnswer.topicId);
        return undefined;
      }
      return final.recheck ? { requeueAfterMs: recheckMs } : undefined;
    } catch (e) {
      if (e instanceof KafkaRequestError) {
        // Kafka refused the change (unknown config key, invalid value, …) or the credentials of
        // spec.authentication: its own words are the most useful message. Retrying at once
        // would not change its mind.
        const reason =
          e.code === 'SASL_AUTHENTICATION_FAILED' ? AUTHENTICATION_FAILED : 'KafkaRejected';
        void deps.events.record(t, 'Warning', reason, 'Reconcile', e.message);
        if (!deleting) await report(key, t, { status: 'False', reason, message: e.message });
        return { requeueAfterMs: waitMs };
      }
      if (e instanceof KafkaUnavailableError && !deleting) {
        await report(key, t, {
          status: 'Unknown',
          reason: 'KafkaUnavailable',
          message: e.message,
        });
      }
      // Unavailable and anything else: the queue retries with backoff. A deleting resource
      // keeps its finalizer until Kafka answers, so the topic is never left behind silently.
      throw e;
    }
  };

  return {
    /** A live resource, or the key of one gone from the cache. */
    reconcile: async (key: string, signal?: AbortSignal): Promise<ReconcileResult | undefined> => {
      const t = deps.topics.get(key);
      if (!t) {
        forget(key);
        return undefined;
      }
      const result = await pass(key, t, signal);
      return result?.requeueAfterMs !== undefined
        ? { requeueAfterMs: result.requeueAfterMs }
        : undefined;
    },
    finalizer: {
      name: topicFinalizer,
      // A topic whose cluster is not there holds nothing in Kafka: it gets the finalizer once
      // its Kafka is reachable, right before the first Kafka request.
      needed: (t: KafkaTopic) => targetOf(t).ready,
      /** A resource being deleted that still carries the finalizer. */
      finalize: async (
        cached: KafkaTopic,
        signal?: AbortSignal,
      ): Promise<FinalizeResult<KafkaTopic>> => {
        const key = objectKey(cached);
        let t = cached;
        if (!records.has(key)) {
          // Nothing of its own on record: the resource as the API server has it now. The cache
          // may lag a status another process wrote moments ago, or still hold a resource this
          // process already released (a second deletion would then act on stale facts); then
          // the next change of the object settles it.
          const live = await freshTopic(deps.client, t);
          if (!live || !live.metadata.finalizers?.includes(topicFinalizer)) {
            forget(key);
            return { done: false };
          }
          t = live;
        }
        const result = await pass(key, t, signal);
        if (result?.released) return { done: true, latest: t };
        return result?.requeueAfterMs !== undefined
          ? { done: false, requeueAfterMs: result.requeueAfterMs }
          : { done: false };
      },
    },
  } satisfies Reconciler<KafkaTopic>;
}

/** The resource as the API server has it now; undefined once it is gone (or replaced). */
async function freshTopic(client: KubeClient, t: KafkaTopic): Promise<KafkaTopic | undefined> {
  try {
    const live = await client.request<KafkaTopic>(
      'GET',
      resourcePath(kinds.KafkaTopic, t.metadata.namespace, t.metadata.name),
    );
    return live.metadata.uid === t.metadata.uid ? live : undefined;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const originEvents = new Set(['TopicAdopted', 'TopicReplacedOutside']);

/** How long a create whose answer never came may still take effect in Kafka: the request's
 *  own timeout (at most 30 s) and Kafka's deadline for it (10 s), with room to spare. */
const createDoubtMs = 60_000;

/** Pauses before each fresh look after an in-place change (about a second in all). */
const changedSettleMs = [50, 250, 700];

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
