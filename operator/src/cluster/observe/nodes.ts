// The Nodes the operator caches (cluster-scoped, every node) and what it reads of them. The
// cache keeps only labels, schedulability, taints and the conditions' type/status/reason: a
// Node carries images, addresses and heartbeat times the operator never reads, and its status
// changes every heartbeat. Readers: the rack stamping (plan/rack-plan.ts); the Ready condition
// is kept for telling pods on a lost node.
import type { KubeObject } from '../../runtime/resource.ts';

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
}

export interface NodeObject extends KubeObject {
  spec?: {
    unschedulable?: boolean;
    taints?: { key: string; value?: string; effect: string }[];
  };
  status?: { conditions?: NodeCondition[] };
}

/** What a reconcile reads of one node. */
export interface NodeFacts {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The Ready condition's status: 'True', 'False', 'Unknown' (node lost), or absent. */
  ready?: string;
  unschedulable: boolean;
}

/** The informer transform: what nodeFacts and later readers need, nothing else. */
export function slimNode(obj: KubeObject): KubeObject {
  const node = obj as NodeObject;
  const m = node.metadata ?? {};
  const slim: NodeObject = {
    ...(node.apiVersion ? { apiVersion: node.apiVersion } : {}),
    ...(node.kind ? { kind: node.kind } : {}),
    metadata: {
      ...(m.name !== undefined ? { name: m.name } : {}),
      ...(m.uid !== undefined ? { uid: m.uid } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.labels ? { labels: m.labels } : {}),
    },
    spec: {
      ...(node.spec?.unschedulable ? { unschedulable: true } : {}),
      ...(node.spec?.taints?.length ? { taints: node.spec.taints } : {}),
    },
    status: {
      conditions: (node.status?.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status,
        ...(c.reason ? { reason: c.reason } : {}),
      })),
    },
  };
  return slim;
}

export function nodeFacts(node: NodeObject): NodeFacts {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    ...(ready !== undefined ? { ready } : {}),
    unschedulable: node.spec?.unschedulable ?? false,
  };
}

/**
 * A change the cluster reconciler cares about: labels (the rack), Ready, schedulability,
 * taints. Heartbeats alone (the cached copy is the same) reconcile nothing.
 */
export function nodeChanged(old: NodeObject, obj: NodeObject): boolean {
  // Not the resourceVersion: every heartbeat changes it.
  const read = (n: NodeObject) => {
    const s = slimNode(n) as NodeObject;
    return JSON.stringify([s.metadata?.labels, s.spec, s.status]);
  };
  return read(old) !== read(obj);
}

/** spec.nodeName of a pod: the node the scheduler bound it to. */
export function podNodeName(pod: KubeObject): string | undefined {
  return (pod as { spec?: { nodeName?: string } }).spec?.nodeName;
}
