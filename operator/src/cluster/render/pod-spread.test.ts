import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '../cluster-spec.ts';
import { HOSTNAME_TOPOLOGY_KEY, podSpread } from './pod-spread.ts';

const base: ClusterSpec = {
  version: '4.1.1',
  brokers: { replicas: 3, storage: { type: 'ephemeral' } },
  listeners: [{ name: 'plain', port: 9092, type: 'internal' }],
};
const selector = { 'kraftwerk.dev/cluster': 'demo', 'kraftwerk.dev/role': 'broker' };
const ZONE = 'topology.kubernetes.io/zone';

function withPod(spec: ClusterSpec, pod: NonNullable<ClusterSpec['template']>['pod']) {
  return { ...spec, template: { ...spec.template, pod } };
}

describe('podSpread', () => {
  it('requires one pod per node by default, on the role selector, honouring taints and affinity', () => {
    expect(podSpread(base, selector)).toEqual([
      {
        maxSkew: 1,
        topologyKey: HOSTNAME_TOPOLOGY_KEY,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: selector },
        nodeAffinityPolicy: 'Honor',
        nodeTaintsPolicy: 'Honor',
      },
    ]);
  });

  it('spreads over the rack key too, also hard', () => {
    const spread = podSpread({ ...base, rack: { topologyKey: ZONE } }, selector);
    expect(spread.map((c) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      [HOSTNAME_TOPOLOGY_KEY, 'DoNotSchedule'],
      [ZONE, 'DoNotSchedule'],
    ]);
  });

  it('names the hostname key once when the rack key is the hostname', () => {
    const spread = podSpread({ ...base, rack: { topologyKey: HOSTNAME_TOPOLOGY_KEY } }, selector);
    expect(spread.map((c) => c.topologyKey)).toEqual([HOSTNAME_TOPOLOGY_KEY]);
  });

  it('preferred schedules anyway', () => {
    const spread = podSpread(
      withPod({ ...base, rack: { topologyKey: ZONE } }, { spread: 'preferred' }),
      selector,
    );
    expect(spread.map((c) => c.whenUnsatisfiable)).toEqual(['ScheduleAnyway', 'ScheduleAnyway']);
  });

  it('none adds nothing, but keeps the template constraints', () => {
    expect(podSpread(withPod(base, { spread: 'none' }), selector)).toEqual([]);
    const own = { maxSkew: 2, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway' };
    expect(
      podSpread(withPod(base, { spread: 'none', topologySpreadConstraints: [own] }), selector),
    ).toEqual([own]);
  });

  it("the template's constraint wins for its topology key, ours stay for the others", () => {
    const own = {
      maxSkew: 3,
      topologyKey: HOSTNAME_TOPOLOGY_KEY,
      whenUnsatisfiable: 'ScheduleAnyway',
    };
    const spread = podSpread(
      withPod({ ...base, rack: { topologyKey: ZONE } }, { topologySpreadConstraints: [own] }),
      selector,
    );
    expect(spread[0]).toEqual(own);
    expect(spread.slice(1).map((c) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      [ZONE, 'DoNotSchedule'],
    ]);
  });

  it('hands out a selector copy per constraint (rendered objects never share state)', () => {
    const [c] = podSpread(base, selector);
    expect(c?.labelSelector?.matchLabels).not.toBe(selector);
  });
});
