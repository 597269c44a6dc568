import { describe, expect, it } from 'vitest';
import {
  forbiddenScaleTarget,
  scaleTargetProblem,
  targetRetryMs,
  type Discovery,
} from './scale-target.ts';

const sts = (name: string) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name });

describe('forbiddenScaleTarget', () => {
  it("refuses a StatefulSet named as a KafkaCluster's, before that cluster created it", () => {
    for (const name of ['demo-broker', 'demo-controller', 'demo-kafka']) {
      const p = forbiddenScaleTarget(sts(name), 'ns', undefined, ['other', 'demo']);
      expect(p?.reason).toBe('ScaleTargetForbidden');
      expect(p?.message).toContain('KafkaCluster demo');
    }
  });

  it('refuses a StatefulSet carrying the cluster label, whatever its name', () => {
    const labelled = { metadata: { name: 'odd', labels: { 'kraftwerk.dev/cluster': 'c1' } } };
    const p = forbiddenScaleTarget(sts('odd'), 'ns', labelled, []);
    expect(p?.reason).toBe('ScaleTargetForbidden');
    expect(p?.message).toContain('kraftwerk.dev/cluster=c1');
  });

  it('refuses a StatefulSet a KafkaCluster owns', () => {
    const owned = {
      metadata: {
        name: 'x',
        labels: { 'kraftwerk.dev/cluster': 'c1' },
        ownerReferences: [
          { apiVersion: 'kraftwerk.dev/v1alpha1', kind: 'KafkaCluster', name: 'c1', uid: 'u' },
        ],
      },
    };
    expect(forbiddenScaleTarget(sts('x'), 'ns', owned, [])?.message).toContain('owned by');
  });

  it('refuses kraftwerk.dev kinds (a KafkaCluster has a scale subresource)', () => {
    const ref = { apiVersion: 'kraftwerk.dev/v1alpha1', kind: 'KafkaCluster', name: 'demo' };
    expect(forbiddenScaleTarget(ref, 'ns', undefined, [])?.reason).toBe('ScaleTargetForbidden');
  });

  it('allows consumer workloads, including StatefulSets that only look alike', () => {
    expect(forbiddenScaleTarget(sts('demo-broker'), 'ns', undefined, ['other'])).toBeUndefined();
    expect(forbiddenScaleTarget(sts('worker'), 'ns', undefined, ['demo'])).toBeUndefined();
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'demo-broker' };
    expect(forbiddenScaleTarget(deployment, 'ns', undefined, ['demo'])).toBeUndefined();
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'demo-broker' };
    expect(forbiddenScaleTarget(rollout, 'ns', undefined, ['demo'])).toBeUndefined();
  });
});

describe('scaleTargetProblem', () => {
  const apps: Discovery = {
    served: true,
    resources: [
      { name: 'deployments', kind: 'Deployment' },
      { name: 'deployments/scale', kind: 'Scale' },
      { name: 'replicasets', kind: 'ReplicaSet' },
      { name: 'replicasets/scale', kind: 'Scale' },
      { name: 'daemonsets', kind: 'DaemonSet' },
    ],
  };
  const ref = (kind: string, apiVersion = 'apps/v1') => ({ apiVersion, kind, name: 'w' });

  it('404 on a kind with a scale subresource: the object is missing', () => {
    const p = scaleTargetProblem(ref('Deployment'), 'ns', 'get', 404, '', apps);
    expect(p).toEqual({
      reason: 'TargetNotFound',
      message: 'Deployment ns/w (apps/v1) does not exist; waiting for it',
    });
  });

  it('a kind without a scale subresource, whether the answer was 404 or 403', () => {
    for (const code of [403, 404, 405]) {
      const p = scaleTargetProblem(ref('DaemonSet'), 'ns', 'get', code, '', apps);
      expect(p?.reason).toBe('NoScaleSubresource');
    }
  });

  it('403 on a scalable kind names the resource to grant and the chart value', () => {
    const p = scaleTargetProblem(ref('ReplicaSet'), 'team-a', 'patch', 403, 'forbidden!', apps);
    expect(p?.reason).toBe('ScaleAccessDenied');
    expect(p?.message).toContain('may not patch replicasets/scale in API group apps');
    expect(p?.message).toContain('in namespace team-a');
    expect(p?.message).toContain(
      'rbac.extraScaleTargets (- { group: apps, resource: replicasets })',
    );
    expect(p?.message).toContain('forbidden!');
  });

  it('403 on Deployments points at the install, which grants them', () => {
    const p = scaleTargetProblem(ref('Deployment'), 'ns', 'get', 403, '', apps);
    expect(p?.reason).toBe('ScaleAccessDenied');
    expect(p?.message).not.toContain('extraScaleTargets');
  });

  it('an apiVersion or kind the API server does not serve', () => {
    expect(
      scaleTargetProblem(ref('Rollout', 'argoproj.io/v1alpha1'), 'ns', 'get', undefined, '', {
        served: false,
      })?.reason,
    ).toBe('KindNotFound');
    expect(scaleTargetProblem(ref('Deploymnet'), 'ns', 'get', undefined, '', apps)?.reason).toBe(
      'KindNotFound',
    );
  });

  it('anything else is not the target: the caller retries the error', () => {
    expect(scaleTargetProblem(ref('Deployment'), 'ns', 'get', undefined, '', apps)).toBeUndefined();
    expect(scaleTargetProblem(ref('Deployment'), 'ns', 'get', 500, '', apps)).toBeUndefined();
  });
});

describe('targetRetryMs', () => {
  it('doubles from the poll interval up to 30 s, or the poll interval if longer', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => targetRetryMs(1000, n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(targetRetryMs(60_000, 3)).toBe(60_000);
  });
});
