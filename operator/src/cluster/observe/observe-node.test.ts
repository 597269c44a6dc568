import { describe, expect, it } from 'vitest';
import { nodeProblem } from './observe-node.ts';
import { nodeFacts, slimNode, type NodeFacts, type NodeObject } from './nodes.ts';

// The Ready condition the node lifecycle controller writes when a kubelet stops posting
// (kind after `docker stop` of a worker: status Unknown, reason NodeStatusUnknown).
const silent: NodeObject = {
  metadata: { name: 'kraftwerk-worker2' },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: '2026-12-03T06:00:40Z',
      },
      { type: 'MemoryPressure', status: 'Unknown', message: 'not kept', lastTransitionTime: 'x' },
    ],
  },
};

describe('the node cache keeps what a lost node says', () => {
  it("slimNode keeps Ready's message and transition time, and no other condition's", () => {
    const facts = nodeFacts(slimNode(silent) as NodeObject);
    expect(facts).toMatchObject({
      name: 'kraftwerk-worker2',
      ready: 'Unknown',
      readyReason: 'NodeStatusUnknown',
      readyMessage: 'Kubelet stopped posting node status.',
      readySince: '2026-12-03T06:00:40.000Z',
    });
    expect((slimNode(silent) as NodeObject).status?.conditions?.[1]).toEqual({
      type: 'MemoryPressure',
      status: 'Unknown',
    });
  });
});

describe('nodeProblem', () => {
  const fact = (name: string, patch: Partial<NodeFacts>): NodeFacts => ({
    name,
    labels: {},
    unschedulable: false,
    ...patch,
  });
  const nodes = new Map<string, NodeFacts>([
    ['ok', fact('ok', { ready: 'True' })],
    ['silent', { ...nodeFacts(slimNode(silent) as NodeObject), name: 'silent' }],
    ['sick', fact('sick', { ready: 'False', readyReason: 'KubeletNotReady' })],
  ]);
  const lookup = (n: string) => nodes.get(n);
  it('says nothing of a Ready node', () => {
    expect(nodeProblem('ok', lookup)).toBeUndefined();
  });
  it('names an unreachable node, since when and why', () => {
    expect(nodeProblem('silent', lookup)).toBe(
      'node silent unreachable (Ready=Unknown) since 2026-12-03T06:00:40.000Z: Kubelet stopped posting node status.',
    );
  });
  it('names a NotReady node with its reason when there is no message', () => {
    expect(nodeProblem('sick', lookup)).toBe('node sick NotReady: KubeletNotReady');
  });
  it('a node missing from the cache is gone', () => {
    expect(nodeProblem('deleted', lookup)).toBe('node deleted is gone (no Node object)');
  });
});
