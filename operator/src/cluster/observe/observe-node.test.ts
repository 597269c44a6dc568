import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { NodeFacts } from '../model/observed-state.ts';
import { nodeProblem, observeNode } from './observe-node.ts';

// The Ready condition the node lifecycle controller writes when a kubelet stops posting
// (seen on kind after `docker stop` of a worker: status Unknown, reason NodeStatusUnknown).
const silent: V1Node = {
  metadata: { name: 'kraftwerk-worker2' },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: '2026-12-03T06:00:40Z' as unknown as Date, // wire JSON in the cache
      },
    ],
  },
};

describe('observeNode', () => {
  it('keeps the Ready condition: status, reason, message, since', () => {
    expect(observeNode(silent)).toEqual({
      name: 'kraftwerk-worker2',
      ready: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      since: '2026-12-03T06:00:40.000Z',
    });
  });
  it('a node without a Ready condition yet is Unknown', () => {
    expect(observeNode({ metadata: { name: 'n' } })).toEqual({ name: 'n', ready: 'Unknown' });
  });
});

describe('nodeProblem', () => {
  const nodes = new Map<string, NodeFacts>([
    ['ok', { name: 'ok', ready: 'True' }],
    ['silent', { ...observeNode(silent), name: 'silent' }],
    ['sick', { name: 'sick', ready: 'False', reason: 'KubeletNotReady' }],
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
