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
  /** Ready only: what the status says of a lost node, and since when. */
  message?: string;
  lastTransitionTime?: string;
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
  /** The Ready condition's reason, message and lastTransitionTime, when set. */
  readyReason?: string;
  readyMessage?: string;
  readySince?: string;
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
        // Ready's message and transition time name a lost node's trouble in the status; they
        // change only on a transition, not with heartbeats.
        ...(c.type === 'Ready' && c.message ? { message: c.message } : {}),
        ...(c.type === 'Ready' && c.lastTransitionTime
          ? { lastTransitionTime: new Date(c.lastTransitionTime).toISOString() }
          : {}),
      })),
    },
  };
  return slim;
}

export function nodeFacts(node: NodeObject): NodeFacts {
  const c = node.status?.conditions?.find((c) => c.type === 'Ready');
  const ready = c?.status;
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    ...(ready !== undefined ? { ready } : {}),
    ...(c?.reason ? { readyReason: c.reason } : {}),
    ...(c?.message ? { readyMessage: c.message } : {}),
    ...(c?.lastTransitionTime ? { readySince: new Date(c.lastTransitionTime).toISOString() } : {}),
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
