// Is the node a pod runs on still there and Ready? Pure. A stopped or partitioned node leaves
// its pods "Running" in the API (the node lifecycle controller only flips their Ready
// condition, without a reason); the node's own Ready condition says what happened and since
// when (observe/nodes.ts keeps it in the node cache).
import type { NodeFacts } from './nodes.ts';

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
  const since = node.readySince ? ` since ${node.readySince}` : '';
  const why = node.readyMessage ?? node.readyReason;
  return `node ${nodeName} ${state}${since}${why ? `: ${why}` : ''}`;
}
