import { describe, expect, it } from 'vitest';
import type { KafkaUser } from '../api/kafka-user.ts';
import type { AclBinding } from '../kafka/user-port.ts';
import { planAcls } from './acl-plan.ts';
import { changeEvents, readyVerdict, refused, specUnchanged, userStatus } from './user-status.ts';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:05:00Z');
function user(over: Partial<KafkaUser> = {}): KafkaUser {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaUser',
    metadata: { name: 'alice', namespace: 'ns', uid: 'u1', generation: 3 },
    spec: { cluster: 'c', authentication: { type: 'scram-sha-512' } },
    ...over,
  };
}
const b = (operation: AclBinding['operation']): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  principal: 'User:alice',
  host: '*',
  operation,
  permissionType: 'ALLOW',
});
const noQuotas = { change: undefined, observed: {} };

describe('userStatus', () => {
  it('sets Ready with the facts, and kstatus says neither Reconciling nor Stalled', () => {
    const s = userStatus(
      user(),
      readyVerdict(),
      { username: 'alice', principal: 'User:alice', secret: 'alice', bootstrapServers: 'b:9092' },
      now,
    );
    expect(s).toMatchObject({
      observedGeneration: 3,
      username: 'alice',
      principal: 'User:alice',
      secret: 'alice',
      bootstrapServers: 'b:9092',
    });
    const byType = Object.fromEntries(s.conditions!.map((c) => [c.type, c]));
    expect(byType.Ready).toMatchObject({ status: 'True', reason: 'Ready', observedGeneration: 3 });
    expect(byType.Reconciling?.status).toBe('False');
    expect(byType.Stalled?.status).toBe('False');
  });

  it('marks a reason a person must fix as Stalled, one that resolves by itself as Reconciling', () => {
    const stalled = userStatus(user(), refused('PasswordSecretNotFound', 'no Secret p'), {}, now);
    expect(stalled.conditions!.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'PasswordSecretNotFound',
      message: 'no Secret p',
    });
    const waiting = userStatus(user(), refused('ClusterNotReady', 'wait'), {}, now);
    expect(waiting.conditions!.find((c) => c.type === 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'ClusterNotReady',
    });
    expect(waiting.conditions!.find((c) => c.type === 'Ready')?.status).toBe('False');
  });

  it('keeps facts it is not told and the transition time while Ready stays the same', () => {
    const first = userStatus(user(), readyVerdict(), { secret: 'alice', username: 'alice' }, now);
    const again = userStatus(user({ status: first }), readyVerdict(), { username: 'alice' }, later);
    expect(again.secret).toBe('alice');
    expect(again.conditions).toEqual(first.conditions);
  });

  it('drops certificateNotAfter of a user that is not (any more) a tls user', () => {
    const s = userStatus(
      user({ status: { certificateNotAfter: '2027-01-01T00:00:00Z' } }),
      readyVerdict(),
      {},
      now,
    );
    expect(s.certificateNotAfter).toBeUndefined();
    const tls = user({ spec: { cluster: 'c', authentication: { type: 'tls' } } });
    expect(
      userStatus(tls, readyVerdict(), { certificateNotAfter: 'x' }, now).certificateNotAfter,
    ).toBe('x');
  });
});

describe('specUnchanged', () => {
  it('is true only when Kafka last matched this very generation', () => {
    const ready = userStatus(user(), readyVerdict(), {}, now);
    expect(specUnchanged(user({ status: ready }))).toBe(true);
    expect(specUnchanged(user({ status: ready, metadata: { name: 'alice', generation: 4 } }))).toBe(
      false,
    );
    const notReady = userStatus(user(), refused('KafkaRefused', 'no'), {}, now);
    expect(specUnchanged(user({ status: notReady }))).toBe(false);
    expect(specUnchanged(user())).toBe(false);
  });
});

describe('changeEvents', () => {
  it('reports ACLs added outside as a Warning AclsRemoved when the spec did not change', () => {
    const acls = planAcls([b('READ')], [b('READ'), b('ALL')]);
    const [e] = changeEvents({
      principal: 'User:alice',
      specUnchanged: true,
      acls,
      quotas: noQuotas,
    });
    expect(e).toMatchObject({ type: 'Warning', reason: 'AclsRemoved' });
    expect(e!.message).toContain('added outside');
    expect(e!.message).toContain('ALLOW ALL TOPIC:orders');
  });

  it('reports the changes that follow a new spec as Normal', () => {
    const acls = planAcls([b('WRITE')], [b('READ')]);
    const events = changeEvents({
      principal: 'User:alice',
      specUnchanged: false,
      acls,
      quotas: {
        change: { user: 'alice', set: { producer_byte_rate: 5 }, remove: [] },
        observed: {},
      },
      credential: 'created',
    });
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['Normal', 'CredentialsCreated'],
      ['Normal', 'AclsRemoved'],
      ['Normal', 'AclsCreated'],
      ['Normal', 'QuotasUpdated'],
    ]);
  });

  it('reports a quota changed outside as a Warning QuotasCorrected naming the old value', () => {
    const [e] = changeEvents({
      principal: 'User:alice',
      specUnchanged: true,
      acls: planAcls([], []),
      quotas: {
        change: { user: 'alice', set: { producer_byte_rate: 5 }, remove: [] },
        observed: { producer_byte_rate: 9 },
      },
    });
    expect(e).toMatchObject({ type: 'Warning', reason: 'QuotasCorrected' });
    expect(e!.message).toContain('producer_byte_rate=5 (was 9)');
  });

  it('says nothing when nothing changed', () => {
    expect(
      changeEvents({
        principal: 'User:a',
        specUnchanged: true,
        acls: planAcls([], []),
        quotas: noQuotas,
      }),
    ).toEqual([]);
  });
});
