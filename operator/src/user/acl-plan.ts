// The ACLs of a KafkaUser, pure: the spec's entries as Kafka's bindings (one per operation), and
// the difference to what Kafka holds for the principal. The KafkaUser owns its principal: every
// binding of User:<username> that the spec does not declare goes, whoever made it. Deletions use
// exact filters (every field set, no ANY), so a delete can never take a binding the plan did not
// name — a filter with ANY in it would also match bindings created a moment later.
import { KAFKA_CLUSTER_RESOURCE_NAME, type KafkaUserAcl } from '../api/kafka-user.ts';
import type { AclBinding, AclFilter, AclOperation, AclResourceType } from '../kafka/user-port.ts';

export function principalOf(username: string): string {
  return `User:${username}`;
}

const RESOURCE_TYPES: Record<KafkaUserAcl['resource']['type'], AclResourceType> = {
  topic: 'TOPIC',
  group: 'GROUP',
  cluster: 'CLUSTER',
  transactionalId: 'TRANSACTIONAL_ID',
};

/** `DescribeConfigs` → `DESCRIBE_CONFIGS`: the spec spells operations as Kafka's CLI does,
 *  the wire as Kafka's enum names. */
export function wireOperation(op: KafkaUserAcl['operations'][number]): AclOperation {
  return op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() as AclOperation;
}

/** The bindings the spec declares, without duplicates, in a stable order. */
export function desiredAcls(username: string, acls: readonly KafkaUserAcl[]): AclBinding[] {
  const principal = principalOf(username);
  const out = new Map<string, AclBinding>();
  for (const acl of acls) {
    const resourceType = RESOURCE_TYPES[acl.resource.type];
    const cluster = acl.resource.type === 'cluster';
    for (const op of acl.operations) {
      const b: AclBinding = {
        resourceType,
        resourceName: cluster ? KAFKA_CLUSTER_RESOURCE_NAME : (acl.resource.name ?? ''),
        patternType: cluster || acl.resource.patternType !== 'prefix' ? 'LITERAL' : 'PREFIXED',
        principal,
        host: acl.host ?? '*',
        operation: wireOperation(op),
        permissionType: acl.type === 'deny' ? 'DENY' : 'ALLOW',
      };
      out.set(aclKey(b), b);
    }
  }
  return [...out.values()];
}

/** Identity of a binding: all seven fields. */
export function aclKey(b: AclBinding): string {
  return [
    b.resourceType,
    b.patternType,
    b.resourceName,
    b.principal,
    b.host,
    b.operation,
    b.permissionType,
  ].join('\u0000');
}

/** Every binding of the principal, whatever resource, pattern, host, operation or permission. */
export function principalFilter(principal: string): AclFilter {
  return {
    resourceType: 'ANY',
    resourceName: null,
    patternType: 'ANY',
    principal,
    host: null,
    operation: 'ANY',
    permissionType: 'ANY',
  };
}

/** A filter matching exactly this binding and nothing else. */
export function exactFilter(b: AclBinding): AclFilter {
  return { ...b };
}

export interface AclPlan {
  /** Declared and not in Kafka. */
  readonly create: readonly AclBinding[];
  /** In Kafka and not declared. */
  readonly remove: readonly AclBinding[];
  /** One exact filter per binding of `remove`, same order. */
  readonly deleteFilters: readonly AclFilter[];
}

/** What to create and delete so Kafka holds exactly `desired` for the principal. */
export function planAcls(desired: readonly AclBinding[], observed: readonly AclBinding[]): AclPlan {
  const have = new Set(observed.map(aclKey));
  const want = new Set(desired.map(aclKey));
  const create = desired.filter((b) => !have.has(aclKey(b)));
  const seen = new Set<string>();
  const remove = observed.filter((b) => {
    const k = aclKey(b);
    if (want.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { create, remove, deleteFilters: remove.map(exactFilter) };
}

/** For messages and Events: `ALLOW READ TOPIC:orders (LITERAL) from *`. */
export function describeAcl(b: AclBinding): string {
  return `${b.permissionType} ${b.operation} ${b.resourceType}:${b.resourceName} (${b.patternType}) from ${b.host}`;
}

/** A short list for an Event note: the first few, then how many more. */
export function describeAcls(bs: readonly AclBinding[], max = 5): string {
  const shown = bs.slice(0, max).map(describeAcl).join('; ');
  return bs.length > max ? `${shown}; and ${bs.length - max} more` : shown;
}
