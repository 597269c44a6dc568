import { describe, expect, it } from 'vitest';
import type { Role } from '../model/node-layout.ts';
import {
  planTeardown,
  teardownMaxWaitSeconds,
  type TeardownInput,
  type TeardownPod,
} from './teardown-plan.ts';

const deletedAt = new Date('2026-11-22T05:00:00Z');
const at = (seconds: number) => new Date(deletedAt.getTime() + seconds * 1000);

const sts = (role: Role, deleting = false) => ({
  name: `demo-${role}`,
  uid: `uid-sts-${role}`,
  deleting,
});

function pod(role: Role, ordinal: number, patch: Partial<TeardownPod> = {}): TeardownPod {
  return {
    name: `demo-${role}-${ordinal}`,
    uid: `uid-${role}-${ordinal}`,
    role,
    phase: 'Running',
    ...patch,
  };
}

function input(extra: Partial<TeardownInput>): TeardownInput {
  return {
    roles: ['controller', 'broker'],
    statefulSets: { controller: sts('controller'), broker: sts('broker') },
    pods: [0, 1, 2].flatMap((i) => [pod('controller', i), pod('broker', i)]),
    deletedAt,
    now: at(1),
    ...extra,
  };
}

describe('planTeardown', () => {
  it('lets a combined cluster go at once', () => {
    const plan = planTeardown(
      input({ roles: ['combined'], statefulSets: { combined: sts('combined') } }),
    );
    expect(plan).toMatchObject({ done: true, steps: [] });
  });

  it('deletes the broker StatefulSet first and leaves the controllers alone', () => {
    const plan = planTeardown(input({}));
    expect(plan.done).toBe(false);
    expect(plan.steps).toEqual([
      { action: 'delete-statefulset', role: 'broker', name: 'demo-broker', uid: 'uid-sts-broker' },
    ]);
  });

  it('waits for every broker pod, terminating or not yet, before touching the controllers', () => {
    const pods = [
      ...[0, 1, 2].map((i) => pod('controller', i)),
      pod('broker', 0, { deletionDeadline: at(121) }),
      pod('broker', 1),
    ];
    const plan = planTeardown(
      input({ statefulSets: { controller: sts('controller') }, pods, now: at(20) }),
    );
    expect(plan).toMatchObject({
      done: false,
      steps: [],
      message: 'waiting for the brokers to stop: demo-broker-0, demo-broker-1',
    });
  });

  it('then deletes the controller StatefulSet, waits for its pods, and is done', () => {
    const controllers = [0, 1, 2].map((i) => pod('controller', i));
    const next = planTeardown(
      input({ statefulSets: { controller: sts('controller') }, pods: controllers }),
    );
    expect(next.steps).toEqual([
      {
        action: 'delete-statefulset',
        role: 'controller',
        name: 'demo-controller',
        uid: 'uid-sts-controller',
      },
    ]);
    const waiting = planTeardown(
      input({ statefulSets: { controller: sts('controller', true) }, pods: controllers }),
    );
    expect(waiting).toMatchObject({ done: false, steps: [] });
    expect(planTeardown(input({ statefulSets: {}, pods: [] }))).toMatchObject({
      done: true,
      abandoned: [],
      message: 'brokers and controllers stopped',
    });
  });

  it('deletes Pending pods without a grace period instead of waiting for them', () => {
    const pods = [
      pod('broker', 0, { phase: 'Pending' }),
      // Deleted gracefully by the garbage collector, still Pending: shortened to 0.
      pod('broker', 1, { phase: 'Pending', deletionDeadline: at(120) }),
      // Already deleted with grace 0 (a finalizer holds it): not deleted again.
      pod('broker', 2, { phase: 'Pending', deletionDeadline: at(0) }),
    ];
    const plan = planTeardown(input({ statefulSets: { controller: sts('controller') }, pods }));
    expect(plan.done).toBe(false);
    expect(plan.steps.map((s) => (s.action === 'delete-pod' ? s.name : s.action))).toEqual([
      'demo-broker-0',
      'demo-broker-1',
    ]);
  });

  it('stops waiting for a pod well past its grace period (its kubelet does not answer)', () => {
    const stuck = pod('broker', 0, { deletionDeadline: at(120) });
    const controllers = [0, 1, 2].map((i) => pod('controller', i));
    const still = planTeardown(
      input({ statefulSets: { controller: sts('controller') }, pods: [stuck], now: at(140) }),
    );
    expect(still.done).toBe(false);
    const moved = planTeardown(
      input({
        statefulSets: { controller: sts('controller') },
        pods: [stuck, ...controllers],
        now: at(151),
      }),
    );
    expect(moved.steps).toEqual([expect.objectContaining({ action: 'delete-statefulset' })]);
    expect(moved.abandoned).toEqual(['demo-broker-0']);
    const done = planTeardown(input({ statefulSets: {}, pods: [stuck], now: at(151) }));
    expect(done).toMatchObject({ done: true, abandoned: ['demo-broker-0'] });
    expect(done.message).toMatch(/no longer waiting for demo-broker-0/);
  });

  it('never holds the KafkaCluster longer than maxWaitSeconds', () => {
    const plan = planTeardown(input({ now: at(600) }));
    expect(plan.done).toBe(true);
    expect(plan.abandoned).toHaveLength(6);
    expect(planTeardown(input({ now: at(30), options: { maxWaitSeconds: 30 } })).done).toBe(true);
  });
});

describe('planTeardown with deleteClaim', () => {
  const claim = (role: Role, ordinal: number, deleting = false) => ({
    name: `data-demo-${role}-${ordinal}`,
    uid: `uid-claim-${role}-${ordinal}`,
    role,
    deleting,
  });
  const claims = [0, 1, 2].flatMap((i) => [claim('controller', i), claim('broker', i)]);

  it('deletes the claims of deleteClaim roles only once every pod is gone', () => {
    // Brokers still stopping: no claim is touched.
    const stopping = planTeardown(
      input({
        statefulSets: { controller: sts('controller'), broker: sts('broker', true) },
        pods: [pod('broker', 0), pod('controller', 0)],
        deleteClaimRoles: ['broker'],
        claims,
      }),
    );
    expect(stopping.steps.filter((s) => s.action === 'delete-claim')).toEqual([]);
    expect(stopping.done).toBe(false);
    // Everything stopped: the broker claims go (controllers say deleteClaim: false), once.
    const stopped = planTeardown(
      input({
        statefulSets: {},
        pods: [],
        deleteClaimRoles: ['broker'],
        claims: [...claims.slice(0, 5), claim('broker', 2, true)],
      }),
    );
    expect(stopped.done).toBe(true);
    expect(stopped.steps.map((s) => s.action === 'delete-claim' && [s.name, s.uid])).toEqual([
      ['data-demo-broker-0', 'uid-claim-broker-0'],
      ['data-demo-broker-1', 'uid-claim-broker-1'],
    ]);
    expect(stopped.message).toMatch(/deleting 2 claim\(s\)/);
  });

  it('keeps every claim without deleteClaim', () => {
    const plan = planTeardown(input({ statefulSets: {}, pods: [], claims }));
    expect(plan).toMatchObject({ done: true, steps: [] });
  });

  it('orders a combined cluster whose claims go: StatefulSet, pods, then claims', () => {
    const base = {
      roles: ['combined'] as Role[],
      deleteClaimRoles: ['combined'] as Role[],
      claims: [claim('combined', 0)],
    };
    expect(
      planTeardown(
        input({ ...base, statefulSets: { combined: sts('combined') }, pods: [pod('combined', 0)] }),
      ),
    ).toMatchObject({
      done: false,
      steps: [{ action: 'delete-statefulset', role: 'combined', name: 'demo-combined' }],
      message: 'waiting for the nodes to stop: demo-combined-0',
    });
    expect(planTeardown(input({ ...base, statefulSets: {}, pods: [] }))).toMatchObject({
      done: true,
      steps: [{ action: 'delete-claim', name: 'data-demo-combined-0' }],
    });
  });

  it('deletes the claims when it gives up waiting too (pvc-protection holds each until unused)', () => {
    const plan = planTeardown(
      input({ deleteClaimRoles: ['controller', 'broker'], claims, now: at(601) }),
    );
    expect(plan.done).toBe(true);
    expect(plan.steps.filter((s) => s.action === 'delete-claim')).toHaveLength(6);
  });

  it('waits longer for pods given a longer grace period', () => {
    expect(teardownMaxWaitSeconds(120)).toBe(600);
    expect(teardownMaxWaitSeconds(30)).toBe(600);
    expect(teardownMaxWaitSeconds(1800)).toBe(3960);
  });
});
