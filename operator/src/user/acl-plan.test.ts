import { describe, expect, it } from 'vitest';
import type { KafkaUserAcl } from '../api/kafka-user.ts';
import type { AclBinding } from '../kafka/user-port.ts';
import {
  aclKey,
  describeAcls,
  desiredAcls,
  exactFilter,
  planAcls,
  principalFilter,
  wireOperation,
} from './acl-plan.ts';

const acl = (
  a: Partial<KafkaUserAcl> & Pick<KafkaUserAcl, 'resource' | 'operations'>,
): KafkaUserAcl => ({ type: 'allow', host: '*', ...a }) as KafkaUserAcl;

const binding = (b: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  principal: 'User:alice',
  host: '*',
  operation: 'READ',
  permissionType: 'ALLOW',
  ...b,
});

describe('desiredAcls', () => {
  it('makes one binding per operation, with Kafka names for types, patterns and operations', () => {
    const got = desiredAcls('alice', [
      acl({
        resource: { type: 'topic', name: 'orders', patternType: 'literal' },
        operations: ['Read', 'DescribeConfigs'],
      }),
      acl({
        resource: { type: 'group', name: 'app-', patternType: 'prefix' },
        operations: ['Read'],
        type: 'deny',
        host: '10.0.0.1',
      }),
      acl({
        resource: { type: 'transactionalId', name: 'tx', patternType: 'literal' },
        operations: ['Write'],
      }),
    ]);
    expect(got).toEqual([
      binding({ operation: 'READ' }),
      binding({ operation: 'DESCRIBE_CONFIGS' }),
      binding({
        resourceType: 'GROUP',
        resourceName: 'app-',
        patternType: 'PREFIXED',
        permissionType: 'DENY',
        host: '10.0.0.1',
      }),
      binding({ resourceType: 'TRANSACTIONAL_ID', resourceName: 'tx', operation: 'WRITE' }),
    ]);
  });

  it('names the cluster resource as Kafka does, literally, whatever the spec says', () => {
    expect(
      desiredAcls('alice', [
        acl({
          resource: { type: 'cluster', patternType: 'literal' },
          operations: ['IdempotentWrite', 'All'],
        }),
      ]),
    ).toEqual([
      binding({
        resourceType: 'CLUSTER',
        resourceName: 'kafka-cluster',
        operation: 'IDEMPOTENT_WRITE',
      }),
      binding({ resourceType: 'CLUSTER', resourceName: 'kafka-cluster', operation: 'ALL' }),
    ]);
  });

  it('drops duplicates (the same binding twice in the spec is one ACL in Kafka)', () => {
    const a = acl({
      resource: { type: 'topic', name: 'orders', patternType: 'literal' },
      operations: ['Read', 'Read'],
    });
    expect(desiredAcls('alice', [a, a])).toEqual([binding()]);
  });

  it('maps every operation of the schema to a wire name', () => {
    expect(wireOperation('ClusterAction')).toBe('CLUSTER_ACTION');
    expect(wireOperation('AlterConfigs')).toBe('ALTER_CONFIGS');
    expect(wireOperation('TwoPhaseCommit')).toBe('TWO_PHASE_COMMIT');
    expect(wireOperation('All')).toBe('ALL');
  });
});

describe('planAcls', () => {
  it('creates what is missing and deletes what is not declared, each exactly', () => {
    const keep = binding();
    const missing = binding({ operation: 'WRITE' });
    const outside = binding({ resourceName: 'payments', operation: 'ALL' });
    const plan = planAcls([keep, missing], [keep, outside]);
    expect(plan.create).toEqual([missing]);
    expect(plan.remove).toEqual([outside]);
    expect(plan.deleteFilters).toEqual([exactFilter(outside)]);
    // An exact filter has no wildcard: it cannot take a binding the plan did not name.
    for (const f of plan.deleteFilters) {
      expect(Object.values(f)).not.toContain(null);
      expect(Object.values(f)).not.toContain('ANY');
    }
  });

  it('sees a different host, permission or pattern as another binding', () => {
    const want = binding();
    for (const other of [
      binding({ host: '10.0.0.1' }),
      binding({ permissionType: 'DENY' }),
      binding({ patternType: 'PREFIXED' }),
    ]) {
      const plan = planAcls([want], [other]);
      expect(plan.create).toEqual([want]);
      expect(plan.remove).toEqual([other]);
    }
  });

  it('has nothing to do when Kafka holds exactly the declared bindings, in any order', () => {
    const a = binding();
    const b = binding({ operation: 'WRITE' });
    expect(planAcls([a, b], [b, a])).toEqual({ create: [], remove: [], deleteFilters: [] });
  });

  it('deletes everything of the principal when nothing is declared', () => {
    const plan = planAcls([], [binding(), binding({ operation: 'WRITE' })]);
    expect(plan.remove.map(aclKey)).toEqual(
      [binding(), binding({ operation: 'WRITE' })].map(aclKey),
    );
  });
});

describe('filters and descriptions', () => {
  it('describes the principal with a filter matching any resource, pattern, host and operation', () => {
    expect(principalFilter('User:alice')).toEqual({
      resourceType: 'ANY',
      resourceName: null,
      patternType: 'ANY',
      principal: 'User:alice',
      host: null,
      operation: 'ANY',
      permissionType: 'ANY',
    });
  });

  it('lists a few bindings and counts the rest', () => {
    const many = Array.from({ length: 7 }, (_, i) => binding({ resourceName: `t${i}` }));
    const text = describeAcls(many, 2);
    expect(text).toBe(
      'ALLOW READ TOPIC:t0 (LITERAL) from *; ALLOW READ TOPIC:t1 (LITERAL) from *; and 5 more',
    );
  });
});
