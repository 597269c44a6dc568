// The KafkaConsumerGroup reconciler, run once per poll interval per group, on the multiples of
// the interval since the epoch (poll-clock.ts): read offsets (batched with the other groups
// polling in the same moment), fold them into this process's sample windows, decide (pure
// policy), scale the target through its scale subresource, and report status, Events and
// metrics. Any read error holds the current size and says so: an error is never read as zero
// lag. A target that cannot or must not be scaled (a KafkaCluster's StatefulSet, RBAC, missing,
// no scale subresource) is a Ready=False condition and one Warning Event, retried with a growing
// delay, never an exception.
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type { StatefulSetObject } from '../cluster/observe/cluster-resource.ts';
import type { KafkaConsumerGroup } from '../api/kafka-consumer-group.ts';
import { kinds } from '../api/kinds.ts';
import { KafkaRequestError } from '../kafka/errors.ts';
import type { KafkaAdminPort } from '../kafka/port.ts';
import type { KafkaSecurity } from '../kafka/security.ts';
import { AUTHENTICATION_FAILED, ExternalCredentialSource } from '../external-credentials.ts';
import type { OperatorCredentials } from '../kafka-credentials.ts';
import {
  KAFKA_CLUSTER_SECURING,
  resolveKafkaTarget,
  type ReplicationBootstrap,
} from '../kafka-target.ts';
import { applyStatusIfChanged } from '../runtime/apply.ts';
import type { Clock } from '../runtime/clock.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import {
  isNotFound,
  KubeApiError,
  UnknownKindError,
  type KubeClient,
} from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Registry } from '../runtime/metrics.ts';
import { groupVersionPath, resourcePath, type ResourceInfo } from '../runtime/resource.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { SecretReader } from '../secret-reader.ts';
import {
  autoscaleStep,
  freshMemory,
  type AutoscalerMemory,
  type AutoscaleStep,
} from './autoscale.ts';
import { pollFrom, statusFor, topicsToWatch, type ReadyReason } from './group-resource.ts';
import { defaultObserveSettings, type Poll } from './observe.ts';
import { nextPollDelayMs } from './poll-clock.ts';
import {
  forbiddenScaleTarget,
  scaleTargetProblem,
  targetRetryMs,
  type Discovery,
  type ScaleTargetProblem,
  type ScaleTargetRef,
} from './scale-target.ts';
import { invalidSettingsReason, scalingSettingsFromSpec } from './settings.ts';

export interface ConsumerGroupReconcilerDeps {
  client: KubeClient;
  groups: Informer<KafkaConsumerGroup>;
  clusters: Informer<KafkaCluster>;
  /** The StatefulSets carrying the cluster label: a group must never scale one of them. */
  statefulSets: Informer<StatefulSetObject>;
  /** The admin for a bootstrap address, with TLS/SASL for a secured cluster (unset: PLAINTEXT). */
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
  registry: Registry;
}

interface Scale {
  spec?: { replicas?: number };
  status?: { replicas?: number };
}

export function consumerGroupReconciler(deps: ConsumerGroupReconcilerDeps) {
  // Sample windows live in this process: rates need history. After a restart they refill
  // within a few polls; the dwell survives through status.lastScaleTime.
  const memory = new Map<string, { uid: string; memory: AutoscalerMemory }>();
  // Consecutive polls whose target could not be used: the retry delay doubles with each.
  const targetFailures = new Map<string, number>();
  const external = new ExternalCredentialSource(deps.secrets);
  const gauges = {
    lag: deps.registry.gauge(
      'kraftwerk_consumergroup_lag',
      'Messages the group is behind, summed over its partitions.',
      ['namespace', 'name', 'group'],
    ),
    timeLag: deps.registry.gauge(
      'kraftwerk_consumergroup_time_lag_seconds',
      'Estimated seconds the group is behind.',
      ['namespace', 'name', 'group'],
    ),
    desired: deps.registry.gauge(
      'kraftwerk_consumergroup_desired_replicas',
      'Replicas the autoscaler wants.',
      ['namespace', 'name', 'group'],
    ),
    health: deps.registry.gauge(
      'kraftwerk_consumergroup_health',
      "1 for the group's current health (Ok, Lagging, Stalled, Stopped), 0 for the others.",
      ['namespace', 'name', 'group', 'health'],
    ),
  };

  return async (key: string): Promise<ReconcileResult | undefined> => {
    const g = deps.groups.get(key);
    if (!g) {
      memory.delete(key);
      targetFailures.delete(key);
      const [namespace, name] = key.split('/');
      for (const gauge of Object.values(gauges))
        gauge.removeMatching({ namespace: namespace ?? '', name: name ?? '' });
      return undefined;
    }
    const now = deps.clock.now();
    const pollMs = g.spec.pollIntervalSeconds * 1000;
    const labels = {
      namespace: g.metadata.namespace ?? '',
      name: g.metadata.name ?? '',
      group: g.spec.groupId,
    };
    const report = async (input: Omit<Parameters<typeof statusFor>[1], 'now'>): Promise<void> => {
      const status = statusFor(g, { ...input, now: new Date(now) });
      await applyStatusIfChanged(deps.client, g, status, { resource: kinds.KafkaConsumerGroup });
    };
    const lastScaleTime = g.status?.lastScaleTime ? Date.parse(g.status.lastScaleTime) : null;

    const settings = scalingSettingsFromSpec(g.spec);
    const invalid = invalidSettingsReason(settings);
    if (invalid) {
      await report({
        step: undefined,
        currentReplicas: undefined,
        lastScaleTime,
        ready: { status: 'False', reason: 'InvalidSettings', message: invalid },
      });
      return undefined;
    }

    // The workload first: without it there is nothing to scale, whatever Kafka says.
    const ref = g.spec.scaleTargetRef;
    const namespace = g.metadata.namespace ?? '';
    const unusableTarget = async (problem: ScaleTargetProblem): Promise<ReconcileResult> => {
      const previous = g.status?.conditions?.find((c) => c.type === 'Ready');
      // One Event and one log line per new problem, not one per retry.
      if (previous?.reason !== problem.reason || previous.message !== problem.message) {
        void deps.events.record(g, 'Warning', problem.reason, 'Scale', problem.message);
        deps.logger.warn('scale target unusable', {
          kafkaconsumergroup: key,
          reason: problem.reason,
          message: problem.message,
        });
      }
      await report({
        step: undefined,
        currentReplicas: undefined,
        lastScaleTime,
        ready: { status: 'False', ...problem },
      });
      const failures = (targetFailures.get(key) ?? 0) + 1;
      targetFailures.set(key, failures);
      return { requeueAfterMs: targetRetryMs(pollMs, failures) };
    };

    // Before anything touches the target: a KafkaCluster's own StatefulSets are never scaled.
    const clusterNames = () => deps.clusters.list(namespace).map((c) => c.metadata.name ?? '');
    const forbidden = forbiddenScaleTarget(
      ref,
      namespace,
      deps.statefulSets.getByName(namespace, ref.name),
      clusterNames(),
    );
    if (forbidden) return unusableTarget(forbidden);

    let info: ResourceInfo;
    let scalePath: string;
    let scale: Scale;
    try {
      info = await deps.client.resource(ref.apiVersion, ref.kind);
      scalePath = resourcePath(info, namespace, ref.name, 'scale');
      scale = await deps.client.request<Scale>('GET', scalePath);
    } catch (e) {
      const problem = await diagnoseScaleError(deps.client, ref, namespace, 'get', e);
      if (!problem) throw e;
      return unusableTarget(problem);
    }
    targetFailures.delete(key);
    const current = scale.spec?.replicas ?? 0;

    const target = resolveKafkaTarget(
      g.spec,
      g.metadata.namespace ?? '',
      g.spec.cluster ? deps.clusters.getByName(g.metadata.namespace, g.spec.cluster) : undefined,
      deps.replicationBootstrap,
    );
    const credentials: OperatorCredentials =
      target.ready && target.secured && deps.credentials
        ? await deps.credentials(target.secured)
        : { state: 'plaintext' };
    const fromSecrets =
      target.ready && target.external
        ? await external.forConnection(target.external, namespace)
        : undefined;
    let poll: Poll;
    let readyReason: ReadyReason = 'Polling';
    let readyMessage = '';
    if (!target.ready) {
      poll = { kind: 'error', time: now, error: target.message };
      readyReason = target.reason;
      readyMessage = target.message;
    } else if (credentials.state === 'pending') {
      // Secured cluster, operator certificate not there (yet): hold, like a cluster not Ready.
      poll = { kind: 'error', time: now, error: credentials.message };
      readyReason = KAFKA_CLUSTER_SECURING;
      readyMessage = credentials.message;
    } else if (fromSecrets?.state === 'invalid') {
      // The Secrets of spec.authentication/spec.tls cannot be used: Kafka is not asked.
      poll = { kind: 'error', time: now, error: fromSecrets.message };
      readyReason = fromSecrets.reason;
      readyMessage = `holding ${current} replica(s): ${fromSecrets.message}`;
    } else {
      let missingTopics: readonly string[] = [];
      let refusedCredentials = false;
      const security = credentials.state === 'ready' ? credentials.security : fromSecrets?.security;
      try {
        const read = await readPoll(deps.kafka(target.bootstrap, security), g, now);
        poll = read.poll;
        missingTopics = read.missingTopics;
      } catch (e) {
        refusedCredentials =
          e instanceof KafkaRequestError && e.code === 'SASL_AUTHENTICATION_FAILED';
        poll = { kind: 'error', time: now, error: e instanceof Error ? e.message : String(e) };
      }
      if (poll.kind === 'error') {
        readyReason =
          missingTopics.length > 0
            ? 'TopicNotFound'
            : refusedCredentials
              ? AUTHENTICATION_FAILED
              : 'KafkaUnavailable';
        readyMessage = `holding ${current} replica(s): ${poll.error}`;
      }
    }
    // A problem with credentials is one Warning Event when it starts or changes, not one a poll.
    const previousReady = g.status?.conditions?.find((c) => c.type === 'Ready');
    if (
      authenticationReasons.has(readyReason) &&
      (previousReady?.reason !== readyReason || previousReady.message !== readyMessage)
    ) {
      void deps.events.record(g, 'Warning', readyReason, 'Poll', readyMessage);
    }

    let entry = memory.get(key);
    if (!entry || entry.uid !== g.metadata.uid) {
      entry = { uid: g.metadata.uid ?? '', memory: freshMemory(now, current, lastScaleTime) };
      memory.set(key, entry);
    }
    const step: AutoscaleStep = autoscaleStep(entry.memory, poll, current, settings, {
      ...defaultObserveSettings,
      offsetResetPolicy: g.spec.offsetResetPolicy,
    });
    entry.memory = step.memory;

    let replicas = current;
    let scaledAt = lastScaleTime;
    const desired = step.decision.desiredReplicas;
    if (poll.kind === 'offsets' && desired !== current) {
      // The cache may not have seen a StatefulSet just labelled; the object itself is read
      // before a write (writes are rare; /scale carries no labels).
      if (info.group === 'apps' && info.kind === 'StatefulSet') {
        const live = await deps.client.get(info, namespace, ref.name);
        const refused = forbiddenScaleTarget(ref, namespace, live, clusterNames());
        if (refused) return unusableTarget(refused);
      }
      try {
        await deps.client.request('PATCH', scalePath, {
          body: { spec: { replicas: desired } },
          contentType: 'application/merge-patch+json',
        });
      } catch (e) {
        // RBAC may allow get but not patch, or the target went away since it was read.
        const problem = await diagnoseScaleError(deps.client, ref, namespace, 'patch', e);
        if (!problem) throw e;
        return unusableTarget(problem);
      }
      replicas = desired;
      scaledAt = now;
      const why = step.decision.reasons.join('; ');
      void deps.events.record(
        g,
        'Normal',
        desired > current ? 'ScaledUp' : 'ScaledDown',
        'Scale',
        `${ref.kind} ${ref.name}: ${current} → ${desired} replicas (${step.decision.sizing}): ${why}`,
      );
      deps.logger.info('scaled', {
        kafkaconsumergroup: key,
        from: current,
        to: desired,
        sizing: step.decision.sizing,
      });
    }

    if (step.figures) {
      gauges.lag.set(labels, step.figures.lag.total);
      if (step.figures.lag.timeLagSeconds !== null)
        gauges.timeLag.set(labels, step.figures.lag.timeLagSeconds);
      for (const h of ['Ok', 'Lagging', 'Stalled', 'Stopped'])
        gauges.health.set({ ...labels, health: h }, h === step.figures.health ? 1 : 0);
    }
    gauges.desired.set(labels, desired);

    await report({
      step,
      currentReplicas: replicas,
      lastScaleTime: scaledAt,
      ready:
        readyReason === 'Polling'
          ? {
              status: 'True',
              reason: 'Polling',
              message: `lag measured every ${g.spec.pollIntervalSeconds}s`,
            }
          : { status: 'False', reason: readyReason, message: readyMessage },
    });
    // On the shared clock, so groups with this interval poll together and share Kafka requests.
    return { requeueAfterMs: nextPollDelayMs(now, deps.clock.now(), pollMs) };
  };
}

const authenticationReasons = new Set<ReadyReason>([
  'AuthenticationSecretNotFound',
  'AuthenticationSecretInvalid',
  'AuthenticationFailed',
]);

/**
 * Why a scale read or write failed, when the target is to blame: the status code says forbidden
 * or not found, and discovery tells a missing object from a kind without a scale subresource
 * (both are 404 on /scale, and RBAC answers 403 before routing even for kinds without one).
 * undefined for anything else (timeouts, 5xx): those are retried as errors.
 */
async function diagnoseScaleError(
  client: KubeClient,
  ref: ScaleTargetRef,
  namespace: string,
  verb: 'get' | 'patch',
  err: unknown,
): Promise<ScaleTargetProblem | undefined> {
  // Decided by type and status code only: an UnknownKindError is the kind lookup finding
  // nothing (statusCode undefined); any other error (network, timeout) is not the target's fault.
  let statusCode: number | undefined;
  if (err instanceof KubeApiError) statusCode = err.statusCode;
  else if (!(err instanceof UnknownKindError)) return undefined;
  if (statusCode !== undefined && ![403, 404, 405].includes(statusCode)) return undefined;
  let discovery: Discovery;
  try {
    const list = await client.request<{ resources?: { name: string; kind: string }[] }>(
      'GET',
      groupVersionPath(ref.apiVersion),
    );
    discovery = { served: true, resources: list.resources ?? [] };
  } catch (e) {
    if (!isNotFound(e)) return undefined;
    discovery = { served: false };
  }
  const serverMessage = err instanceof KubeApiError ? (err.status?.message ?? err.message) : '';
  return scaleTargetProblem(ref, namespace, verb, statusCode, serverMessage, discovery);
}

/** One poll: committed offsets, the topics' partitions, their offset ranges, the members. */
async function readPoll(
  kafka: KafkaAdminPort,
  g: KafkaConsumerGroup,
  now: number,
): Promise<{ poll: Poll; missingTopics: readonly string[] }> {
  const [committed, group] = await Promise.all([
    kafka.fetchCommittedOffsets(g.spec.groupId, g.spec.topics),
    kafka.describeGroup(g.spec.groupId),
  ]);
  const names = topicsToWatch(g.spec, committed);
  const described = await Promise.all(names.map((n) => kafka.describeTopic(n)));
  const missing = names.filter((_, i) => described[i] === null);
  if (missing.length > 0) {
    const error = `topic ${missing.join(', ')} does not exist`;
    return { poll: { kind: 'error', time: now, error }, missingTopics: missing };
  }
  const topics = described.filter((d) => d !== null);
  const ranges = await kafka.fetchOffsetRanges(
    topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition }))),
  );
  return { poll: pollFrom({ committed, topics, ranges, group }, now), missingTopics: [] };
}
