// A TLS KafkaUser's client certificate: CN = the user name (the cluster's
// ssl.principal.mapping.rules make the CN the principal), signed by the cluster's clients CA,
// and when to issue a new one. Issuing needs random keys (async WebCrypto); deciding is pure.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { issueLeaf, type IssuedCertificate } from '../pki/certificates.ts';

export type { IssuedCertificate };

const DAY_MS = 86_400_000;

export interface IssueUserCertificateInput {
  username: string;
  /** `ca.crt` and `ca.key` of `<cluster>-clients-ca`. */
  clientsCa: { certPem: string; keyPem: string };
  validityDays: number;
  now: Date;
}

/** A client-only leaf (extendedKeyUsage clientAuth, no SANs) with CN=<username>. */
export async function issueUserCertificate(
  input: IssueUserCertificateInput,
): Promise<IssuedCertificate> {
  return issueLeaf({
    ca: input.clientsCa,
    commonName: input.username,
    dnsNames: [],
    ipAddresses: [],
    validityDays: input.validityDays,
    now: input.now,
    usage: 'client',
  });
}

export interface UserCertificateStateInput {
  /** `user.crt` / `user.key` of the user Secret; undefined when missing. */
  certPem: string | undefined;
  keyPem: string | undefined;
  /** The current clients CA certificate (`ca.crt` of `<cluster>-clients-ca`). */
  clientsCaCertPem: string;
  username: string;
  renewalDays: number;
  now: Date;
}

export type UserCertificateState =
  { action: 'keep'; notAfter: string } | { action: 'issue'; reason: string };

/**
 * Keep the stored certificate, or issue a new one and why: missing, unreadable, key not matching,
 * not signed by the current clients CA (a replaced CA), another CN (a renamed user), not yet or
 * no longer valid, or within renewalDays of its end. Reasons never quote the key.
 */
export function userCertificateState(input: UserCertificateStateInput): UserCertificateState {
  const issue = (reason: string): UserCertificateState => ({ action: 'issue', reason });
  if (!input.certPem || !input.keyPem) return issue('no certificate yet');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(input.certPem);
  } catch {
    return issue('the stored certificate is not a PEM X.509 certificate');
  }
  try {
    if (!createPublicKey(createPrivateKey(input.keyPem)).equals(cert.publicKey))
      return issue('the stored private key does not belong to the certificate');
  } catch {
    return issue('the stored private key is not a PEM private key');
  }
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(input.clientsCaCertPem);
  } catch {
    // The caller reads the CA from the operator's own Secret; a broken one is not the user's.
    throw new Error('the clients CA certificate is not a PEM X.509 certificate');
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
    return issue('the certificate is not signed by the current clients CA');
  const cn = commonName(cert.subject);
  if (cn !== input.username)
    return issue(`the certificate names CN=${cn ?? '(none)'}, not ${input.username}`);
  const now = input.now.getTime();
  if (cert.validFromDate.getTime() > now) return issue('the certificate is not valid yet');
  const notAfter = cert.validToDate;
  if (notAfter.getTime() <= now)
    return issue(`the certificate expired at ${notAfter.toISOString()}`);
  if (notAfter.getTime() - now <= input.renewalDays * DAY_MS)
    return issue(
      `the certificate expires at ${notAfter.toISOString()}, within ${input.renewalDays} days (renewalDays)`,
    );
  return { action: 'keep', notAfter: notAfter.toISOString() };
}

/** node prints the subject as `CN=alice` lines; a user name holds no newline. */
function commonName(subject: string): string | undefined {
  const line = subject.split('\n').find((l) => l.startsWith('CN='));
  return line?.slice('CN='.length);
}
