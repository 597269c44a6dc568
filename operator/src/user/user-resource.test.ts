import { describe, expect, it } from 'vitest';
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import type { KafkaUser } from '../api/kafka-user.ts';
import { resolveKafkaTarget } from '../kafka-target.ts';
import {
  controlledBy,
  preflight,
  reservedPrincipals,
  usernameHolder,
  usernameOf,
} from './user-resource.ts';

function user(
  name: string,
  over: Partial<KafkaUser['spec']> = {},
  created = '2026-01-01T00:00:00Z',
): KafkaUser {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaUser',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: created },
    spec: { cluster: 'c', authentication: { type: 'scram-sha-512' }, ...over },
  };
}
function cluster(over: Partial<KafkaCluster['spec']> = {}): KafkaCluster {
  return {
    apiVersion: 'kraftwerk.dev/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'c', namespace: 'ns', uid: 'cu' },
    spec: {
      version: '4.1.1',
      brokers: { replicas: 1, storage: { type: 'ephemeral' } },
      listeners: [
        {
          name: 'internal',
          port: 9092,
          type: 'internal',
          tls: true,
          authentication: { type: 'scram-sha-512' },
        },
      ],
      authorization: { type: 'simple', superUsers: ['User:admin'] },
      ...over,
    } as KafkaCluster['spec'],
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Ready',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
      listeners: [{ name: 'internal', bootstrapServers: 'c-kafka-bootstrap.ns.svc:9092' }],
    },
  };
}
const listener = { name: 'internal' };
const check = (
  u: KafkaUser,
  c: KafkaCluster | null = cluster(),
  all: KafkaUser[] = [u],
  l: object = listener,
) =>
  preflight({
    user: u,
    cluster: c ?? undefined,
    target: resolveKafkaTarget({ cluster: u.spec.cluster }, 'ns', c ?? undefined),
    allUsers: all,
    listener: l,
  });

describe('preflight', () => {
  it('lets a user of a ready, secured cluster through', () => {
    expect(check(user('alice', { authorization: { acls: [] } }))).toBeUndefined();
  });

  it('waits for a cluster that is missing or not ready', () => {
    expect(check(user('alice'), null)?.reason).toBe('ClusterNotFound');
    const notReady = cluster();
    notReady.status!.conditions = [];
    expect(check(user('alice'), notReady)?.reason).toBe('ClusterNotReady');
  });

  it('refuses a user without a listener of its authentication type, in the words of the listener choice', () => {
    const tls = user('alice', { authentication: { type: 'tls' } });
    const v = check(tls, cluster(), undefined, {
      error: 'add a listener with authentication type tls',
    });
    expect(v).toMatchObject({
      reason: 'NoMatchingListener',
      message: 'add a listener with authentication type tls',
    });
    // Said at once, even while the cluster is not ready.
    const notReady = cluster();
    notReady.status = {};
    expect(check(tls, notReady, undefined, { error: 'x' })?.reason).toBe('NoMatchingListener');
  });

  it("waits (ClusterNotReady) while the matching listener's address is not in the status yet", () => {
    const v = check(user('alice'), cluster(), undefined, {
      error: 'does not report the address yet',
    });
    expect(v).toMatchObject({
      reason: 'ClusterNotReady',
      message: 'does not report the address yet',
    });
  });

  it('refuses ACLs on a cluster without authorization, and says what to set', () => {
    const acls = {
      acls: [
        {
          resource: { type: 'topic' as const, name: 't', patternType: 'literal' as const },
          operations: ['Read' as const],
          type: 'allow' as const,
          host: '*',
        },
      ],
    };
    const v = check(user('alice', { authorization: acls }), cluster({ authorization: undefined }));
    expect(v?.reason).toBe('AuthorizationDisabled');
    expect(v?.message).toContain('authorization: {type: simple}');
  });

  it("refuses the cluster's node identities, the operator and its super users", () => {
    expect(reservedPrincipals(cluster())).toEqual(
      expect.arrayContaining([
        'User:c-kafka',
        'User:kraftwerk-operator',
        'User:admin',
        'User:ANONYMOUS',
      ]),
    );
    expect(check(user('x', { username: 'c-kafka' }))?.reason).toBe('ReservedUsername');
    expect(check(user('admin'))?.reason).toBe('ReservedUsername');
    const split = cluster({
      controllers: { replicas: 3, storage: { type: 'ephemeral' } },
    } as Partial<KafkaCluster['spec']>);
    expect(check(user('x', { username: 'c-controller' }), split)?.reason).toBe('ReservedUsername');
  });

  it('gives a user name to the oldest KafkaUser declaring it, then by name', () => {
    const old = user('a-old', { username: 'shared' }, '2026-01-01T00:00:00Z');
    const young = user('b-young', { username: 'shared' }, '2026-01-02T00:00:00Z');
    const twin = user('a-twin', { username: 'shared' }, '2026-01-02T00:00:00Z');
    const all = [young, old, twin];
    expect(check(old, cluster(), all)).toBeUndefined();
    const v = check(young, cluster(), all);
    expect(v?.reason).toBe('UsernameConflict');
    expect(v?.message).toContain('KafkaUser a-old');
    expect(usernameHolder(twin, [young, twin])).toBeUndefined();
    expect(usernameHolder(young, [young, twin])?.metadata.name).toBe('a-twin');
    // Another cluster's user of the same name is no rival.
    expect(
      usernameHolder(young, [{ ...old, spec: { ...old.spec, cluster: 'other' } }]),
    ).toBeUndefined();
  });
});

describe('names and ownership', () => {
  it('takes the user name from spec.username, else metadata.name', () => {
    expect(usernameOf(user('alice'))).toBe('alice');
    expect(usernameOf(user('alice', { username: 'al' }))).toBe('al');
  });

  it('knows a Secret controlled by this very KafkaUser (uid), not by a namesake', () => {
    const u = user('alice');
    const ref = {
      apiVersion: 'kraftwerk.dev/v1alpha1',
      kind: 'KafkaUser',
      name: 'alice',
      controller: true,
    };
    expect(controlledBy({ metadata: { ownerReferences: [{ ...ref, uid: 'uid-alice' }] } }, u)).toBe(
      true,
    );
    expect(controlledBy({ metadata: { ownerReferences: [{ ...ref, uid: 'earlier' }] } }, u)).toBe(
      false,
    );
    expect(controlledBy({ metadata: {} }, u)).toBe(false);
  });
});
