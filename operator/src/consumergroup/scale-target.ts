// What a KafkaConsumerGroup may scale, and why a scale target cannot be read or written. Pure:
// the reconciler passes what its caches and the API server said, and gets back a Ready reason
// and a message a person can act on.
import { API_GROUP } from '../api/group-version.ts';
import { kinds } from '../api/kinds.ts';
import { CLUSTER_LABEL } from '../cluster/model/labels.ts';
import { statefulSetNameFor, type Role } from '../cluster/model/node-layout.ts';
import type { KubeObject } from '../runtime/resource.ts';
import { splitApiVersion } from '../runtime/resource.ts';

export interface ScaleTargetRef {
  apiVersion: string;
  kind: string;
  name: string;
}

export type ScaleTargetReason =
  /** kraftwerk refuses it: a KafkaCluster's nodes, or a kraftwerk.dev resource. */
  | 'ScaleTargetForbidden'
  /** The API server's RBAC refuses the operator (403). */
  | 'ScaleAccessDenied'
  /** The kind is served and has a scale subresource, but no object has that name (404). */
  | 'TargetNotFound'
  /** The API server serves no such apiVersion, or no such kind in it. */
  | 'KindNotFound'
  /** The kind exists but has no scale subresource. */
  | 'NoScaleSubresource';

export interface ScaleTargetProblem {
  reason: ScaleTargetReason;
  message: string;
}

const ROLES: readonly Role[] = ['controller', 'broker', 'combined'];

const describeRef = (ref: ScaleTargetRef, namespace: string): string =>
  `${ref.kind} ${namespace}/${ref.name} (${ref.apiVersion})`;

/**
 * Refuses a target kraftwerk itself sizes. A KafkaCluster's StatefulSets are sized by its spec
 * through the roller and the scale planner (drain first, one node at a time); a scale write from
 * here would stop several brokers at once behind their back. Checked from the caches, before any
 * read or write of the target:
 * - `labelled`: the StatefulSet of that name if the cluster-labelled informer holds it;
 * - `clusterNames`: the KafkaClusters in the group's namespace, whose StatefulSet names are
 *   derived (so a target is refused even before its cluster has created it).
 */
export function forbiddenScaleTarget(
  ref: ScaleTargetRef,
  namespace: string,
  labelled: KubeObject | undefined,
  clusterNames: readonly string[],
): ScaleTargetProblem | undefined {
  const { group } = splitApiVersion(ref.apiVersion);
  const what = describeRef(ref, namespace);
  if (group === API_GROUP) {
    return {
      reason: 'ScaleTargetForbidden',
      message: `${what}: a KafkaConsumerGroup does not scale ${API_GROUP} resources (a KafkaCluster's brokers are sized in its spec); point scaleTargetRef at the consumer workload`,
    };
  }
  if (group !== 'apps' || ref.kind !== 'StatefulSet') return undefined;
  const owner = (labelled?.metadata?.ownerReferences ?? []).find(
    (r) => r.kind === kinds.KafkaCluster.kind && splitApiVersion(r.apiVersion).group === API_GROUP,
  );
  const label = labelled?.metadata?.labels?.[CLUSTER_LABEL];
  const cluster =
    owner?.name ??
    label ??
    clusterNames.find((c) => ROLES.some((r) => statefulSetNameFor(c, r) === ref.name));
  if (cluster === undefined) return undefined;
  const how = owner
    ? 'is owned by'
    : label !== undefined
      ? `carries the label ${CLUSTER_LABEL}=${label} of`
      : 'has the name kraftwerk gives a StatefulSet of';
  return {
    reason: 'ScaleTargetForbidden',
    message: `${what} ${how} KafkaCluster ${cluster}: its Kafka nodes are sized by the KafkaCluster's spec, never by a KafkaConsumerGroup; point scaleTargetRef at the consumer workload`,
  };
}

/** What discovery says about the target's apiVersion. */
export type Discovery =
  | { served: false }
  | {
      served: true;
      /** The resource names listed for the apiVersion, subresources included (`deployments/scale`). */
      resources: readonly { name: string; kind: string }[];
    };

/**
 * Why reading or writing the scale failed. `statusCode` is the HTTP status of the failed
 * request, or undefined when the kind could not be resolved at all. undefined: not the target's
 * fault (a timeout, a 5xx): the caller lets the error retry.
 */
export function scaleTargetProblem(
  ref: ScaleTargetRef,
  namespace: string,
  verb: 'get' | 'patch',
  statusCode: number | undefined,
  serverMessage: string,
  discovery: Discovery,
): ScaleTargetProblem | undefined {
  const what = describeRef(ref, namespace);
  if (!discovery.served) {
    return {
      reason: 'KindNotFound',
      message: `${what}: the API server serves no ${ref.apiVersion}; is its CRD installed, and the apiVersion spelled right?`,
    };
  }
  const resource = discovery.resources.find((r) => r.kind === ref.kind && !r.name.includes('/'));
  if (!resource) {
    return {
      reason: 'KindNotFound',
      message: `${what}: ${ref.apiVersion} has no kind ${ref.kind}; kinds are case-sensitive`,
    };
  }
  const scalable = discovery.resources.some((r) => r.name === `${resource.name}/scale`);
  if (!scalable || statusCode === 405) {
    return {
      reason: 'NoScaleSubresource',
      message: `${what}: ${ref.kind} has no scale subresource; scaleTargetRef must name a workload with one (Deployment, StatefulSet, ReplicaSet, or a custom resource whose CRD declares subresources.scale)`,
    };
  }
  const { group } = splitApiVersion(ref.apiVersion);
  if (statusCode === 403) {
    const qualified = group
      ? `${resource.name}/scale in API group ${group}`
      : `${resource.name}/scale`;
    // Deployments and StatefulSets are in the Role every install grants; anything else is opt-in.
    const builtIn = group === 'apps' && ['deployments', 'statefulsets'].includes(resource.name);
    const grant = builtIn
      ? "the install grants it to the operator's Role in every watched namespace: check the Role or ClusterRole bound to the ServiceAccount"
      : `grant get, update and patch on it: Helm value rbac.extraScaleTargets (- { group: ${group || '""'}, resource: ${resource.name} }), or extraScaleTargets of the cdk8s construct`;
    return {
      reason: 'ScaleAccessDenied',
      message: `${what}: the operator's ServiceAccount may not ${verb} ${qualified} in namespace ${namespace}; ${grant}. The API server said: ${serverMessage}`,
    };
  }
  if (statusCode === 404) {
    return {
      reason: 'TargetNotFound',
      message: `${what} does not exist; waiting for it`,
    };
  }
  return undefined;
}

/** Retries of an unusable target: from the poll interval, doubling, at most 30 s (or the poll). */
export function targetRetryMs(pollMs: number, failures: number): number {
  return Math.min(pollMs * 2 ** Math.min(failures - 1, 16), Math.max(pollMs, 30_000));
}
