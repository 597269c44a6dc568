// Scenario 6: the operator pod leading the work is killed (no grace period) in the middle of a
// roll; the standby replica takes the Lease and finishes the roll with the same safety: one
// pod at a time, controllers first, no acknowledged message lost.
import { describe, expect, it } from 'vitest';
import { get, kube, waitFor } from './lib.ts';
import { expectSafeRoll, rollWithConfig } from './roll.ts';

const leasePath =
  '/apis/coordination.k8s.io/v1/namespaces/kraftwerk-system/leases/kraftwerk-operator';
const holder = async () =>
  (await get<{ spec: { holderIdentity?: string } }>(leasePath)).spec.holderIdentity;

describe('operator killed mid-roll', () => {
  it('the new leader finishes the roll safely', async () => {
    let killed: string | undefined;
    const report = await rollWithConfig('e2e-operator-kill', async () => {
      killed = await holder();
      if (!killed) throw new Error('no operator holds the lease');
      await kube.request(
        'DELETE',
        `/api/v1/namespaces/kraftwerk-system/pods/${killed}?gracePeriodSeconds=0`,
      );
      const next = await waitFor(
        'another operator pod holds the lease',
        async () => {
          const h = await holder();
          return h && h !== killed ? h : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      console.log(`killed leader ${killed}; ${next} took over`);
    });
    expect(killed).toBeDefined();
    expectSafeRoll(report);
  });
});
