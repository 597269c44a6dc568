// broker.rack from the node: which broker pods to stamp with their node's rack (the value of
// spec.rack.topologyKey on the node the scheduler bound them to), and the RackKnown condition.
// Node labels are not in the downward API; the pod's start script waits for the stamp
// (render/start-script.ts). A stamp is never changed: it is the rack the broker started with.
import { BROKER_LABEL, RACK_ANNOTATION } from '../model/labels.ts';
import type { PodObject } from '../observe/cluster-resource.ts';
import { podNodeName, type NodeFacts } from '../observe/nodes.ts';

export interface RackPod {
  name: string;
  uid: string;
  /** spec.nodeName; unset while the pod is not scheduled. */
  nodeName?: string;
  /** Serves clients (a broker or combined node): only these have a broker.rack. */
  isBroker: boolean;
  /** The kraftwerk.dev/rack annotation it already carries. */
  rack?: string;
  terminating: boolean;
}

export interface RackStamp {
  pod: string;
  uid: string;
  rack: string;
}

/** A broker on a node the rack cannot be read from; it waits until someone fixes the node. */
export interface RackProblem {
  pod: string;
  node: string;
  /** The node has no such label, or the operator does not know the node. */
  reason: 'NodeLabelMissing' | 'NodeUnknown';
  message: string;
}

export interface RackCondition {
  type: 'RackKnown';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface RackPlan {
  stamps: RackStamp[];
  problems: RackProblem[];
  condition: RackCondition;
}

/**
 * undefined without spec.rack.topologyKey: nothing to stamp, no condition. `node` undefined:
 * the operator may not read Nodes (rbac.readNodes: false).
 */
export function planRacks(
  topologyKey: string | undefined,
  pods: readonly RackPod[],
  node: ((name: string) => NodeFacts | undefined) | undefined,
): RackPlan | undefined {
  if (!topologyKey) return undefined;
  if (!node) {
    return {
      stamps: [],
      problems: [],
      condition: {
        type: 'RackKnown',
        status: 'False',
        reason: 'NodesNotReadable',
        message: `the operator may not read Nodes (rbac.readNodes: false), so it cannot stamp broker.rack: brokers start only where Kubernetes copied ${topologyKey} onto the pod (PodTopologyLabels, Kubernetes 1.35+, zone and region only)`,
      },
    };
  }
  const stamps: RackStamp[] = [];
  const problems: RackProblem[] = [];
  for (const p of pods) {
    if (!p.isBroker || p.terminating || p.rack || !p.nodeName) continue;
    const facts = node(p.nodeName);
    const rack = facts?.labels[topologyKey];
    if (rack) {
      stamps.push({ pod: p.name, uid: p.uid, rack });
    } else if (facts) {
      problems.push({
        pod: p.name,
        node: p.nodeName,
        reason: 'NodeLabelMissing',
        message: `node ${p.nodeName} has no label ${topologyKey}: pod ${p.name} waits for its broker.rack; label the node or change spec.rack.topologyKey`,
      });
    } else {
      problems.push({
        pod: p.name,
        node: p.nodeName,
        reason: 'NodeUnknown',
        message: `node ${p.nodeName} of pod ${p.name} is not known to the operator (deleted?): its label ${topologyKey} cannot be read`,
      });
    }
  }
  const condition: RackCondition =
    problems.length > 0
      ? {
          type: 'RackKnown',
          status: 'False',
          reason: problems[0]!.reason,
          message: problems.map((p) => p.message).join('; '),
        }
      : {
          type: 'RackKnown',
          status: 'True',
          reason: 'FromNodeLabel',
          message: `broker.rack is each broker node's ${topologyKey} label`,
        };
  return { stamps, problems, condition };
}

export function rackPodOf(p: PodObject): RackPod {
  const m = p.metadata ?? {};
  const nodeName = podNodeName(p);
  const rack = m.annotations?.[RACK_ANNOTATION];
  return {
    name: m.name ?? '',
    uid: m.uid ?? '',
    ...(nodeName ? { nodeName } : {}),
    isBroker: m.labels?.[BROKER_LABEL] === 'true',
    ...(rack ? { rack } : {}),
    terminating: m.deletionTimestamp !== undefined,
  };
}
