import { describe, expect, it } from 'vitest';
import { nodeChanged, nodeFacts, slimNode, type NodeObject } from './nodes.ts';

const node = (heartbeat: string, extra: Partial<NodeObject> = {}): NodeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'n1',
    uid: 'u1',
    resourceVersion: heartbeat,
    labels: { 'topology.kubernetes.io/zone': 'zone-a' },
    annotations: { big: 'x'.repeat(100) },
  },
  spec: {},
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        lastHeartbeatTime: heartbeat,
      } as NodeObject['status'] extends { conditions?: (infer C)[] } ? C : never,
    ],
  },
  ...extra,
});

describe('the node cache', () => {
  it('keeps labels, schedulability, taints and condition status, nothing else', () => {
    const slim = slimNode({ ...node('1'), images: ['a'] } as NodeObject) as NodeObject;
    expect(slim.metadata).toEqual({
      name: 'n1',
      uid: 'u1',
      resourceVersion: '1',
      labels: { 'topology.kubernetes.io/zone': 'zone-a' },
    });
    expect(slim.status).toEqual({
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    });
    expect(nodeFacts(slim)).toEqual({
      name: 'n1',
      labels: { 'topology.kubernetes.io/zone': 'zone-a' },
      ready: 'True',
      readyReason: 'KubeletReady',
      unschedulable: false,
    });
  });

  it('a heartbeat is no change; a label, readiness or cordon is', () => {
    expect(nodeChanged(node('1'), node('2'))).toBe(false);
    expect(nodeChanged(node('1'), node('2', { metadata: { name: 'n1', labels: {} } }))).toBe(true);
    expect(
      nodeChanged(
        node('1'),
        node('2', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }),
      ),
    ).toBe(true);
    expect(nodeChanged(node('1'), node('2', { spec: { unschedulable: true } }))).toBe(true);
  });
});
