import { describe, expect, it } from 'vitest';
import type { Condition } from './conditions.ts';
import { ReconcileTimeoutError, TerminalError } from './errors.ts';
import { planFailureReport } from './failure-report.ts';
import { KubeApiError } from './kube-client.ts';

const now = new Date('2025-01-02T03:04:05.678Z');
const earlier = '2025-01-01T00:00:00Z';
const cond = (c: Partial<Condition> & { type: string }): Condition => ({
  status: 'True',
  reason: 'Ok',
  message: '',
  lastTransitionTime: earlier,
  ...c,
});

describe('planFailureReport', () => {
  it('sets Ready=False with ReconcileError and the message, and sends only that condition', () => {
    const err = new KubeApiError('PATCH', '/apis/apps/v1/x', 422, {
      reason: 'Invalid',
      message: 'spec.replicas: must be >= 0',
    });
    const plan = planFailureReport(
      [cond({ type: 'Ready' }), cond({ type: 'TopicsSynced' })],
      err,
      4,
      now,
    );
    expect(plan.reason).toBe('ReconcileError');
    expect(plan.apply).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'ReconcileError',
        message: err.message,
        observedGeneration: 4,
        lastTransitionTime: '2025-01-02T03:04:05Z',
      },
    ]);
  });

  it('writes nothing when Ready already carries the message, and names the Event by its reason', () => {
    const err = new Error('Kafka at nohost.invalid:9092 is unavailable: ENOTFOUND');
    const plan = planFailureReport(
      [
        cond({
          type: 'Ready',
          status: 'Unknown',
          reason: 'KafkaUnavailable',
          message: err.message,
        }),
      ],
      err,
      1,
      now,
    );
    expect(plan).toEqual({ reason: 'KafkaUnavailable', message: err.message, apply: [] });
  });

  it('reports over a Ready that says something else, keeping its transition time if already False', () => {
    const plan = planFailureReport(
      [cond({ type: 'Ready', status: 'False', reason: 'Waiting', message: 'waiting' })],
      new Error('boom'),
      2,
      now,
    );
    expect(plan.apply).toMatchObject([
      { type: 'Ready', status: 'False', reason: 'ReconcileError', lastTransitionTime: earlier },
    ]);
  });

  it('uses a typed error reason; a terminal error says it is not retried and marks Stalled', () => {
    const plan = planFailureReport(
      [
        cond({ type: 'Ready' }),
        cond({ type: 'Reconciling', status: 'False', reason: 'Idle' }),
        cond({ type: 'Stalled', status: 'False', reason: 'Healthy' }),
      ],
      new TerminalError('replicas cannot shrink', 'ShrinkRefused'),
      3,
      now,
    );
    expect(plan.reason).toBe('ShrinkRefused');
    expect(plan.message).toBe('replicas cannot shrink (not retried until the resource changes)');
    expect(Object.fromEntries(plan.apply.map((c) => [c.type, c.status]))).toEqual({
      Ready: 'False',
      Reconciling: 'False',
      Stalled: 'True',
    });
    const timeout = planFailureReport(undefined, new ReconcileTimeoutError(120_000), 1, now);
    expect(timeout.reason).toBe('ReconcileTimeout');
    expect(timeout.apply.map((c) => c.type)).toEqual(['Ready']);
  });
});
