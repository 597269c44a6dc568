import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueCa, issueLeaf } from '../../pki/certificates.ts';
import { issueRequested } from '../apply/certificates.ts';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { modelOf } from '../model/cluster-model.ts';
import {
  certificateExpiries,
  certificateRequests,
  planCertificateSecrets,
  type CertificateInput,
  type CertificateSecretsPlan,
  type ObservedSecret,
} from './certificate-plan.ts';

const DAY_MS = 86_400_000;
const T0 = new Date('2026-06-01T00:00:00Z');
const days = (n: number) => new Date(T0.getTime() + n * DAY_MS);
const ref: ClusterRef = { name: 'sec', namespace: 'ns', uid: 'uid-1' };
const spec: ClusterSpec = {
  version: '4.1.1',
  controllers: { replicas: 3, storage: { type: 'ephemeral' } },
  brokers: { replicas: 2, storage: { type: 'ephemeral' } },
  listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true }],
  certificates: { validityDays: 365, renewalDays: 30, caValidityDays: 1825, caRenewalDays: 90 },
};

type Secrets = Record<string, ObservedSecret>;

function input(change: Partial<CertificateInput> & { spec?: ClusterSpec } = {}): CertificateInput {
  const { spec: s = spec, ...rest } = change;
  return {
    model: modelOf(ref, s, 1),
    currentReplicas: {},
    secrets: {},
    now: T0,
    renewAnnotation: undefined,
    podHashes: {},
    ...rest,
  };
}

/** One certificate step: issue what is asked for, plan the writes. */
async function run(i: CertificateInput): Promise<CertificateSecretsPlan> {
  return planCertificateSecrets(i, await issueRequested(certificateRequests(i), i.now));
}

/** The Secrets after the plan's writes are stored. */
function store(secrets: Secrets, plan: CertificateSecretsPlan): Secrets {
  const out = { ...secrets };
  for (const w of plan.writes) {
    out[w.name] = { owned: true, data: { ...w.data }, resourceVersion: String(Math.random()) };
  }
  return out;
}

/** Every pod of every role runs these hashes (a finished roll). */
function rolled(hashes: Record<string, string>): CertificateInput['podHashes'] {
  return Object.fromEntries(Object.entries(hashes).map(([sts, h]) => [sts, [h, h]]));
}

const cert = (pem: string | undefined) => new X509Certificate(pem!);
const pemCount = (bundle: string | undefined) =>
  (bundle ?? '').match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

/** All text the plan puts where people read it: the condition and Events. */
const shown: string[] = [];
function remember(plan: CertificateSecretsPlan): CertificateSecretsPlan {
  shown.push(JSON.stringify(plan.condition), JSON.stringify(plan.events));
  return plan;
}

async function firstIssue(): Promise<{ secrets: Secrets; plan: CertificateSecretsPlan }> {
  const plan = remember(await run(input()));
  return { secrets: store({}, plan), plan };
}

describe('planCertificateSecrets', () => {
  it('issues every Secret of a new secured cluster', async () => {
    const { plan, secrets } = await firstIssue();
    expect(plan.writes.map((w) => [w.name, w.create])).toEqual([
      ['sec-cluster-ca-cert', true],
      ['sec-clients-ca-cert', true],
      ['sec-cluster-ca', true],
      ['sec-clients-ca', true],
      ['sec-operator-certs', true],
      ['sec-controller-certs', true],
      ['sec-broker-certs', true],
    ]);
    const ca = secrets['sec-cluster-ca']!.data;
    expect(Object.keys(ca).sort()).toEqual(['ca.crt', 'ca.key']);
    expect(ca['ca.key']).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(secrets['sec-cluster-ca-cert']!.data).toEqual({ 'ca.crt': ca['ca.crt'] });
    const broker = secrets['sec-broker-certs']!.data;
    expect(Object.keys(broker).sort()).toEqual([
      'ca.crt',
      'clients-ca.crt',
      'keystore.pem',
      'tls.crt',
      'tls.key',
    ]);
    expect(broker['keystore.pem']).toBe(broker['tls.key']! + broker['tls.crt']!);
    expect(broker['clients-ca.crt']).toBe(secrets['sec-clients-ca']!.data['ca.crt']);
    const leaf = cert(broker['tls.crt']);
    expect(leaf.subject).toBe('CN=sec-broker');
    expect(leaf.verify(cert(ca['ca.crt']).publicKey)).toBe(true);
    expect(leaf.subjectAltName).toContain('DNS:sec-broker-1.sec-broker.ns.svc');
    expect(leaf.subjectAltName).toContain('DNS:sec-kafka-bootstrap.ns.svc');
    expect(leaf.subjectAltName).not.toContain('sec-broker-2');
    const controller = cert(secrets['sec-controller-certs']!.data['tls.crt']);
    expect(controller.subjectAltName).toContain('DNS:sec-controller-2.sec-controller.ns.svc');
    expect(controller.subjectAltName).not.toContain('bootstrap');
    const op = secrets['sec-operator-certs']!.data;
    expect(Object.keys(op).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(cert(op['tls.crt']).subject).toBe('CN=kraftwerk-operator');
    expect(Object.keys(plan.hashes).sort()).toEqual(['sec-broker', 'sec-controller']);
    expect(plan.hashes['sec-broker']).toMatch(/^[0-9a-f]{16}$/);
    expect(plan.storedHashes).toEqual({});
    expect(plan.condition).toMatchObject({ status: 'True', reason: 'CertificatesCurrent' });
    expect(plan.events.map((e) => e.reason)).toEqual(['CertificatesIssued']);
    expect(plan.removeAnnotation).toBe(false);
  });

  it('does nothing on a second run, and the hashes stay', async () => {
    const { plan, secrets } = await firstIssue();
    const again = remember(
      await run(input({ secrets, podHashes: rolled(plan.hashes), now: days(10) })),
    );
    expect(certificateRequests(input({ secrets }))).toEqual([]);
    expect(again.writes).toEqual([]);
    expect(again.hashes).toEqual(plan.hashes);
    expect(again.storedHashes).toEqual(plan.hashes);
    expect(again.events).toEqual([]);
    expect(again.condition.status).toBe('True');
  });

  it('renews a leaf within renewalDays of its end, signed by the same CA', async () => {
    const { plan, secrets } = await firstIssue();
    const ca = secrets['sec-cluster-ca']!.data;
    // A broker certificate that ends in 20 days (renewalDays 30); the CA has a year left.
    const short = await issueLeaf({
      ca: { certPem: ca['ca.crt']!, keyPem: ca['ca.key']! },
      commonName: 'sec-broker',
      dnsNames: cert(secrets['sec-broker-certs']!.data['tls.crt'])
        .subjectAltName!.split(', ')
        .map((s) => s.slice(4)),
      ipAddresses: [],
      validityDays: 20,
      now: T0,
      usage: 'both',
    });
    const broker = secrets['sec-broker-certs']!;
    const stored: Secrets = {
      ...secrets,
      'sec-broker-certs': {
        ...broker,
        data: { ...broker.data, 'tls.crt': short.certPem, 'tls.key': short.keyPem },
      },
    };
    const renewed = remember(
      await run(input({ secrets: stored, podHashes: rolled(plan.hashes), now: days(1) })),
    );
    expect(renewed.writes.map((w) => w.name)).toEqual(['sec-broker-certs']);
    const next = cert(renewed.writes[0]!.data['tls.crt']);
    expect(next.validToDate.getTime()).toBeGreaterThan(days(300).getTime());
    expect(next.verify(cert(ca['ca.crt']).publicKey)).toBe(true);
    expect(renewed.hashes['sec-controller']).toBe(plan.hashes['sec-controller']);
    expect(renewed.events.map((e) => e.reason)).toEqual(['CertificatesRenewed']);
    expect(renewed.events[0]!.note).toContain('within 30 renewal days');
  });

  describe('defaults: five-year CAs, one-year leaves', () => {
    // No certificates block at all: the operator's defaults, the same as the schema's.
    const { certificates: _omitted, ...plain } = spec;
    const at = (now: Date, secrets: Secrets, hashes: Record<string, string>) =>
      input({ spec: plain, secrets, now, podHashes: rolled(hashes) });
    const caNames = [
      'sec-cluster-ca',
      'sec-cluster-ca-cert',
      'sec-clients-ca',
      'sec-clients-ca-cert',
    ];
    const lifeDays = (pem: string | undefined) =>
      Math.round((cert(pem).validToDate.getTime() - cert(pem).validFromDate.getTime()) / DAY_MS);

    it('issues the CAs for caValidityDays and the leaves for validityDays', async () => {
      const plan = await run(input({ spec: plain }));
      const data = (name: string) => plan.writes.find((w) => w.name === name)!.data;
      expect(lifeDays(data('sec-cluster-ca')['ca.crt'])).toBe(1825);
      expect(lifeDays(data('sec-clients-ca')['ca.crt'])).toBe(1825);
      // validFrom is five minutes back (clock skew), so a leaf's span rounds to 365.
      expect(lifeDays(data('sec-broker-certs')['tls.crt'])).toBe(365);
      expect(lifeDays(data('sec-operator-certs')['tls.crt'])).toBe(365);
    });

    it('renews the leaves yearly with one roll each, and replaces the CA keys within caRenewalDays', async () => {
      let plan = remember(await run(input({ spec: plain })));
      let secrets = store({}, plan);
      const caPem = secrets['sec-cluster-ca']!.data['ca.crt'];
      // Five leaf renewals, 30 days or less before each end (the last leaf is clipped to the
      // end of the CA).
      for (const day of [336, 671, 1006, 1341, 1676]) {
        const next = remember(await run(at(days(day), secrets, plan.hashes)));
        expect(next.writes.map((w) => w.name)).toEqual([
          'sec-operator-certs',
          'sec-controller-certs',
          'sec-broker-certs',
        ]);
        expect(next.events.map((e) => e.reason)).toEqual(['CertificatesRenewed']);
        // One roll: the pods get the new leaves, trusting the same CA as before.
        expect(next.hashes['sec-broker']).not.toBe(plan.hashes['sec-broker']);
        secrets = store(secrets, next);
        plan = next;
        expect(secrets['sec-cluster-ca']!.data['ca.crt']).toBe(caPem);
      }
      const lastLeaf = cert(secrets['sec-broker-certs']!.data['tls.crt']);
      expect(lastLeaf.validToDate).toEqual(cert(caPem).validToDate);

      // 91 days before the CA's end: nothing (the leaf ends with the CA; its renewal is the CA's).
      const before = await run(at(days(1734), secrets, plan.hashes));
      expect(before.writes).toEqual([]);
      expect(certificateRequests(at(days(1734), secrets, plan.hashes))).toEqual([]);

      // 89 days before: caRenewalDays (90), not renewalDays (30), starts the key replacement.
      const started = remember(await run(at(days(1736), secrets, plan.hashes)));
      expect(started.events.map((e) => e.reason)).toEqual([
        'CaReplacementStarted',
        'CaReplacementStarted',
      ]);
      expect(started.events[0]!.note).toContain('within 90 renewal days');
      for (const name of caNames) expect(started.writes.map((w) => w.name)).toContain(name);
      secrets = store(secrets, started);
      expect(secrets['sec-cluster-ca']!.data['ca-previous.crt']).toBe(caPem);
      expect(lifeDays(secrets['sec-cluster-ca']!.data['ca.crt'])).toBe(1825);
    });
  });

  it('re-issues a node certificate whose names change: an advertised host, more brokers', async () => {
    const { plan, secrets } = await firstIssue();
    const more: ClusterSpec = {
      ...spec,
      brokers: { ...spec.brokers, replicas: 3 },
      listeners: [
        ...spec.listeners,
        {
          name: 'ext',
          port: 9094,
          type: 'nodeport',
          nodePortBase: 31000,
          advertisedHost: 'kafka.example.com',
          tls: true,
        },
      ],
    };
    const next = remember(
      await run(input({ spec: more, secrets, podHashes: rolled(plan.hashes), now: days(1) })),
    );
    expect(next.writes.map((w) => w.name)).toEqual(['sec-broker-certs']);
    const sans = cert(next.writes[0]!.data['tls.crt']).subjectAltName;
    expect(sans).toContain('DNS:kafka.example.com');
    expect(sans).toContain('DNS:sec-broker-2.sec-broker.ns.svc');
    expect(next.hashes['sec-broker']).not.toBe(plan.hashes['sec-broker']);
    expect(next.hashes['sec-controller']).toBe(plan.hashes['sec-controller']);
    // Pods still run the old broker certificate: pending until they have rolled.
    expect(next.condition).toMatchObject({ status: 'False', reason: 'CertificatesPending' });
  });

  it('keeps the names of pods a shrinking role still has', async () => {
    const { secrets } = await firstIssue();
    const fewer: ClusterSpec = { ...spec, brokers: { ...spec.brokers, replicas: 1 } };
    const next = await run(input({ spec: fewer, secrets, currentReplicas: { broker: 2 } }));
    expect(next.writes).toEqual([]);
  });

  it('re-issues every leaf when forced with "leaves", and the annotation goes', async () => {
    const { plan, secrets } = await firstIssue();
    const forced = remember(
      await run(
        input({ secrets, renewAnnotation: 'leaves', podHashes: rolled(plan.hashes), now: days(1) }),
      ),
    );
    expect(forced.writes.map((w) => w.name)).toEqual([
      'sec-operator-certs',
      'sec-controller-certs',
      'sec-broker-certs',
    ]);
    expect(forced.writes[2]!.data['ca.crt']?.trim()).toBe(
      secrets['sec-cluster-ca']!.data['ca.crt']?.trim(),
    );
    expect(forced.removeAnnotation).toBe(true);
    expect(forced.hashes['sec-broker']).not.toBe(plan.hashes['sec-broker']);
    expect(forced.events.map((e) => e.reason)).toEqual(['CertificatesRenewed']);
  });

  it('replaces the CA keys when forced with "ca": trust both, re-issue leaves, drop the old, one roll each', async () => {
    const first = await firstIssue();
    const oldCa = first.secrets['sec-cluster-ca']!.data['ca.crt']!;
    let secrets = first.secrets;
    const at = (i: Partial<CertificateInput>) => input({ secrets, now: days(1), ...i });

    // Phase 1: a new CA, bundles with both, leaves untouched (nobody trusts the new CA yet).
    const p1 = remember(
      await run(at({ renewAnnotation: 'ca', podHashes: rolled(first.plan.hashes) })),
    );
    expect(p1.removeAnnotation).toBe(true);
    expect(p1.events.map((e) => e.reason)).toEqual([
      'CaReplacementStarted',
      'CaReplacementStarted',
    ]);
    expect(p1.writes.map((w) => w.name)).toEqual([
      'sec-cluster-ca-cert',
      'sec-clients-ca-cert',
      'sec-cluster-ca',
      'sec-clients-ca',
      'sec-operator-certs',
      'sec-controller-certs',
      'sec-broker-certs',
    ]);
    secrets = store(secrets, p1);
    const newCa = secrets['sec-cluster-ca']!.data['ca.crt']!;
    expect(newCa).not.toBe(oldCa);
    expect(secrets['sec-cluster-ca']!.data['ca-previous.crt']).toBe(oldCa);
    expect(pemCount(secrets['sec-cluster-ca-cert']!.data['ca.crt'])).toBe(2);
    expect(pemCount(secrets['sec-broker-certs']!.data['ca.crt'])).toBe(2);
    expect(pemCount(secrets['sec-broker-certs']!.data['clients-ca.crt'])).toBe(2);
    expect(secrets['sec-broker-certs']!.data['tls.crt']).toBe(
      first.secrets['sec-broker-certs']!.data['tls.crt'],
    );
    expect(p1.condition).toMatchObject({ status: 'False', reason: 'CertificatesPending' });

    // The pods have not rolled yet: nothing moves.
    const waiting = remember(await run(at({ podHashes: rolled(first.plan.hashes) })));
    expect(waiting.writes).toEqual([]);
    expect(waiting.condition).toMatchObject({ status: 'False', reason: 'CertificatesPending' });
    expect(waiting.hashes).toEqual(p1.hashes);

    // Phase 2 once rolled: leaves from the new CA (the clients CA, with no leaves, drops its old CA).
    const p2 = remember(await run(at({ podHashes: rolled(p1.hashes) })));
    secrets = store(secrets, p2);
    const leaf = cert(secrets['sec-broker-certs']!.data['tls.crt']);
    expect(leaf.verify(cert(newCa).publicKey)).toBe(true);
    expect(pemCount(secrets['sec-broker-certs']!.data['ca.crt'])).toBe(2);
    expect(pemCount(secrets['sec-broker-certs']!.data['clients-ca.crt'])).toBe(1);
    expect(p2.hashes['sec-broker']).not.toBe(p1.hashes['sec-broker']);

    // Phase 3 once rolled: the old cluster CA goes.
    const p3 = remember(await run(at({ podHashes: rolled(p2.hashes) })));
    expect(p3.events.map((e) => e.reason)).toEqual(['CaReplacementDone']);
    const caWrite = p3.writes.find((w) => w.name === 'sec-cluster-ca')!;
    expect(caWrite.removeKeys).toEqual(['ca-previous.crt']);
    secrets = store(secrets, p3);
    expect(secrets['sec-cluster-ca-cert']!.data['ca.crt']?.trim()).toBe(newCa.trim());
    expect(secrets['sec-broker-certs']!.data['ca.crt']?.trim()).toBe(newCa.trim());

    // Rolled once more: steady, ready.
    const done = remember(await run(at({ podHashes: rolled(p3.hashes) })));
    expect(done.writes).toEqual([]);
    expect(done.condition).toMatchObject({ status: 'True' });
  });

  it('never overwrites a Secret it does not control: SecretNotOwned', async () => {
    const foreign: Secrets = {
      'sec-cluster-ca': { owned: false, data: { 'ca.crt': 'theirs' }, resourceVersion: '7' },
    };
    const i = input({ secrets: foreign });
    expect(certificateRequests(i)).toEqual([]);
    const plan = remember(await run(i));
    expect(plan.writes).toEqual([]);
    expect(plan.condition).toMatchObject({ status: 'False', reason: 'SecretNotOwned' });
    expect(plan.condition.message).toContain('sec-cluster-ca');
    expect(plan.events).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'SecretNotOwned' }),
    ]);
  });

  it('refuses a CA Secret that cannot be used: CaSecretInvalid', async () => {
    const { secrets } = await firstIssue();
    const other = await issueCa({ commonName: 'other', validityDays: 10, now: T0 });
    const ca = secrets['sec-cluster-ca']!;
    for (const data of [
      { ...ca.data, 'ca.key': other.keyPem },
      { ...ca.data, 'ca.crt': 'garbage' },
      { 'ca.crt': ca.data['ca.crt']! },
    ]) {
      const plan = remember(
        await run(input({ secrets: { ...secrets, 'sec-cluster-ca': { ...ca, data } } })),
      );
      expect(plan.writes).toEqual([]);
      expect(plan.condition).toMatchObject({ status: 'False', reason: 'CaSecretInvalid' });
      expect(plan.events.map((e) => e.reason)).toEqual(['CaSecretInvalid']);
      expect(plan.hashes).toEqual(plan.storedHashes);
    }
  });

  it('reports an annotation it does not know and leaves it in place', async () => {
    const { plan, secrets } = await firstIssue();
    const next = remember(
      await run(input({ secrets, renewAnnotation: 'all', podHashes: rolled(plan.hashes) })),
    );
    expect(next.writes).toEqual([]);
    expect(next.removeAnnotation).toBe(false);
    expect(next.condition).toMatchObject({ status: 'False', reason: 'InvalidAnnotation' });
    expect(next.events.map((e) => e.reason)).toEqual(['InvalidAnnotation']);
  });

  it('puts no private key text into the condition or the Events', async () => {
    const { secrets } = await firstIssue();
    const keyLines = Object.values(secrets)
      .flatMap((s) => Object.values(s.data))
      .flatMap((v) => [...v.matchAll(/-----BEGIN PRIVATE KEY-----\n([\s\S]*?)-----END/g)])
      .flatMap((m) => m[1]!.split('\n').filter((l) => l.length > 8));
    expect(keyLines.length).toBeGreaterThan(0);
    expect(shown.length).toBeGreaterThan(10);
    const text = shown.join('\n');
    expect(text).not.toContain('PRIVATE KEY');
    // Lines of the last cluster's keys, and no base64 run long enough to be a key line.
    for (const line of keyLines) expect(text).not.toContain(line);
    expect(text).not.toMatch(/[A-Za-z0-9+/]{48,}/);
  });
});

describe('certificateExpiries', () => {
  it("gives each CA's and leaf's end, not the bundles', and skips what does not parse", async () => {
    const { secrets } = await firstIssue();
    const data = Object.fromEntries(Object.entries(secrets).map(([n, s]) => [n, s.data]));
    const expiries = certificateExpiries(input().model, data);
    const byName = Object.fromEntries(expiries.map((e) => [e.secret, e]));
    expect(byName['sec-cluster-ca']).toMatchObject({ key: 'ca.crt', notAfter: days(1825) });
    expect(byName['sec-clients-ca']).toMatchObject({ key: 'ca.crt', notAfter: days(1825) });
    expect(byName['sec-cluster-ca-cert']).toBeUndefined();
    const leaves = expiries.filter((e) => e.key === 'tls.crt');
    expect(leaves.length).toBeGreaterThanOrEqual(3);
    for (const l of leaves) expect(l.notAfter).toEqual(days(365));

    const broken = { ...data, 'sec-cluster-ca': { 'ca.crt': 'not a certificate' } };
    expect(
      certificateExpiries(input().model, broken).find((e) => e.secret === 'sec-cluster-ca'),
    ).toBeUndefined();
  });
});
