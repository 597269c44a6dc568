// How the operator connects to a Kafka named by its bootstrap servers (a KafkaTopic's or
// KafkaConsumerGroup's spec.bootstrapServers) when that Kafka wants TLS and/or credentials:
// spec.tls and spec.authentication name Secrets in the resource's own namespace, read here and
// turned into the KafkaSecurity the operator's client speaks (kafka/security.ts).
//
// Pure part (`externalSecurity`): the Secrets' data → security settings, or why they cannot be
// used (a Secret or key missing, a certificate that does not parse or does not match its key).
// Imperative part (`ExternalCredentialSource`): the Secrets, through the operator's one
// SecretReader (secret-reader.ts: GET by name, kept a few seconds, concurrent reads shared).
// A rotated password or certificate is seen within that time; its new securityDigest makes new
// connections (kafka/connections.ts keys the pool by it).
//
// Why beside kafka-credentials.ts: the same job (a reconciler reaching Kafka with credentials
// from Kubernetes) for a Kafka kraftwerk does not manage.
//
// Secret values never leave this module except inside KafkaSecurity: messages name the Secret
// and the key, never a value.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { EXTERNAL_SECRET_KEYS, type ExternalAuthenticationType } from './api/cluster-reference.ts';
import { securityDigest, type KafkaSecurity, type SaslMechanism } from './kafka/security.ts';
import { KubeApiError } from './runtime/kube-client.ts';
import type { SecretData, SecretReader } from './secret-reader.ts';

/** spec.authentication and spec.tls of a KafkaTopic/KafkaConsumerGroup with bootstrapServers. */
export interface ExternalConnection {
  readonly authentication?: {
    readonly type: ExternalAuthenticationType;
    readonly secretRef: { readonly name: string };
  };
  readonly tls?: { readonly caSecretRef?: { readonly name: string; readonly key?: string } };
}

/** Ready=False reasons of a resource whose Secrets cannot be used. */
export const AUTHENTICATION_SECRET_NOT_FOUND = 'AuthenticationSecretNotFound';
export const AUTHENTICATION_SECRET_INVALID = 'AuthenticationSecretInvalid';
/** Ready=False reason when Kafka refused the credentials (SASL_AUTHENTICATION_FAILED). */
export const AUTHENTICATION_FAILED = 'AuthenticationFailed';

export type ExternalCredentials =
  | {
      readonly state: 'ready';
      /** undefined: PLAINTEXT (neither tls nor authentication set). */
      readonly security: KafkaSecurity | undefined;
      /** securityDigest(security): which credentials, safe to log. */
      readonly digest: string;
    }
  | {
      readonly state: 'invalid';
      readonly reason:
        typeof AUTHENTICATION_SECRET_NOT_FOUND | typeof AUTHENTICATION_SECRET_INVALID;
      /** Names the Secret and the key; never a value. */
      readonly message: string;
    };

/** A Secret's data, decoded, or why there is none to use. */
export type SecretLookup =
  | { readonly found: true; readonly data: SecretData }
  | { readonly found: false; readonly why: string };

const MECHANISMS: Record<Exclude<ExternalAuthenticationType, 'tls'>, SaslMechanism> = {
  'scram-sha-512': 'SCRAM-SHA-512',
  'scram-sha-256': 'SCRAM-SHA-256',
  plain: 'PLAIN',
};

/** The Secrets a connection reads, by name (one name may serve both, e.g. a KafkaUser's). */
export function secretsOf(c: ExternalConnection): string[] {
  const names = [c.authentication?.secretRef.name, c.tls?.caSecretRef?.name].filter(
    (n): n is string => Boolean(n),
  );
  return [...new Set(names)];
}

/** Whether a connection needs anything beyond PLAINTEXT. */
export function isExternalSecured(c: ExternalConnection): boolean {
  return Boolean(c.authentication || c.tls);
}

/**
 * The security settings of a connection, from its Secrets' data (`secrets`: by Secret name).
 * Pure. Checks what can be checked without Kafka: the keys are there and not empty, PEM parses,
 * the client certificate belongs to its key; whether Kafka accepts them is Kafka's to say.
 */
export function externalSecurity(
  c: ExternalConnection,
  namespace: string,
  secrets: ReadonlyMap<string, SecretLookup>,
): ExternalCredentials {
  const notFound = (name: string, why: string) =>
    ({
      state: 'invalid',
      reason: AUTHENTICATION_SECRET_NOT_FOUND,
      message: `Secret ${namespace}/${name} ${why}`,
    }) as const;
  const invalid = (message: string) =>
    ({ state: 'invalid', reason: AUTHENTICATION_SECRET_INVALID, message }) as const;
  const lookup = (name: string): SecretLookup =>
    secrets.get(name) ?? { found: false, why: 'was not read' };
  /** The value of one key, or the reason it cannot be had. */
  const read = (
    name: string,
    key: string,
    purpose: string,
  ): { value: string } | Exclude<ExternalCredentials, { state: 'ready' }> => {
    const s = lookup(name);
    if (!s.found) return notFound(name, `${s.why} (${purpose})`);
    const value = s.data[key];
    if (value === undefined || value.trim() === '') {
      const keys = Object.keys(s.data).sort();
      return invalid(
        `Secret ${namespace}/${name} has no ${key === '' ? 'key' : `key ${key}`} (${purpose}); its keys: ${keys.length > 0 ? keys.join(', ') : 'none'}`,
      );
    }
    return { value };
  };

  if (!isExternalSecured(c)) return { state: 'ready', security: undefined, digest: '' };
  const security: KafkaSecurity = {};

  if (c.tls) {
    const tls: NonNullable<KafkaSecurity['tls']> = {};
    const ref = c.tls.caSecretRef;
    if (ref) {
      const key = ref.key ?? EXTERNAL_SECRET_KEYS.ca;
      const ca = read(ref.name, key, 'the CA certificates of spec.tls.caSecretRef');
      if (!('value' in ca)) return ca;
      if (!parsesAsCertificate(ca.value)) {
        return invalid(
          `Secret ${namespace}/${ref.name} key ${key} (spec.tls.caSecretRef) is not a PEM certificate`,
        );
      }
      tls.ca = ca.value;
    }
    security.tls = tls;
  }

  const auth = c.authentication;
  if (auth) {
    const name = auth.secretRef.name;
    const purpose = `spec.authentication ${auth.type}`;
    if (auth.type === 'tls') {
      const cert = read(name, EXTERNAL_SECRET_KEYS.certificate, purpose);
      if (!('value' in cert)) return cert;
      const key = read(name, EXTERNAL_SECRET_KEYS.privateKey, purpose);
      if (!('value' in key)) return key;
      const problem = certificateProblem(cert.value, key.value);
      if (problem) {
        return invalid(
          `Secret ${namespace}/${name} keys ${EXTERNAL_SECRET_KEYS.certificate}, ${EXTERNAL_SECRET_KEYS.privateKey} (${purpose}): ${problem}`,
        );
      }
      // The admission rule makes spec.tls present with type tls; kept safe regardless.
      security.tls = { ...security.tls, cert: cert.value, key: key.value };
    } else {
      const username = read(name, EXTERNAL_SECRET_KEYS.username, purpose);
      if (!('value' in username)) return username;
      const password = read(name, EXTERNAL_SECRET_KEYS.password, purpose);
      if (!('value' in password)) return password;
      // PLAIN separates the fields with NUL, SCRAM's user name cannot carry it either.
      if (username.value.includes('\0') || password.value.includes('\0')) {
        return invalid(
          `Secret ${namespace}/${name} (${purpose}): username or password contains a NUL character`,
        );
      }
      security.sasl = {
        mechanism: MECHANISMS[auth.type],
        username: username.value,
        password: password.value,
      };
    }
  }
  return { state: 'ready', security, digest: securityDigest(security) };
}

function parsesAsCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/** Why a client certificate and key cannot be used together, or undefined. */
function certificateProblem(certPem: string, keyPem: string): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return `${EXTERNAL_SECRET_KEYS.certificate} is not a PEM certificate`;
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return `${EXTERNAL_SECRET_KEYS.privateKey} is not a PEM private key`;
  }
  if (!cert.checkPrivateKey(key)) {
    return `${EXTERNAL_SECRET_KEYS.privateKey} is not the key of the certificate in ${EXTERNAL_SECRET_KEYS.certificate}`;
  }
  return undefined;
}

/** Reads the Secrets of external connections (see the top of this file). */
export class ExternalCredentialSource {
  readonly #secrets: Pick<SecretReader, 'read'>;
  // The last data each Secret had, for deleting resources only: deleting a namespace deletes
  // the Secret and the topic together, and the topic's finalizer still needs to reach Kafka.
  readonly #lastSeen = new Map<string, SecretData>();

  constructor(secrets: Pick<SecretReader, 'read'>) {
    this.#secrets = secrets;
  }

  /**
   * The security settings for a connection of a resource in `namespace`. `deleting`: a Secret
   * that is gone is replaced by what it held when last read by this process, if anything.
   * Throws only what the API server answered other than 404/403.
   */
  async forConnection(
    c: ExternalConnection,
    namespace: string,
    opts: { deleting?: boolean } = {},
  ): Promise<ExternalCredentials> {
    const names = secretsOf(c);
    const found = await Promise.all(names.map((n) => this.#secret(namespace, n)));
    const secrets = new Map<string, SecretLookup>();
    names.forEach((name, i) => {
      const lookup = found[i]!;
      const last = this.#lastSeen.get(`${namespace}/${name}`);
      secrets.set(
        name,
        !lookup.found && opts.deleting && last ? { found: true, data: last } : lookup,
      );
    });
    return externalSecurity(c, namespace, secrets);
  }

  async #secret(namespace: string, name: string): Promise<SecretLookup> {
    let data: SecretData | undefined;
    try {
      data = await this.#secrets.read(namespace, name);
    } catch (e) {
      if (e instanceof KubeApiError && e.statusCode === 403) {
        return {
          found: false,
          why: `cannot be read: the operator is not allowed to get Secrets in namespace ${namespace}`,
        };
      }
      throw e;
    }
    if (!data) return { found: false, why: 'does not exist' };
    this.#lastSeen.set(`${namespace}/${name}`, data);
    return { found: true, data };
  }
}
