import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { observePod } from './observe-pod.ts';

const now = new Date('2026-11-22T03:10:00Z');

function pod(
  patch: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    status?: V1Pod['status'];
    name?: string;
    deleting?: boolean;
  } = {},
): V1Pod {
  return {
    metadata: {
      name: patch.name ?? 'demo-broker-2',
      labels: {
        'kraftwerk.dev/role': 'broker',
        'controller-revision-hash': 'demo-broker-abc',
        ...patch.labels,
      },
      annotations: { 'kraftwerk.dev/kafka-version': '4.1.1', ...patch.annotations },
      ...(patch.deleting ? { deletionTimestamp: new Date('2026-11-22T03:09:00Z') } : {}),
    },
    status: patch.status ?? {
      phase: 'Running',
      hostIP: '172.18.0.2',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-11-22T03:00:00Z') },
      ],
      containerStatuses: [
        {
          name: 'kafka',
          ready: true,
          restartCount: 0,
          image: 'i',
          imageID: 'i',
          state: { running: {} },
        },
      ],
    },
  };
}

describe('observePod', () => {
  it('reads a healthy broker pod', () => {
    expect(observePod(pod(), 'demo-broker-abc', now)).toEqual({
      name: 'demo-broker-2',
      role: 'broker',
      ordinal: 2,
      nodeId: 102,
      revision: 'demo-broker-abc',
      desiredRevision: 'demo-broker-abc',
      phase: 'Running',
      ready: true,
      // Ready since 03:00, observed at 03:10.
      readySeconds: 600,
      crashLooping: false,
      terminating: false,
      kafkaVersion: '4.1.1',
      hostIP: '172.18.0.2',
    });
  });

  it('sees CrashLoopBackOff and image pull failures as stuck, with how long it has been unready', () => {
    for (const reason of ['CrashLoopBackOff', 'ImagePullBackOff']) {
      const p = pod({
        status: {
          phase: 'Running',
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              lastTransitionTime: new Date('2026-11-22T03:05:00Z'),
            },
          ],
          containerStatuses: [
            {
              name: 'kafka',
              ready: false,
              restartCount: 5,
              image: 'i',
              imageID: 'i',
              state: { waiting: { reason } },
            },
          ],
        },
      });
      expect(observePod(p, 'x', now)).toMatchObject({
        crashLooping: true,
        ready: false,
        unreadySeconds: 300,
      });
    }
  });

  it('reads Pending, terminating, manual restarts and node ids per role', () => {
    expect(observePod(pod({ status: { phase: 'Pending' } }), 'x', now)).toMatchObject({
      phase: 'Pending',
      ready: false,
    });
    expect(observePod(pod({ deleting: true }), 'x', now)).toMatchObject({ terminating: true });
    expect(
      observePod(pod({ annotations: { 'kraftwerk.dev/restart': '' } }), 'x', now),
    ).toMatchObject({ restartRequested: true });
    expect(
      observePod(
        pod({ name: 'demo-controller-1', labels: { 'kraftwerk.dev/role': 'controller' } }),
        'x',
        now,
      ),
    ).toMatchObject({ nodeId: 1 });
    expect(
      observePod(
        pod({ name: 'demo-kafka-4', labels: { 'kraftwerk.dev/role': 'combined' } }),
        'x',
        now,
      ),
    ).toMatchObject({ nodeId: 4 });
  });

  it('ignores pods that are not ours', () => {
    expect(
      observePod(pod({ labels: { 'kraftwerk.dev/role': 'other' } }), 'x', now),
    ).toBeUndefined();
    expect(observePod(pod({ name: 'no-ordinal' }), 'x', now)).toBeUndefined();
  });
});
