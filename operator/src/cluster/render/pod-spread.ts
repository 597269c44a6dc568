// The topology spread constraints of one role's pods: by default at most one pod more on a
// node (and, with rack.topologyKey, in a rack) than on any other, so one lost node never takes
// more of a role than it must, three controllers above all (the quorum). Each role spreads on
// its own StatefulSet's selector: controllers and brokers, and two clusters, never count
// against each other.
import type { V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { PodSpreadMode } from '../../api/kafka-cluster.ts';
import type { ClusterSpec } from '../cluster-spec.ts';

export const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';
export const DEFAULT_POD_SPREAD: PodSpreadMode = 'required';

export function podSpreadMode(spec: ClusterSpec): PodSpreadMode {
  return spec.template?.pod?.spread ?? DEFAULT_POD_SPREAD;
}

/**
 * The template's own constraints as written, then ours for each topology key the template
 * does not already constrain (the user's wins for its key).
 */
export function podSpread(
  spec: ClusterSpec,
  selector: Record<string, string>,
): V1TopologySpreadConstraint[] {
  const own = (spec.template?.pod?.topologySpreadConstraints ??
    []) as unknown as V1TopologySpreadConstraint[];
  const mode = podSpreadMode(spec);
  if (mode === 'none') return own;
  const taken = new Set(own.map((c) => c.topologyKey));
  const keys = [HOSTNAME_TOPOLOGY_KEY, spec.rack?.topologyKey].filter(
    (k): k is string => k !== undefined && !taken.has(k),
  );
  return [
    ...own,
    ...[...new Set(keys)].map((topologyKey): V1TopologySpreadConstraint => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: mode === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...selector } },
      // Skew counts only nodes the pod may run on: nodes it does not tolerate or whose labels
      // its nodeSelector/affinity excludes would otherwise hold the minimum at zero and keep
      // pods Pending forever. A one-node cluster has one eligible node: everything fits there.
      nodeAffinityPolicy: 'Honor',
      nodeTaintsPolicy: 'Honor',
    })),
  ];
}
