import { describe, expect, it } from 'vitest';
import type { NodeFacts } from '../observe/nodes.ts';
import { planRacks, type RackPod } from './rack-plan.ts';

const ZONE = 'topology.kubernetes.io/zone';
const nodes: Record<string, NodeFacts> = {
  a: { name: 'a', labels: { [ZONE]: 'zone-a' }, ready: 'True', unschedulable: false },
  b: { name: 'b', labels: {}, ready: 'True', unschedulable: false },
};
const lookup = (name: string) => nodes[name];
const pod = (name: string, extra: Partial<RackPod> = {}): RackPod => ({
  name,
  uid: `uid-${name}`,
  isBroker: true,
  terminating: false,
  ...extra,
});

describe('planRacks', () => {
  it('does nothing without rack.topologyKey', () => {
    expect(planRacks(undefined, [pod('p', { nodeName: 'a' })], lookup)).toBeUndefined();
  });

  it("stamps a scheduled broker with its node's label, with the uid it was observed with", () => {
    const plan = planRacks(ZONE, [pod('p', { nodeName: 'a' })], lookup)!;
    expect(plan.stamps).toEqual([{ pod: 'p', uid: 'uid-p', rack: 'zone-a' }]);
    expect(plan.condition).toMatchObject({ status: 'True', reason: 'FromNodeLabel' });
  });

  it('skips controllers, unscheduled, terminating and already stamped pods', () => {
    const plan = planRacks(
      ZONE,
      [
        pod('controller', { nodeName: 'a', isBroker: false }),
        pod('pending'),
        pod('going', { nodeName: 'a', terminating: true }),
        pod('stamped', { nodeName: 'a', rack: 'zone-old' }),
      ],
      lookup,
    )!;
    expect(plan.stamps).toEqual([]);
    expect(plan.problems).toEqual([]);
  });

  it('names the node and the key when the node has no such label', () => {
    const plan = planRacks(
      ZONE,
      [pod('p0', { nodeName: 'a' }), pod('p1', { nodeName: 'b' })],
      lookup,
    )!;
    expect(plan.stamps.map((s) => s.pod)).toEqual(['p0']);
    expect(plan.problems).toEqual([
      expect.objectContaining({ pod: 'p1', node: 'b', reason: 'NodeLabelMissing' }),
    ]);
    expect(plan.condition.status).toBe('False');
    expect(plan.condition.reason).toBe('NodeLabelMissing');
    expect(plan.condition.message).toContain(`node b has no label ${ZONE}`);
    expect(plan.condition.message).toContain('p1');
  });

  it('says so when the node is not in the cache', () => {
    const plan = planRacks(ZONE, [pod('p', { nodeName: 'gone' })], lookup)!;
    expect(plan.problems[0]).toMatchObject({ node: 'gone', reason: 'NodeUnknown' });
    expect(plan.condition).toMatchObject({ status: 'False', reason: 'NodeUnknown' });
  });

  it('says why nothing is stamped when the operator may not read Nodes', () => {
    const plan = planRacks(ZONE, [pod('p', { nodeName: 'a' })], undefined)!;
    expect(plan.stamps).toEqual([]);
    expect(plan.condition).toMatchObject({ status: 'False', reason: 'NodesNotReadable' });
  });
});
