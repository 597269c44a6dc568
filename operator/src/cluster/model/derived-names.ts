// Every Kubernetes name and label value kraftwerk derives from a KafkaCluster's metadata.name,
// with the limit Kubernetes puts on it. The longest one decides how long a cluster name may
// be; the CRD refuses longer names at admission (a 58-character name used to be accepted and
// its Service apply then failed with 422 on every retry).
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { clusterLabels } from './labels.ts';
import {
  bootstrapServiceName,
  configMapName,
  podName,
  roleLayouts,
  statefulSetNameFor,
} from './node-layout.ts';
import { portName } from '../render/render-services.ts';
import { roleListeners } from '../render/server-properties.ts';

/** RFC 1123 / RFC 1035 label: Service names, pod host names, label values. */
export const DNS_LABEL_MAX_LENGTH = 63;
/** RFC 1123 subdomain: names of most other objects. */
export const DNS_SUBDOMAIN_MAX_LENGTH = 253;
/**
 * The StatefulSet controller labels each pod `controller-revision-hash: <sts>-<hash>`, the hash
 * an FNV-32 sum written with rand.SafeEncodeString (up to 10 characters). A StatefulSet whose
 * name leaves no room for it is accepted but never gets a pod.
 */
export const REVISION_HASH_MAX_LENGTH = 10;

/** The spec limits that make names longest (passed in: the schema owns them). */
export interface NameBounds {
  maxBrokers: number;
  maxControllers: number;
  maxListenerNameLength: number;
}

export interface DerivedName {
  /** What the name is, as a person would say it. */
  what: string;
  name: string;
  limit: number;
}

/**
 * The longest names of every kind, for the largest cluster the schema allows: the last
 * ordinal of each role and a nodeport listener with the longest name. Dedicated and combined
 * layouts are both listed (a cluster is one or the other).
 */
export function derivedNames(clusterName: string, bounds: NameBounds): DerivedName[] {
  const cluster: ClusterRef = { name: clusterName, namespace: 'ns', uid: 'uid' };
  const listener = {
    name: LISTENER_PLACEHOLDER.slice(0, bounds.maxListenerNameLength),
    port: 9092,
    type: 'nodeport' as const,
    nodePortBase: 30000,
  };
  const pool = (replicas: number) => ({ replicas, storage: { type: 'ephemeral' as const } });
  const combined: ClusterSpec = {
    version: '4.1.1',
    brokers: pool(bounds.maxBrokers),
    listeners: [listener],
  };
  const dedicated: ClusterSpec = { ...combined, controllers: pool(bounds.maxControllers) };
  const out: DerivedName[] = [];
  for (const label of Object.values(clusterLabels(clusterName))) {
    out.push({ what: 'the cluster label value', name: label, limit: DNS_LABEL_MAX_LENGTH });
  }
  out.push(
    {
      what: 'the bootstrap Service',
      name: bootstrapServiceName(clusterName),
      limit: DNS_LABEL_MAX_LENGTH,
    },
    { what: 'the ConfigMap', name: configMapName(clusterName), limit: DNS_SUBDOMAIN_MAX_LENGTH },
  );
  for (const spec of [dedicated, combined]) {
    for (const layout of roleLayouts(cluster, spec)) {
      const role = layout.role;
      const sts = statefulSetNameFor(clusterName, role);
      const lastPod = podName(layout, layout.spec.replicas - 1);
      out.push(
        { what: `the ${role} StatefulSet`, name: sts, limit: DNS_SUBDOMAIN_MAX_LENGTH },
        { what: `the ${role} PodDisruptionBudget`, name: sts, limit: DNS_SUBDOMAIN_MAX_LENGTH },
        {
          what: `the ${role} headless Service`,
          name: layout.headlessServiceName,
          limit: DNS_LABEL_MAX_LENGTH,
        },
        {
          what: `the ${role} pods' controller-revision-hash label`,
          name: `${sts}-${'h'.repeat(REVISION_HASH_MAX_LENGTH)}`,
          limit: DNS_LABEL_MAX_LENGTH,
        },
        // The pod name is its host name and its statefulset.kubernetes.io/pod-name label.
        { what: `the ${role} pod`, name: lastPod, limit: DNS_LABEL_MAX_LENGTH },
        // volumeClaimTemplate "data": claims are <template>-<pod>.
        { what: `the ${role} claim`, name: `data-${lastPod}`, limit: DNS_SUBDOMAIN_MAX_LENGTH },
      );
      if (!layout.isBroker) continue;
      for (const l of roleListeners(spec, layout).filter((l) => l.kind === 'nodeport')) {
        out.push({
          what: `the ${role} NodePort Service`,
          name: `${lastPod}-${portName(l)}`,
          limit: DNS_LABEL_MAX_LENGTH,
        });
      }
    }
  }
  return out;
}

/** Stands for the longest listener name; lower case survives the port-name mapping. */
const LISTENER_PLACEHOLDER = 'listenername'.repeat(8);
const NAME_PLACEHOLDER = 'NAME';

export interface ClusterNameLimit {
  maxLength: number;
  /** What sets the limit, e.g. "the broker NodePort Service". */
  what: string;
  /** Its name around the cluster name, listener names shown as <listener>. */
  before: string;
  after: string;
  limit: number;
}

/** The longest metadata.name for which every derived name fits its limit. */
export function clusterNameLimit(bounds: NameBounds): ClusterNameLimit {
  const listener = LISTENER_PLACEHOLDER.slice(0, bounds.maxListenerNameLength);
  let best: ClusterNameLimit | undefined;
  for (const d of derivedNames(NAME_PLACEHOLDER, bounds)) {
    // Each derived name contains the cluster name once, plus a fixed overhead.
    const maxLength = d.limit - (d.name.length - NAME_PLACEHOLDER.length);
    if (best && maxLength >= best.maxLength) continue;
    const [before = '', after = ''] = d.name.split(NAME_PLACEHOLDER);
    const shown = (text: string) => text.replace(listener, '<listener>');
    best = { maxLength, what: d.what, before: shown(before), after: shown(after), limit: d.limit };
  }
  return best!;
}

/** Service names must be RFC 1035 labels: a letter first, no dots. */
export const CLUSTER_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
