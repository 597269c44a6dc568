import { describe, expect, it } from 'vitest';
import type { ListenerSpec } from '../cluster-spec.ts';
import {
  isSecured,
  listenerSaslMechanism,
  listenerSecurityProtocol,
  superUsers,
} from './security.ts';

const l = (extra: Partial<ListenerSpec> = {}): ListenerSpec => ({
  name: 'internal',
  port: 9092,
  type: 'internal',
  ...extra,
});

describe('cluster security model', () => {
  it('maps tls and authentication to Kafka security protocols and SASL mechanisms', () => {
    expect(listenerSecurityProtocol(l())).toBe('PLAINTEXT');
    expect(listenerSecurityProtocol(l({ tls: true }))).toBe('SSL');
    expect(listenerSecurityProtocol(l({ tls: true, authentication: { type: 'tls' } }))).toBe('SSL');
    expect(
      listenerSecurityProtocol(l({ tls: true, authentication: { type: 'scram-sha-512' } })),
    ).toBe('SASL_SSL');
    expect(listenerSecurityProtocol(l({ authentication: { type: 'scram-sha-512' } }))).toBe(
      'SASL_PLAINTEXT',
    );
    expect(listenerSaslMechanism(l({ authentication: { type: 'scram-sha-512' } }))).toBe(
      'SCRAM-SHA-512',
    );
    expect(listenerSaslMechanism(l({ tls: true, authentication: { type: 'tls' } }))).toBe(
      undefined,
    );
  });

  it('calls a cluster secured when any listener has TLS or authentication', () => {
    expect(isSecured({ listeners: [l(), l({ name: 'b', port: 9093 })] })).toBe(false);
    expect(isSecured({ listeners: [l(), l({ name: 'b', port: 9093, tls: true })] })).toBe(true);
    expect(isSecured({ listeners: [l({ authentication: { type: 'scram-sha-512' } })] })).toBe(true);
  });

  it('makes the nodes and the operator super-users, sorted and without duplicates', () => {
    const layouts = [{ statefulSetName: 'c-controller' }, { statefulSetName: 'c-broker' }];
    expect(
      superUsers(
        { authorization: { type: 'simple', superUsers: ['User:admin', 'User:c-broker'] } },
        layouts,
      ),
    ).toEqual(['User:admin', 'User:c-broker', 'User:c-controller', 'User:kraftwerk-operator']);
  });
});
