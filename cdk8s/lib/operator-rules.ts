// The RBAC rules of the operator contract, as data: the cdk8s install builds its Roles from
// them and the drift test holds the Helm chart's rules to the same set. No wildcards.

export interface Rule {
  /** API group; '' is the core group. */
  readonly groups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** A workload kind KafkaConsumerGroups may scale through its /scale subresource. */
export interface ScaleTarget {
  readonly group: string;
  readonly resource: string;
}

const KINDS = ['kafkaclusters', 'kafkatopics', 'kafkaconsumergroups'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const SCALE = ['get', 'update', 'patch'];

/** Rules the operator needs in every namespace it watches. */
export function watchRules(extraScaleTargets: readonly ScaleTarget[] = []): Rule[] {
  return [
    {
      groups: ['kraftwerk.dev'],
      resources: KINDS,
      verbs: ['get', 'list', 'watch', 'update', 'patch'],
    },
    {
      groups: ['kraftwerk.dev'],
      resources: KINDS.map((k) => `${k}/status`),
      verbs: ['update', 'patch'],
    },
    {
      groups: ['kraftwerk.dev'],
      resources: KINDS.map((k) => `${k}/finalizers`),
      verbs: ['update'],
    },
    // Server-side apply of an object that does not exist yet is a create, hence create.
    { groups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: WRITE },
    { groups: ['apps'], resources: ['statefulsets/scale', 'deployments/scale'], verbs: SCALE },
    ...extraScaleTargets.map((t) => ({
      groups: [t.group],
      resources: [`${t.resource}/scale`],
      verbs: SCALE,
    })),
    { groups: [''], resources: ['services', 'configmaps'], verbs: WRITE },
    // The roller restarts brokers by deleting their pods.
    { groups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
    // Volume expansion patches claims; deleteClaim removes them with the cluster.
    {
      groups: [''],
      resources: ['persistentvolumeclaims'],
      verbs: ['get', 'list', 'watch', 'patch', 'delete'],
    },
    { groups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
    { groups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
    { groups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ];
}

/**
 * Cluster-scoped reads, granted by a ClusterRole whatever the watch mode: the reconciler gets
 * the StorageClass of a claim it is asked to grow (allowVolumeExpansion). Only `get`: it never
 * lists or watches them.
 */
export const storageClassRules: Rule[] = [
  { groups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] },
];

/** Rules for the leader-election Lease, granted only in the Lease's namespace. */
export const leaseRules: Rule[] = [
  { groups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

/** Flattens rules to sorted "group/resource:verb" strings, so two rule lists compare by meaning. */
export function permissions(rules: readonly Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules)
    for (const g of r.groups)
      for (const res of r.resources) for (const v of r.verbs) out.add(`${g}/${res}:${v}`);
  return [...out].sort();
}
