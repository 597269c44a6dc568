// The leader-election decision on a coordination.k8s.io/v1 Lease, pure (client-go's
// tryAcquireOrRenew). Expiry is judged by our own clock from when we last saw the record
// change, never by comparing the holder's renewTime to our clock: clocks on two machines
// disagree, but both measure durations well.
import { microTime } from './micro-time.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export type LeaseDecision =
  { action: 'take'; spec: LeaseSpec } | { action: 'wait'; holder: string; expiresAtMs: number };

export function decideLease(
  current: LeaseSpec | undefined,
  identity: string,
  leaseDurationSeconds: number,
  nowMs: number,
  observedAtMs: number,
): LeaseDecision {
  const holder = current?.holderIdentity ?? '';
  const theirDuration = (current?.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  if (holder && holder !== identity && observedAtMs + theirDuration > nowMs) {
    return { action: 'wait', holder, expiresAtMs: observedAtMs + theirDuration };
  }
  const now = microTime(nowMs);
  const ours = holder === identity;
  return {
    action: 'take',
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: ours && current?.acquireTime ? current.acquireTime : now,
      renewTime: now,
      leaseTransitions: (current?.leaseTransitions ?? 0) + (ours || !current ? 0 : 1),
    },
  };
}

/** What a leader writes when it steps down, so the next one need not wait for expiry. */
export function releasedLease(current: LeaseSpec | undefined, nowMs: number): LeaseSpec {
  const now = microTime(nowMs);
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: current?.leaseTransitions ?? 0,
  };
}

/** Records compare by value: a renew changes renewTime, which is what "changed" means. */
export function sameLeaseSpec(a: LeaseSpec | undefined, b: LeaseSpec | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}
