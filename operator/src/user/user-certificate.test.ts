// The user's client certificate, checked with node:crypto (not the library that built it).
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCa, type IssuedCertificate } from '../pki/certificates.ts';
import { issueUserCertificate, userCertificateState } from './user-certificate.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

let clientsCa: IssuedCertificate;
let otherCa: IssuedCertificate;
let alice: IssuedCertificate;

beforeAll(async () => {
  clientsCa = await issueCa({ commonName: 'c-clients-ca', validityDays: 1825, now: NOW });
  otherCa = await issueCa({ commonName: 'c-clients-ca', validityDays: 1825, now: NOW });
  alice = await issueUserCertificate({ username: 'alice', clientsCa, validityDays: 365, now: NOW });
});

const state = (over: Partial<Parameters<typeof userCertificateState>[0]> = {}) =>
  userCertificateState({
    certPem: alice.certPem,
    keyPem: alice.keyPem,
    clientsCaCertPem: clientsCa.certPem,
    username: 'alice',
    renewalDays: 30,
    now: NOW,
    ...over,
  });

describe('issueUserCertificate', () => {
  it('CN=<username>, client use only, no SANs, signed by the clients CA, PKCS#8 key', () => {
    const cert = new X509Certificate(alice.certPem);
    expect(cert.subject).toBe('CN=alice');
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.checkIssued(new X509Certificate(clientsCa.certPem))).toBe(true);
    expect(cert.verify(new X509Certificate(clientsCa.certPem).publicKey)).toBe(true);
    expect(cert.validToDate.getTime()).toBe(NOW.getTime() + 365 * DAY_MS);
    expect(alice.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPublicKey(createPrivateKey(alice.keyPem)).equals(cert.publicKey)).toBe(true);
  });

  it('a user name with the characters KafkaUser allows (. _ @ -)', async () => {
    const c = await issueUserCertificate({
      username: 'svc.a_b@x-y',
      clientsCa,
      validityDays: 10,
      now: NOW,
    });
    expect(new X509Certificate(c.certPem).subject).toBe('CN=svc.a_b@x-y');
    expect(
      userCertificateState({
        ...c,
        clientsCaCertPem: clientsCa.certPem,
        username: 'svc.a_b@x-y',
        renewalDays: 1,
        now: NOW,
      }),
    ).toEqual({ action: 'keep', notAfter: new Date(NOW.getTime() + 10 * DAY_MS).toISOString() });
  });
});

describe('userCertificateState', () => {
  it('keeps a valid certificate and reports its end', () => {
    expect(state()).toEqual({
      action: 'keep',
      notAfter: new Date(NOW.getTime() + 365 * DAY_MS).toISOString(),
    });
  });

  it('issues when nothing is stored', () => {
    expect(state({ certPem: undefined })).toEqual({
      action: 'issue',
      reason: 'no certificate yet',
    });
    expect(state({ keyPem: undefined })).toEqual({ action: 'issue', reason: 'no certificate yet' });
  });

  it('issues when the stored PEM is not a certificate, or the key not a key', () => {
    expect(state({ certPem: 'garbage' })).toMatchObject({
      action: 'issue',
      reason: expect.stringContaining('not a PEM X.509'),
    });
    expect(state({ keyPem: 'garbage' })).toMatchObject({
      action: 'issue',
      reason: expect.stringContaining('not a PEM private key'),
    });
  });

  it("issues when the key is not the certificate's, without quoting the key", async () => {
    const other = await issueUserCertificate({
      username: 'alice',
      clientsCa,
      validityDays: 365,
      now: NOW,
    });
    const s = state({ keyPem: other.keyPem });
    expect(s).toEqual({
      action: 'issue',
      reason: 'the stored private key does not belong to the certificate',
    });
  });

  it('issues when the clients CA was replaced', () => {
    expect(state({ clientsCaCertPem: otherCa.certPem })).toEqual({
      action: 'issue',
      reason: 'the certificate is not signed by the current clients CA',
    });
  });

  it('issues when the user name changed', () => {
    expect(state({ username: 'bob' })).toEqual({
      action: 'issue',
      reason: 'the certificate names CN=alice, not bob',
    });
  });

  it('keeps it until renewalDays before the end, then issues', () => {
    const end = NOW.getTime() + 365 * DAY_MS;
    expect(state({ now: new Date(end - 30 * DAY_MS - 1) })).toMatchObject({ action: 'keep' });
    expect(state({ now: new Date(end - 30 * DAY_MS) })).toMatchObject({
      action: 'issue',
      reason: expect.stringContaining('within 30 days'),
    });
    expect(state({ now: new Date(end + 1) })).toMatchObject({
      action: 'issue',
      reason: expect.stringContaining('expired'),
    });
  });

  it('issues when not valid yet (a clock moved back past the skew)', () => {
    expect(state({ now: new Date(NOW.getTime() - DAY_MS) })).toEqual({
      action: 'issue',
      reason: 'the certificate is not valid yet',
    });
  });

  it("throws (the operator's problem, not the user's) when the clients CA is unreadable", () => {
    expect(() => state({ clientsCaCertPem: 'x' })).toThrow('clients CA certificate');
  });
});
