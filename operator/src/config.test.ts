import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';

describe('configFromEnv', () => {
  it('reads the reconcile deadline and the lease timings, fractions of seconds allowed', () => {
    const c = configFromEnv({
      POD_NAMESPACE: 'ops',
      POD_NAME: 'kraftwerk-0',
      KRAFTWERK_RECONCILE_TIMEOUT_SECONDS: '30',
      KRAFTWERK_LEASE_DURATION_SECONDS: '3',
      KRAFTWERK_RENEW_DEADLINE_SECONDS: '2',
      KRAFTWERK_RETRY_PERIOD_SECONDS: '0.5',
    });
    expect(c.reconcileTimeoutMs).toBe(30_000);
    expect(c.leaderElection).toEqual({
      namespace: 'ops',
      leaseName: 'kraftwerk-operator',
      identity: 'kraftwerk-0',
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 500,
    });
  });

  it('keeps the defaults when unset and names the variable when wrong', () => {
    const c = configFromEnv({ POD_NAMESPACE: 'ops', POD_NAME: 'p' });
    expect(c.reconcileTimeoutMs).toBe(120_000);
    expect(c.readNodes).toBe(true);
    expect(configFromEnv({ POD_NAMESPACE: 'ops', KRAFTWERK_READ_NODES: 'false' }).readNodes).toBe(
      false,
    );
    expect(() => configFromEnv({ POD_NAMESPACE: 'ops', KRAFTWERK_READ_NODES: 'no' })).toThrow(
      /KRAFTWERK_READ_NODES/,
    );
    expect(c.leaderElection).toEqual({
      namespace: 'ops',
      leaseName: 'kraftwerk-operator',
      identity: 'p',
    });
    expect(() =>
      configFromEnv({ POD_NAMESPACE: 'ops', KRAFTWERK_LEASE_DURATION_SECONDS: '-1' }),
    ).toThrow(/KRAFTWERK_LEASE_DURATION_SECONDS/);
    expect(() =>
      configFromEnv({
        KRAFTWERK_LEADER_ELECTION: 'false',
        KRAFTWERK_RECONCILE_TIMEOUT_SECONDS: '0',
      }),
    ).toThrow(/KRAFTWERK_RECONCILE_TIMEOUT_SECONDS/);
  });

  it("names the operator's own pods: POD_NAMESPACE and the labels both installs set, or what it is told", () => {
    expect(configFromEnv({ POD_NAMESPACE: 'ops' }).operatorPods).toEqual({
      namespace: 'ops',
      labels: { 'app.kubernetes.io/name': 'kraftwerk', 'app.kubernetes.io/component': 'operator' },
    });
    const told = configFromEnv({
      POD_NAMESPACE: 'ops',
      KRAFTWERK_OPERATOR_NAMESPACE: 'platform',
      KRAFTWERK_OPERATOR_POD_LABELS: 'app=kafka-operator, tier=control',
    });
    expect(told.operatorPods).toEqual({
      namespace: 'platform',
      labels: { app: 'kafka-operator', tier: 'control' },
    });
    // Outside a pod nothing names it: the clusters' policies admit their own pods only.
    expect(configFromEnv({ KRAFTWERK_LEADER_ELECTION: 'false' }).operatorPods).toBeUndefined();
    expect(() =>
      configFromEnv({ POD_NAMESPACE: 'ops', KRAFTWERK_OPERATOR_POD_LABELS: 'app' }),
    ).toThrow(/KRAFTWERK_OPERATOR_POD_LABELS/);
  });
});
