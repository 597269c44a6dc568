// The coalescing logic of BatchingUserPort over a recording port that answers like Kafka would
// (the requests it would send are what is checked). The same batching against real Kafka, with
// the requests counted on the wire: test/integration/kafka-user-admin.test.ts.
import { describe, expect, it } from 'vitest';
import { KafkaRequestError, KafkaUnavailableError } from './errors.ts';
import { BatchingUserPort } from './user-batcher.ts';
import type {
  AclBinding,
  AclFilter,
  KafkaUserPort,
  ScramUserResult,
  UserQuotaChange,
  UserQuotas,
} from './user-port.ts';

const acl = (principal: string, topic: string): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName: topic,
  patternType: 'LITERAL',
  principal,
  host: '*',
  operation: 'WRITE',
  permissionType: 'ALLOW',
});

const byPrincipal = (principal: string | null): AclFilter => ({
  resourceType: 'ANY',
  resourceName: null,
  patternType: 'ANY',
  principal,
  host: null,
  operation: 'ANY',
  permissionType: 'ANY',
});

const matches = (f: AclFilter, a: AclBinding): boolean =>
  (f.principal === null || f.principal === a.principal) &&
  (f.resourceType === 'ANY' || f.resourceType === a.resourceType) &&
  (f.resourceName === null || f.resourceName === a.resourceName);

/** Kafka's side of the port as a list of ACLs and quotas; `sent` records every request. */
function recording() {
  const acls: AclBinding[] = [];
  const quotas = new Map<string, UserQuotas>();
  const sent: { call: string; arg: unknown }[] = [];
  let refuseNext: Error | undefined;
  const take = (call: string, arg: unknown) => {
    sent.push({ call, arg });
    const e = refuseNext;
    refuseNext = undefined;
    if (e) throw e;
  };
  const port: KafkaUserPort = {
    describeScramCredentials: async (users) => {
      take('describeScramCredentials', users);
      return (users ?? []).map((user) => ({ user, credentials: [], error: undefined }));
    },
    alterScramCredentials: async (change) => {
      take('alterScramCredentials', change);
      const users = [
        ...new Set([...(change.deletions ?? []), ...(change.upsertions ?? [])].map((c) => c.user)),
      ];
      return users.map((user): ScramUserResult => ({ user, error: undefined }));
    },
    upsertScramCredential: () => Promise.reject(new Error('not used')),
    deleteScramCredential: () => Promise.reject(new Error('not used')),
    describeAcls: async (filter) => {
      take('describeAcls', filter);
      return acls.filter((a) => matches(filter, a));
    },
    createAcls: async (list) => {
      take('createAcls', list);
      acls.push(...list);
      return list.map((a) =>
        a.resourceName === ''
          ? new KafkaRequestError('INVALID_REQUEST', 'empty', false)
          : undefined,
      );
    },
    deleteAcls: async (filters) => {
      take('deleteAcls', filters);
      return filters.map((f) => {
        const deleted = acls.filter((a) => matches(f, a));
        for (const d of deleted) acls.splice(acls.indexOf(d), 1);
        return { deleted, error: undefined };
      });
    },
    describeUserQuotas: async (users) => {
      take('describeUserQuotas', users);
      return new Map([...quotas].filter(([u]) => !users?.length || users.includes(u)));
    },
    alterUserQuotas: async (changes) => {
      take('alterUserQuotas', changes);
      return changes.map((c: UserQuotaChange) => {
        quotas.set(c.user, { ...quotas.get(c.user), ...c.set });
        return { user: c.user, error: undefined };
      });
    },
    close: async () => undefined,
  };
  return {
    port,
    acls,
    quotas,
    sent,
    calls: (name: string) => sent.filter((s) => s.call === name),
    refuse: (e: Error) => (refuseNext = e),
  };
}

describe('BatchingUserPort', () => {
  it('answers 200 concurrent per-principal describes with one any-principal request', async () => {
    const k = recording();
    for (let i = 0; i < 200; i++) k.acls.push(acl(`User:u${i}`, `t${i}`), acl(`User:u${i}`, 'x'));
    const users = new BatchingUserPort(k.port);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => users.describeAcls(byPrincipal(`User:u${i}`))),
    );
    expect(k.calls('describeAcls').map((s) => (s.arg as AclFilter).principal)).toEqual([null]);
    answers.forEach((mine, i) =>
      expect(mine).toEqual([acl(`User:u${i}`, `t${i}`), acl(`User:u${i}`, 'x')]),
    );
  });

  it('sends a lone describe as it is, and keeps filters that differ in more than the principal apart', async () => {
    const k = recording();
    const users = new BatchingUserPort(k.port);
    await users.describeAcls(byPrincipal('User:a'));
    expect(k.calls('describeAcls').map((s) => s.arg)).toEqual([byPrincipal('User:a')]);
    await Promise.all([
      users.describeAcls(byPrincipal('User:a')),
      users.describeAcls({ ...byPrincipal('User:b'), resourceType: 'TOPIC' }),
    ]);
    expect(
      k
        .calls('describeAcls')
        .slice(1)
        .map((s) => s.arg),
    ).toEqual([byPrincipal('User:a'), { ...byPrincipal('User:b'), resourceType: 'TOPIC' }]);
  });

  it('fails only the callers of the describe Kafka refused', async () => {
    const k = recording();
    const users = new BatchingUserPort(k.port);
    k.refuse(new KafkaRequestError('SECURITY_DISABLED', 'No Authorizer is configured.', false));
    const [a, b] = await Promise.allSettled([
      users.describeAcls(byPrincipal('User:a')),
      users.describeAcls({ ...byPrincipal('User:b'), resourceType: 'TOPIC' }),
    ]);
    expect(a.status).toBe('rejected');
    expect(b).toEqual({ status: 'fulfilled', value: [] });
  });

  it('merges concurrent creations and deletions into one request each, answering each caller in its order', async () => {
    const k = recording();
    const users = new BatchingUserPort(k.port);
    const created = await Promise.all([
      users.createAcls([acl('User:a', 't1'), acl('User:a', '')]),
      users.createAcls([]),
      users.createAcls([acl('User:b', 't2')]),
    ]);
    expect(k.calls('createAcls')).toHaveLength(1);
    expect(created.map((r) => r.map((e) => e?.code))).toEqual([
      [undefined, 'INVALID_REQUEST'],
      [],
      [undefined],
    ]);
    const deleted = await Promise.all([
      users.deleteAcls([byPrincipal('User:b')]),
      users.deleteAcls([byPrincipal('User:a'), byPrincipal('User:nobody')]),
    ]);
    expect(k.calls('deleteAcls')).toHaveLength(1);
    expect(deleted.map((r) => r.map((d) => d.deleted.length))).toEqual([[1], [2, 0]]);
  });

  it('sends at most 100 calls per request by default', async () => {
    const k = recording();
    const users = new BatchingUserPort(k.port);
    await Promise.all(
      Array.from({ length: 250 }, (_, i) => users.createAcls([acl(`User:u${i}`, 't')])),
    );
    expect(k.calls('createAcls').map((s) => (s.arg as AclBinding[]).length)).toEqual([
      100, 100, 50,
    ]);
  });

  it('fails every caller of a request that got no answer', async () => {
    const k = recording();
    const users = new BatchingUserPort(k.port);
    k.refuse(new KafkaUnavailableError('a:1', 'connection closed by a:1'));
    const results = await Promise.allSettled([
      users.createAcls([acl('User:a', 't')]),
      users.createAcls([acl('User:b', 't')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('never names a user twice in one quota alteration, and merges different users', async () => {
    const k = recording();
    const users = new BatchingUserPort(k.port);
    const results = await Promise.all([
      users.alterUserQuotas([{ user: 'a', set: { producer_byte_rate: 1 }, remove: [] }]),
      users.alterUserQuotas([{ user: 'b', set: { consumer_byte_rate: 2 }, remove: [] }]),
      users.alterUserQuotas([{ user: 'a', set: { producer_byte_rate: 3 }, remove: [] }]),
    ]);
    expect(
      k.calls('alterUserQuotas').map((s) => (s.arg as UserQuotaChange[]).map((c) => c.user)),
    ).toEqual([['a', 'b'], ['a']]);
    expect(results.flat()).toEqual([
      { user: 'a', error: undefined },
      { user: 'b', error: undefined },
      { user: 'a', error: undefined },
    ]);
    expect(k.quotas.get('a')).toEqual({ producer_byte_rate: 3 });
  });

  it('describes the quotas of concurrent callers in one request; a user without quotas is absent', async () => {
    const k = recording();
    k.quotas.set('a', { producer_byte_rate: 1 });
    k.quotas.set('c', { request_percentage: 50 });
    const users = new BatchingUserPort(k.port);
    const [a, b, ab] = await Promise.all([
      users.describeUserQuotas(['a']),
      users.describeUserQuotas(['b']),
      users.describeUserQuotas(['a', 'b', 'a']),
    ]);
    expect(k.calls('describeUserQuotas').map((s) => s.arg)).toEqual([['a', 'b']]);
    expect([...a]).toEqual([['a', { producer_byte_rate: 1 }]]);
    expect([...b]).toEqual([]);
    expect([...ab]).toEqual([['a', { producer_byte_rate: 1 }]]);
    expect([...(await users.describeUserQuotas())].map(([u]) => u)).toEqual(['a', 'c']);
  });

  it('merges SCRAM alterations of different users, keeping one call’s changes of a user together', async () => {
    const k = recording();
    const users = new BatchingUserPort(k.port);
    const [ab, c] = await Promise.all([
      users.alterScramCredentials({
        upsertions: [{ user: 'a', mechanism: 'SCRAM-SHA-512', password: 'p' }],
        deletions: [
          { user: 'a', mechanism: 'SCRAM-SHA-256' },
          { user: 'b', mechanism: 'SCRAM-SHA-512' },
        ],
      }),
      users.alterScramCredentials({
        upsertions: [{ user: 'c', mechanism: 'SCRAM-SHA-512', password: 'q' }],
      }),
    ]);
    expect(k.calls('alterScramCredentials')).toHaveLength(1);
    expect(ab.map((r) => r.user)).toEqual(['a', 'b']);
    expect(c.map((r) => r.user)).toEqual(['c']);
    const described = await Promise.all([
      users.describeScramCredentials(['a']),
      users.describeScramCredentials(['b', 'a']),
    ]);
    expect(k.calls('describeScramCredentials').map((s) => s.arg)).toEqual([['a', 'b']]);
    expect(described.map((d) => d.map((u) => u.user))).toEqual([['a'], ['b', 'a']]);
  });
});
