// Issuing the certificates the operator manages: a CA and leaves (node and client
// certificates) signed by it. Keys come from WebCrypto (node:crypto); @peculiar/x509 builds and
// signs the X.509 structure, which node:crypto cannot (see README.md for the choice).
// No Kubernetes I/O: the caller passes `now` and stores the PEMs in Secrets.
// tsyringe (inside @peculiar/x509) refuses to load without a Reflect metadata polyfill; it
// must be imported first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  X509Certificate as NodeX509Certificate,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  webcrypto,
} from 'node:crypto';
import { isIP } from 'node:net';

type CryptoKey = webcrypto.CryptoKey;

/**
 * EC P-256 is the default: small keys, fast to generate (RSA-2048 is ~10x slower), and Kafka's
 * PEM key store (KIP-651, `ssl.keystore.type=PEM`) reads PKCS#8 keys of type RSA, DSA or EC on
 * 3.9 and 4.1. RSA-2048 is there for clients that cannot do ECDSA.
 */
export type KeyAlgorithm = 'ecdsa-p256' | 'rsa-2048';
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ecdsa-p256';

/** A certificate and its private key (PKCS#8), both PEM. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export type LeafUsage = 'server' | 'client' | 'both';

/** notBefore lies this far in the past so a peer whose clock is a little behind accepts it. */
export const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** X.520 upper bound for a common name. */
const COMMON_NAME_MAX_LENGTH = 64;

export interface IssueCaInput {
  commonName: string;
  validityDays: number;
  now: Date;
  keyAlgorithm?: KeyAlgorithm;
}

export async function issueCa(input: IssueCaInput): Promise<IssuedCertificate> {
  checkCommonName(input.commonName);
  const { notBefore, notAfter } = validity(input.now, input.validityDays);
  const algorithm = algorithmFor(input.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM);
  const keys = await generateKeys(algorithm);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [input.commonName] }],
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      // pathLen 0: this CA signs leaves only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

export interface IssueLeafInput {
  ca: IssuedCertificate;
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  validityDays: number;
  now: Date;
  usage: LeafUsage;
  keyAlgorithm?: KeyAlgorithm;
}

export async function issueLeaf(input: IssueLeafInput): Promise<IssuedCertificate> {
  checkCommonName(input.commonName);
  for (const name of input.dnsNames) checkDnsName(name);
  for (const ip of input.ipAddresses) {
    if (isIP(ip) === 0) throw new Error(`"${ip}" is not an IP address`);
  }
  const ca = parseCa(input.ca.certPem);
  const signingKey = await importCaKey(input.ca);
  const { notBefore, notAfter: wanted } = validity(input.now, input.validityDays);
  // A leaf never outlives its CA: past the CA's notAfter the chain fails anyway, and the
  // renewal planner then sees the leaf's real end.
  const notAfter = wanted > ca.notAfter ? ca.notAfter : wanted;
  if (notAfter <= input.now) throw new Error(`the CA "${ca.subject}" has expired`);
  const algorithm = algorithmFor(input.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM);
  const keys = await generateKeys(algorithm);
  const sans: x509.JsonGeneralName[] = [
    ...input.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...input.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(leafKeyUsage(algorithm), true),
    new x509.ExtendedKeyUsageExtension(extendedKeyUsage(input.usage), false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca),
  ];
  // RFC 5280: the SAN extension may be left out when there is none (client certificates).
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [input.commonName] }],
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey,
    // The signature algorithm follows the CA's key, whatever the leaf's key is.
    signingAlgorithm: { ...signingKey.algorithm, hash: 'SHA-256' },
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

type Algorithm = webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;

function algorithmFor(keyAlgorithm: KeyAlgorithm): Algorithm & { hash: string } {
  return keyAlgorithm === 'rsa-2048'
    ? {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      }
    : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
}

async function generateKeys(algorithm: Algorithm): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

/**
 * digitalSignature for both; keyEncipherment only for RSA, the one key type that can do RSA
 * key transport (RFC 5480 leaves it out for EC keys, and strict verifiers refuse it there).
 */
function leafKeyUsage(algorithm: Algorithm): number {
  return algorithm.name === 'ECDSA'
    ? x509.KeyUsageFlags.digitalSignature
    : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
}

function extendedKeyUsage(usage: LeafUsage): string[] {
  const { serverAuth, clientAuth } = x509.ExtendedKeyUsage;
  return usage === 'server'
    ? [serverAuth]
    : usage === 'client'
      ? [clientAuth]
      : [serverAuth, clientAuth];
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function parseCa(certPem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(certPem);
  } catch {
    throw new Error('the CA certificate is not a PEM X.509 certificate');
  }
}

/**
 * Errors never carry the key or the library's message about it (which may quote the input):
 * they end up in logs, Events and status.
 */
async function importCaKey(ca: IssuedCertificate): Promise<CryptoKey> {
  let key;
  try {
    key = createPrivateKey(ca.keyPem);
  } catch {
    throw new Error('the CA private key is not a PEM private key');
  }
  // A key of another CA would sign leaves nobody can verify.
  if (!createPublicKey(key).equals(new NodeX509Certificate(ca.certPem).publicKey)) {
    throw new Error('the CA private key does not belong to the CA certificate');
  }
  const algorithm =
    key.asymmetricKeyType === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  try {
    const der = key.export({ type: 'pkcs8', format: 'der' });
    return await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  } catch {
    throw new Error('the CA private key is not an RSA or EC P-256 key');
  }
}

/** 16 random bytes, the top bit clear so the DER integer stays positive (RFC 5280 4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function validity(now: Date, validityDays: number): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(validityDays) || validityDays < 1) {
    throw new Error(
      `validityDays must be a whole number of days of at least 1, not ${validityDays}`,
    );
  }
  return {
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + validityDays * DAY_MS),
  };
}

function checkCommonName(commonName: string): void {
  if (commonName.length === 0 || commonName.length > COMMON_NAME_MAX_LENGTH) {
    throw new Error(`a common name has 1 to ${COMMON_NAME_MAX_LENGTH} characters`);
  }
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** RFC 1123 host names, lower case, optionally one leading wildcard label. */
function checkDnsName(name: string): void {
  const labels = name.startsWith('*.') ? name.slice(2).split('.') : name.split('.');
  const valid = name.length <= 253 && labels.every((label) => DNS_LABEL.test(label));
  if (!valid || isIP(name) !== 0) {
    throw new Error(`"${name}" is not a DNS name (an IP address belongs in ipAddresses)`);
  }
}
