// The reconciler's pure helpers; the reconcile itself runs against a real API server and real
// Kafka in test/integration/user-controller.test.ts.
import { describe, expect, it } from 'vitest';
import type { KafkaUser } from '../api/kafka-user.ts';
import { passwordHash, userSecret } from './reconciler.ts';

const u: KafkaUser = {
  apiVersion: 'kraftwerk.dev/v1alpha1',
  kind: 'KafkaUser',
  metadata: { name: 'alice', namespace: 'ns', uid: 'uid-1' },
  spec: { cluster: 'demo', username: 'al', authentication: { type: 'scram-sha-512' } },
};

describe('userSecret', () => {
  it("is the KafkaUser's name, controlled by it, labelled, with the data base64-encoded", () => {
    const s = userSecret(
      u,
      { username: 'al', password: 'p' },
      { 'kraftwerk.dev/password-hash': 'h' },
    );
    expect(s.metadata).toEqual({
      name: 'alice',
      namespace: 'ns',
      labels: {
        'kraftwerk.dev/cluster': 'demo',
        'kraftwerk.dev/user': 'alice',
        'app.kubernetes.io/managed-by': 'kraftwerk',
      },
      annotations: { 'kraftwerk.dev/password-hash': 'h' },
      ownerReferences: [
        {
          apiVersion: 'kraftwerk.dev/v1alpha1',
          kind: 'KafkaUser',
          name: 'alice',
          uid: 'uid-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(s.data).toEqual({ username: 'YWw=', password: 'cA==' });
    expect(userSecret(u, {}, {}).metadata?.annotations).toBeUndefined();
  });
});

describe('passwordHash', () => {
  it('changes with the password and with the Secret (a recreated Secret has another uid)', () => {
    const a = passwordHash({ metadata: { uid: 's1' } }, 'pw');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(passwordHash({ metadata: { uid: 's1' } }, 'pw')).toBe(a);
    expect(passwordHash({ metadata: { uid: 's1' } }, 'pw2')).not.toBe(a);
    expect(passwordHash({ metadata: { uid: 's2' } }, 'pw')).not.toBe(a);
    // Not the password itself, nor a plain hash of it.
    expect(a).not.toContain('pw');
  });
});
