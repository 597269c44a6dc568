// The RBAC rules of the operator contract, as data: the cdk8s install builds its Roles from
// them and the drift test holds the Helm chart's rules to the same set. No wildcards, and
// nothing the operator does not send: test/integration/rbac-least-privilege.test.ts runs the
// operator under exactly these rules with an audit log and fails on a refusal or on a granted
// verb no request used (unless allow-listed there, with the reason). docs/install.md has the
// table of what each rule is for.

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

/** Informers list and watch; they never get one object. */
const WATCH = ['list', 'watch'];
/** Server-side apply: a patch, which is a create when the object does not exist yet. */
const APPLY = ['create', 'patch'];
/** The autoscaler reads and merge-patches spec.replicas; it never PUTs a Scale. */
const SCALE = ['get', 'patch'];

/** Rules the operator needs in every namespace it watches. */
export function watchRules(extraScaleTargets: readonly ScaleTarget[] = []): Rule[] {
  return [
    // The cluster reconciler reads a KafkaCluster fresh before generating its cluster id.
    { groups: ['kraftwerk.dev'], resources: ['kafkaclusters'], verbs: ['get', ...WATCH, 'patch'] },
    // The topic finalizer is added by apply and removed by JSON patch: `patch` on the object.
    // get: a deleting topic with no recorded id is read fresh before Kafka is touched.
    { groups: ['kraftwerk.dev'], resources: ['kafkatopics'], verbs: ['get', ...WATCH, 'patch'] },
    // Consumer groups hold no finalizer: only their status is written.
    { groups: ['kraftwerk.dev'], resources: ['kafkaconsumergroups'], verbs: WATCH },
    // The user finalizer (kraftwerk.dev/user), added by apply and removed by JSON patch, like
    // the topic's; no `get`: nothing reads a KafkaUser past the informer.
    { groups: ['kraftwerk.dev'], resources: ['kafkausers'], verbs: [...WATCH, 'patch'] },
    {
      groups: ['kraftwerk.dev'],
      resources: [
        'kafkaclusters/status',
        'kafkatopics/status',
        'kafkaconsumergroups/status',
        'kafkausers/status',
      ],
      verbs: ['patch'],
    },
    // Not a request the operator sends: the OwnerReferencesPermissionEnforcement admission
    // plugin (OpenShift, hardened clusters) requires it to set blockOwnerDeletion on the
    // objects a KafkaCluster owns, and on the Secret a KafkaUser owns.
    {
      groups: ['kraftwerk.dev'],
      resources: ['kafkaclusters/finalizers', 'kafkausers/finalizers'],
      verbs: ['update'],
    },
    // Teardown deletes the broker StatefulSet before the controllers' (uid precondition); get:
    // a KafkaConsumerGroup reads a StatefulSet target live before scaling it (the cache may lag
    // a KafkaCluster's label or owner).
    { groups: ['apps'], resources: ['statefulsets'], verbs: ['get', ...WATCH, ...APPLY, 'delete'] },
    { groups: ['apps'], resources: ['statefulsets/scale', 'deployments/scale'], verbs: SCALE },
    ...extraScaleTargets.map((t) => ({
      groups: [t.group],
      resources: [`${t.resource}/scale`],
      verbs: SCALE,
    })),
    // Services of a listener or broker no longer rendered are deleted; the rest goes with GC.
    { groups: [''], resources: ['services'], verbs: [...WATCH, ...APPLY, 'delete'] },
    { groups: [''], resources: ['configmaps'], verbs: [...WATCH, ...APPLY] },
    { groups: ['policy'], resources: ['poddisruptionbudgets'], verbs: [...WATCH, ...APPLY] },
    // One per KafkaCluster; it goes with the cluster (GC), never deleted by the operator.
    { groups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: [...WATCH, ...APPLY] },
    // The certificate Secrets of secured clusters and the KafkaUsers' Secrets, each read by
    // name (no list or watch: the operator sees no Secret it did not ask for), created once,
    // patched with the resourceVersion read; a KafkaUser's password Secret and the Secrets a
    // KafkaTopic's or KafkaConsumerGroup's authentication/tls name are only read. They go with
    // their owner (GC), never deleted by the operator.
    { groups: [''], resources: ['secrets'], verbs: ['get', 'create', 'patch'] },
    // The roller restarts a pod, and teardown ends a Pending one, by deleting it; a broker pod
    // gets its node's rack as an annotation (merge patch).
    { groups: [''], resources: ['pods'], verbs: [...WATCH, 'patch', 'delete'] },
    // Volume expansion lists a role's claims and patches their size; deleteClaim removes them.
    {
      groups: [''],
      resources: ['persistentvolumeclaims'],
      verbs: ['list', 'patch', 'delete'],
    },
    // events.k8s.io/v1 only; a repeat becomes a patch of the first Event's series.
    { groups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
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

/**
 * Every Node, cached by an informer (list, watch; never one get): the rack of the node each
 * broker runs on (spec.rack.topologyKey), stamped on the pod as its broker.rack. Cluster-scoped,
 * so a ClusterRole whatever the watch mode; `readNodes: false` leaves it out.
 */
export const nodeRules: Rule[] = [{ groups: [''], resources: ['nodes'], verbs: WATCH }];

/** Rules for the leader-election Lease, granted only in the Lease's namespace. */
export const leaseRules: Rule[] = [
  // Renewal is a PUT carrying the resourceVersion read, so two candidates cannot both win.
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
