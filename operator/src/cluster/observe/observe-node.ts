// Nodes as the cluster status needs them: is the node a pod runs on still there and Ready?
// Pure. A stopped or partitioned node leaves its pods "Running" in the API (only the node
// lifecycle controller flips their Ready condition, without a reason); the node's own Ready
// condition says what happened and since when.
import type { V1Node } from '@kubernetes/client-node';
import type { NodeFacts } from '../model/observed-state.ts';

export function observeNode(node: V1Node): NodeFacts {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const since = ready?.lastTransitionTime;
  return {
    name: node.metadata?.name ?? '',
    ready: ready?.status ?? 'Unknown',
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(ready?.message ? { message: ready.message } : {}),
    // The cache holds wire JSON: a string already; a typed object carries a Date.
    ...(since ? { since: new Date(since).toISOString() } : {}),
  };
}

/**
 * What is wrong with the node a pod is bound to, as one phrase for a condition message, or
 * undefined when it is Ready. `lookup` answers from the node cache: undefined there means the
 * node object is gone (deleted with the machine).
 */
export function nodeProblem(
  nodeName: string,
  lookup: (name: string) => NodeFacts | undefined,
): string | undefined {
  const node = lookup(nodeName);
  if (node === undefined) return `node ${nodeName} is gone (no Node object)`;
  if (node.ready === 'True') return undefined;
  const state = node.ready === 'False' ? 'NotReady' : 'unreachable (Ready=Unknown)';
  const since = node.since ? ` since ${node.since}` : '';
  const why = node.message ?? node.reason;
  return `node ${nodeName} ${state}${since}${why ? `: ${why}` : ''}`;
}
