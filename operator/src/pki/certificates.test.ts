// Certificates are checked with node:crypto's X509Certificate and the openssl CLI, never with
// the library that built them.
import { execFileSync } from 'node:child_process';
import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedCertificate, KeyAlgorithm, LeafUsage } from './certificates.ts';
import { CLOCK_SKEW_MS, issueCa, issueLeaf } from './certificates.ts';
import { certificateFacts } from './facts.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kraftwerk-pki-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function file(pem: string): string {
  const path = join(dir, `${fileCount++}.pem`);
  writeFileSync(path, pem);
  return path;
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function opensslText(pem: string): string {
  return openssl('x509', '-in', file(pem), '-noout', '-text');
}

/** `openssl verify` at NOW prints "<file>: OK", or fails with exit code 2. */
function opensslVerify(ca: string, leaf: string, purpose: string): string {
  try {
    return openssl(
      'verify',
      '-attime',
      String(NOW.getTime() / 1000),
      '-purpose',
      purpose,
      '-CAfile',
      file(ca),
      file(leaf),
    ).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout) + String((e as { stderr?: string }).stderr);
  }
}

/** The base64 body of a PEM, line by line (any of them showing up is a leak). */
function pemBodyLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
}

describe.each<KeyAlgorithm>(['ecdsa-p256', 'rsa-2048'])('issueCa (%s)', (keyAlgorithm) => {
  let ca: IssuedCertificate;
  beforeAll(async () => {
    ca = await issueCa({
      commonName: 'demo cluster CA',
      validityDays: 365,
      now: NOW,
      keyAlgorithm,
    });
  });

  it('is a self-signed CA for leaves only', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=demo cluster CA');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.checkIssued(cert) && cert.verify(cert.publicKey)).toBe(true);
    const text = opensslText(ca.certPem);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    expect(text).toContain('X509v3 Subject Key Identifier');
  });

  it('is valid from five minutes ago for validityDays', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.validFromDate).toEqual(new Date(NOW.getTime() - CLOCK_SKEW_MS));
    expect(cert.validToDate).toEqual(new Date(NOW.getTime() + 365 * DAY_MS));
  });

  it('returns the matching private key as unencrypted PKCS#8', () => {
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(ca.keyPem);
    expect(key.asymmetricKeyType).toBe(keyAlgorithm === 'rsa-2048' ? 'rsa' : 'ec');
    if (keyAlgorithm === 'rsa-2048') expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    else expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(createPublicKey(key).equals(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });
});

describe.each<KeyAlgorithm>(['ecdsa-p256', 'rsa-2048'])('issueLeaf (%s)', (keyAlgorithm) => {
  let ca: IssuedCertificate;
  let leaf: IssuedCertificate;
  beforeAll(async () => {
    ca = await issueCa({ commonName: 'cluster CA', validityDays: 365, now: NOW, keyAlgorithm });
    leaf = await issueLeaf({
      ca,
      commonName: 'demo-broker',
      dnsNames: ['demo-broker-0.demo-broker.ns.svc', 'kafka.example.com'],
      ipAddresses: ['192.168.1.10', '2001:db8::1'],
      validityDays: 30,
      now: NOW,
      usage: 'server',
      keyAlgorithm,
    });
  });

  it('chains to the CA (node and openssl)', () => {
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(opensslVerify(ca.certPem, leaf.certPem, 'sslserver')).toMatch(/: OK$/);
    const other = new X509Certificate(leaf.certPem).verify(createPublicKey(generateEcKey()));
    expect(other).toBe(false);
  });

  it('carries exactly the SANs asked for, DNS and IP apart', () => {
    expect(new X509Certificate(leaf.certPem).subjectAltName).toBe(
      'DNS:demo-broker-0.demo-broker.ns.svc, DNS:kafka.example.com, ' +
        'IP Address:192.168.1.10, IP Address:2001:DB8:0:0:0:0:0:1',
    );
    expect(certificateFacts(leaf.certPem, [ca.certPem])).toMatchObject({
      dnsNames: ['demo-broker-0.demo-broker.ns.svc', 'kafka.example.com'],
      ipAddresses: ['192.168.1.10', '2001:db8::1'],
      issuerFingerprint: new X509Certificate(ca.certPem).fingerprint256,
    });
  });

  it('has the key usage of a TLS end entity and the authority key id of its CA', () => {
    const text = opensslText(leaf.certPem);
    const usage =
      keyAlgorithm === 'rsa-2048' ? 'Digital Signature, Key Encipherment' : 'Digital Signature';
    expect(text).toMatch(new RegExp(`X509v3 Key Usage: critical\\s+${usage}\\n`));
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    const caKeyId = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(opensslText(ca.certPem))?.[1];
    expect(caKeyId).toBeDefined();
    expect(text).toMatch(new RegExp(`Authority Key Identifier:\\s+(keyid:)?${caKeyId}`));
  });

  it('is valid from five minutes ago for validityDays, with a random positive serial', async () => {
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.validFromDate).toEqual(new Date(NOW.getTime() - CLOCK_SKEW_MS));
    expect(cert.validToDate).toEqual(new Date(NOW.getTime() + 30 * DAY_MS));
    const again = await issueLeaf({ ...leafInput(ca), keyAlgorithm });
    expect(new X509Certificate(again.certPem).serialNumber).not.toBe(cert.serialNumber);
    // DER integers are signed: a leading byte of 0x80 or more would make the serial negative.
    expect(Number.parseInt(cert.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80);
  });

  it('returns its own PKCS#8 key, matching the certificate', () => {
    expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(leaf.keyPem);
    expect(createPublicKey(key).equals(new X509Certificate(leaf.certPem).publicKey)).toBe(true);
    expect(leaf.keyPem).not.toBe(ca.keyPem);
  });
});

function generateEcKey() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

function leafInput(ca: IssuedCertificate) {
  return {
    ca,
    commonName: 'leaf',
    dnsNames: ['a.ns.svc'],
    ipAddresses: [],
    validityDays: 30,
    now: NOW,
    usage: 'server' as const,
  };
}

describe('issueLeaf usage and limits', () => {
  let ca: IssuedCertificate;
  beforeAll(async () => {
    ca = await issueCa({ commonName: 'CA', validityDays: 10, now: NOW });
  });

  it.each<[LeafUsage, string[], string[]]>([
    ['server', [SERVER_AUTH], ['sslserver']],
    ['client', [CLIENT_AUTH], ['sslclient']],
    ['both', [SERVER_AUTH, CLIENT_AUTH], ['sslserver', 'sslclient']],
  ])('usage %s gives extended key usage %j', async (usage, oids, purposes) => {
    const leaf = await issueLeaf({ ...leafInput(ca), usage });
    expect(new X509Certificate(leaf.certPem).keyUsage).toEqual(oids);
    for (const purpose of purposes) {
      expect(opensslVerify(ca.certPem, leaf.certPem, purpose)).toMatch(/: OK$/);
    }
  });

  it('openssl refuses a client-only certificate as a server', async () => {
    const leaf = await issueLeaf({ ...leafInput(ca), usage: 'client' });
    expect(opensslVerify(ca.certPem, leaf.certPem, 'sslserver')).toMatch(
      /unsuitable certificate purpose/,
    );
  });

  it('openssl refuses the leaf against another CA', async () => {
    const other = await issueCa({ commonName: 'CA', validityDays: 10, now: NOW });
    const leaf = await issueLeaf(leafInput(ca));
    expect(opensslVerify(other.certPem, leaf.certPem, 'sslserver')).not.toMatch(/: OK$/);
    expect(certificateFacts(leaf.certPem, [other.certPem]).issuerFingerprint).toBeUndefined();
  });

  it('a client certificate may have no SANs at all', async () => {
    const leaf = await issueLeaf({ ...leafInput(ca), dnsNames: [], usage: 'client' });
    expect(new X509Certificate(leaf.certPem).subjectAltName).toBeUndefined();
  });

  it('signs an EC leaf with an RSA CA', async () => {
    const rsaCa = await issueCa({
      commonName: 'CA',
      validityDays: 10,
      now: NOW,
      keyAlgorithm: 'rsa-2048',
    });
    const leaf = await issueLeaf(leafInput(rsaCa));
    expect(createPrivateKey(leaf.keyPem).asymmetricKeyType).toBe('ec');
    expect(opensslText(leaf.certPem)).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(opensslVerify(rsaCa.certPem, leaf.certPem, 'sslserver')).toMatch(/: OK$/);
  });

  it('never outlives its CA', async () => {
    const leaf = await issueLeaf({ ...leafInput(ca), validityDays: 30 });
    expect(new X509Certificate(leaf.certPem).validToDate).toEqual(
      new X509Certificate(ca.certPem).validToDate,
    );
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an IP address among the DNS names', { dnsNames: ['10.0.0.1'] }, /belongs in ipAddresses/],
    ['a DNS name among the IP addresses', { ipAddresses: ['kafka.example.com'] }, /not an IP/],
    ['an invalid DNS name', { dnsNames: ['-bad.example.com'] }, /not a DNS name/],
    ['zero validity days', { validityDays: 0 }, /validityDays/],
    ['an empty common name', { commonName: '' }, /common name/],
    ['an expired CA', { now: new Date(NOW.getTime() + 11 * DAY_MS) }, /has expired/],
  ])('refuses %s', async (_what, change, message) => {
    await expect(issueLeaf({ ...leafInput(ca), ...change })).rejects.toThrow(message);
  });
});

describe('private keys appear only in keyPem', () => {
  it('are not in the certificate', async () => {
    const ca = await issueCa({ commonName: 'CA', validityDays: 10, now: NOW });
    const leaf = await issueLeaf(leafInput(ca));
    for (const line of [...pemBodyLines(ca.keyPem), ...pemBodyLines(leaf.keyPem)]) {
      expect(ca.certPem + leaf.certPem).not.toContain(line);
    }
  });

  it('are not in any error about a CA', async () => {
    const ca = await issueCa({ commonName: 'CA', validityDays: 10, now: NOW });
    const other = await issueCa({ commonName: 'CA', validityDays: 10, now: NOW });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const truncated = ca.keyPem.slice(0, 120);
    const broken: IssuedCertificate[] = [
      { certPem: ca.certPem, keyPem: other.keyPem },
      { certPem: ca.certPem, keyPem: truncated },
      { certPem: ca.certPem, keyPem: p384 },
      { certPem: 'garbage', keyPem: ca.keyPem },
    ];
    for (const bad of broken) {
      const error = await issueLeaf(leafInput(bad)).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(Error);
      const shown = `${error?.message}\n${error?.stack}\n${String(error?.cause)}`;
      for (const line of pemBodyLines(bad.keyPem)) expect(shown).not.toContain(line);
      expect(shown).not.toContain(truncated);
    }
  });
});
