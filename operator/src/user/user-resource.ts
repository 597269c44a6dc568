// Maps a KafkaUser and what surrounds it (its cluster, the other KafkaUsers, its Secret) onto
// the questions the reconcile asks, pure: the user name, who owns a user name, whether the
// cluster can have this user at all (preflight), and the user Secret's identity.
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import { RESERVED_USERNAMES, type KafkaUser } from '../api/kafka-user.ts';
import { clusterRef } from '../cluster/model/cluster-model.ts';
import { roleLayouts } from '../cluster/model/node-layout.ts';
import { superUsers } from '../cluster/model/security.ts';
import type { KafkaTarget } from '../kafka-target.ts';
import type { KubeObject } from '../runtime/resource.ts';
import { principalOf } from './acl-plan.ts';
import { refused, type Verdict } from './user-status.ts';

export const USER_FINALIZER = 'kraftwerk.dev/user';
/** On the user Secret: the KafkaUser (name) it belongs to; the operator watches Secrets by it. */
export const USER_LABEL = 'kraftwerk.dev/user';
export const CLUSTER_LABEL = 'kraftwerk.dev/cluster';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** On the user Secret of a user with a referenced password: which password it was made from
 *  (hex sha256 of the Secret's uid, ':' and the password), so a changed password is seen
 *  without keeping the password anywhere else. */
export const PASSWORD_HASH_ANNOTATION = 'kraftwerk.dev/password-hash';

export function usernameOf(u: Pick<KafkaUser, 'spec' | 'metadata'>): string {
  return u.spec.username ?? u.metadata.name ?? '';
}

/** The user Secret has the KafkaUser's name. */
export function secretNameOf(u: KafkaUser): string {
  return u.metadata.name ?? '';
}

export function userKey(u: KubeObject): string {
  return `${u.metadata?.namespace ?? ''}/${u.metadata?.name ?? ''}`;
}

/**
 * Which KafkaUser of the same cluster holds `u`'s user name: the oldest (creationTimestamp),
 * then the first by name. undefined when it is `u` itself.
 */
export function usernameHolder(u: KafkaUser, all: readonly KafkaUser[]): KafkaUser | undefined {
  const name = usernameOf(u);
  const rivals = all.filter(
    (o) =>
      o.metadata.namespace === u.metadata.namespace &&
      o.spec.cluster === u.spec.cluster &&
      usernameOf(o) === name,
  );
  const order = (o: KafkaUser) =>
    [o.metadata.creationTimestamp ?? '', o.metadata.name ?? ''] as const;
  const first = [...rivals, u].sort((a, b) => {
    const [ta, na] = order(a);
    const [tb, nb] = order(b);
    return ta < tb ? -1 : ta > tb ? 1 : na < nb ? -1 : na > nb ? 1 : 0;
  })[0];
  return first && first.metadata.uid !== u.metadata.uid ? first : undefined;
}

/** Principals the cluster keeps for itself: its nodes, the operator, the spec's super users,
 *  and the names Kafka gives meaning to. */
export function reservedPrincipals(cluster: KafkaCluster): string[] {
  return [
    ...superUsers(cluster.spec, roleLayouts(clusterRef(cluster), cluster.spec)),
    ...RESERVED_USERNAMES.map(principalOf),
  ];
}

/**
 * Whether `u` can be reconciled against `target` (its cluster) at all: the reasons that stop
 * a reconcile before anything is read or written. What a person must fix (listener,
 * authorization, user name) comes before what resolves by itself (the cluster getting ready).
 * `listener` is the listener the Secret would configure, or why there is none.
 */
export function preflight(input: {
  user: KafkaUser;
  target: KafkaTarget;
  cluster: KafkaCluster | undefined;
  allUsers: readonly KafkaUser[];
  listener: { error: string } | object | undefined;
}): Verdict | undefined {
  const { user: u, target, cluster } = input;
  const name = usernameOf(u);
  const principal = principalOf(name);
  if (!cluster) {
    return target.ready
      ? refused('ClusterNotFound', `KafkaCluster ${u.spec.cluster} does not exist`)
      : refused(target.reason, target.message);
  }
  // What a person must change is said at once, before waiting for the cluster to be ready.
  const type = u.spec.authentication.type;
  const listenerError =
    input.listener && 'error' in input.listener ? input.listener.error : undefined;
  if (!cluster.spec.listeners.some((l) => l.authentication?.type === type)) {
    return refused(
      'NoMatchingListener',
      listenerError ??
        `KafkaCluster ${u.spec.cluster} has no listener with authentication type ${type}: add one`,
    );
  }
  if ((u.spec.authorization?.acls.length ?? 0) > 0 && !cluster.spec.authorization) {
    return refused(
      'AuthorizationDisabled',
      `the KafkaUser declares ACLs and KafkaCluster ${u.spec.cluster} has no authorization: Kafka would not check them; set spec.authorization: {type: simple} on the cluster, or remove spec.authorization from the user`,
    );
  }
  if (reservedPrincipals(cluster).includes(principal)) {
    return refused(
      'ReservedUsername',
      `${principal} is a super user or node identity of KafkaCluster ${u.spec.cluster}; choose another spec.username`,
    );
  }
  const holder = usernameHolder(u, input.allUsers);
  if (holder) {
    return refused(
      'UsernameConflict',
      `KafkaUser ${holder.metadata.name} (older) already declares user ${name} on KafkaCluster ${u.spec.cluster}; set another spec.username, or delete one of them`,
    );
  }
  if (!target.ready) return refused(target.reason, target.message);
  // The listener is in the spec and its address not yet in the status: the cluster is coming.
  if (listenerError) return refused('ClusterNotReady', listenerError);
  return undefined;
}

/** Whether `owned` is controlled by `owner` (an ownerReference with controller=true and its uid). */
export function controlledBy(owned: KubeObject, owner: KubeObject): boolean {
  return (
    owned.metadata?.ownerReferences?.some(
      (r) => r.controller === true && r.uid === owner.metadata?.uid,
    ) ?? false
  );
}
