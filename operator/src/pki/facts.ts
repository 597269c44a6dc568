// What the renewal planner needs to know about a stored certificate, read with node:crypto.
// Pure: a function of the PEM text (and the CA candidates to check the issuer against).
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface CertificateFacts {
  /** SHA-256 fingerprint as node prints it (AA:BB:…). */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  /** The fingerprint of the CA among the candidates that signed it; undefined when none did. */
  issuerFingerprint: string | undefined;
}

export function certificateFacts(
  certPem: string,
  caCandidates: readonly string[] = [],
): CertificateFacts {
  const cert = parse(certPem);
  const issuer = caCandidates
    .map(parse)
    .find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  return {
    fingerprint: cert.fingerprint256,
    notBefore: cert.validFromDate,
    notAfter: cert.validToDate,
    ...parseSubjectAltName(cert.subjectAltName),
    issuerFingerprint: issuer?.fingerprint256,
  };
}

function parse(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new Error('not a PEM X.509 certificate');
  }
}

/**
 * node prints SANs as `DNS:a, IP Address:10.0.0.1` (commas cannot occur in host names or IP
 * addresses; node quotes any name that would be ambiguous, and we issue none such).
 */
export function parseSubjectAltName(text: string | undefined): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const entry of text ? text.split(', ') : []) {
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice('DNS:'.length));
    else if (entry.startsWith('IP Address:'))
      ipAddresses.push(canonicalIp(entry.slice('IP Address:'.length)));
  }
  return { dnsNames, ipAddresses };
}

/** IPv6 in its shortest form (node prints `0:0:0:0:0:0:0:1`, people write `::1`). */
export function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip;
}
