// What every apply step shares: the context of one reconcile, the uid-preconditioned DELETE,
// the status write and the cluster id. Not pure: these write to the API server.
import type { KafkaCluster } from '../../api/kafka-cluster.ts';
import { kinds } from '../../api/kinds.ts';
import { applyStatus, applyStatusIfChanged, type AppliedOver } from '../../runtime/apply.ts';
import { isConflict, isNotFound } from '../../runtime/kube-client.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { ResourceInfo } from '../../runtime/resource.ts';
import type { KafkaSecurity } from '../../kafka/security.ts';
import { resourcePath } from '../../runtime/resource.ts';
import type { ClusterReconcilerDeps } from '../deps.ts';
import { clusterIdFromBytes } from '../model/quorum-bootstrap.ts';
import { degradedNews, type ClusterStatus } from '../plan/cluster-status.ts';

/** One reconcile of one KafkaCluster, as the apply steps see it. */
export interface StepContext {
  deps: ClusterReconcilerDeps;
  kc: KafkaCluster;
  namespace: string;
  log: Logger;
  /** Where the operator reaches the cluster's brokers. */
  bootstrap: string;
  /** How: the operator's certificate on a secured cluster; unset: PLAINTEXT. */
  security?: KafkaSecurity;
  /** A secured cluster whose operator certificate is missing: why no Kafka request is sent. */
  kafkaPending?: string;
  /** The controller's memory of applies its cache does not show yet. */
  appliedOver: AppliedOver;
}

/**
 * DELETE exactly the object with this uid: a stale cache never deletes a same-named object
 * that replaced the one seen. False when it is gone already (404) or was replaced (409).
 * Without a uid (not in the cache) the DELETE goes without a precondition.
 */
export async function deleteIfUid(
  ctx: StepContext,
  resource: ResourceInfo,
  name: string,
  uid: string | undefined,
  options: { propagationPolicy?: 'Background'; gracePeriodSeconds?: number } = {},
): Promise<boolean> {
  try {
    await ctx.deps.client.request('DELETE', resourcePath(resource, ctx.namespace, name), {
      body: {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        ...(uid ? { preconditions: { uid } } : {}),
        ...options,
      },
    });
    return true;
  } catch (e) {
    if (isNotFound(e) || isConflict(e)) return false;
    throw e;
  }
}

/** Writes the status only when it says something else (compared as values, not as text). */
export async function writeStatus(ctx: StepContext, status: ClusterStatus): Promise<void> {
  await applyStatusIfChanged(ctx.deps.client, ctx.kc, status, { resource: kinds.KafkaCluster });
  const news = degradedNews(ctx.kc.status as ClusterStatus | undefined, status);
  if (news) void ctx.deps.events.warning(ctx.kc, news.reason, 'Reconcile', news.message);
}

/** The cluster id, persisted before anything that carries it is applied. */
export async function ensureClusterId(
  ctx: StepContext,
  random: (n: number) => Uint8Array,
): Promise<string> {
  const { deps, kc } = ctx;
  if (kc.status?.clusterId) return kc.status.clusterId;
  // The cache may lag behind our own last write: ask the API server before generating.
  const fresh = await deps.client.get<KafkaCluster>(
    kinds.KafkaCluster,
    kc.metadata.namespace,
    kc.metadata.name ?? '',
  );
  if (fresh?.status?.clusterId) return fresh.status.clusterId;
  const clusterId = clusterIdFromBytes(random(16));
  // status.clusterId is immutable (CEL): should another writer have set one meanwhile, this
  // apply fails and the retry reads theirs.
  await applyStatus(
    deps.client,
    kc,
    { ...(fresh?.status ?? {}), clusterId },
    { resource: kinds.KafkaCluster },
  );
  deps.logger.info('cluster id generated', { kafkacluster: kc.metadata.name, clusterId });
  void deps.events.normal(kc, 'ClusterIdGenerated', 'Create', `cluster id ${clusterId}`);
  return clusterId;
}

/** On a secured cluster, the operator's identity (its <c>-operator-certs Secret) for every
 *  Kafka request of this reconcile; while that Secret is missing, why none is sent. */
export async function connectAsOperator(ctx: StepContext): Promise<void> {
  const credentials = ctx.deps.credentials ? await ctx.deps.credentials(ctx.kc) : undefined;
  if (credentials?.state === 'ready') ctx.security = credentials.security;
  if (credentials?.state === 'pending') {
    ctx.kafkaPending = credentials.message;
    // Repeats of the same Event become one series (runtime/event-series.ts).
    void ctx.deps.events.warning(ctx.kc, credentials.reason, 'Connect', credentials.message);
  }
}
