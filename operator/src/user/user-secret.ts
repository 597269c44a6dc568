// What a KafkaUser's Secret holds: everything a client needs, in the forms the common clients
// read unchanged. Pure: the reconciler passes the credentials, the chosen listener and the CA.
//
// Two property files because no single one works for both families of clients:
// - `client.properties` (Java's Properties format) for Kafka's own tools (`--command-config`,
//   `--producer.config`) and Java clients. Self-contained: the CA, certificate and key are
//   inline PEM (KIP-651, `ssl.*.type=PEM`), the SCRAM login is `sasl.jaas.config`.
// - `librdkafka.properties` for kcat `-F`, librdkafka and confluent-kafka. kcat 1.7 refuses
//   `sasl.jaas.config` ("Java JAAS configuration is not supported") and `ssl.truststore.*`
//   ("Java TrustStores are not supported"), so it names the files of this Secret relative to the
//   working directory: run the client from the directory the Secret is mounted at.
import { randomBytes } from 'node:crypto';
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import { listenerSaslMechanism, listenerSecurityProtocol } from '../cluster/model/security.ts';

export type UserAuthenticationType = 'scram-sha-512' | 'tls';

export type UserCredentials =
  | { type: 'scram-sha-512'; username: string; password: string }
  | { type: 'tls'; username: string; certificatePem: string; privateKeyPem: string };

/** The cluster listener the Secret points clients at. */
export interface UserListener {
  name: string;
  bootstrapServers: string;
  securityProtocol: 'SSL' | 'SASL_SSL' | 'SASL_PLAINTEXT';
  saslMechanism?: 'SCRAM-SHA-512';
}

export interface UserSecretInput {
  credentials: UserCredentials;
  listener: UserListener;
  /** The cluster CA bundle (`ca.crt` of `<cluster>-cluster-ca-cert`); used when the listener
   *  has TLS. */
  clusterCaPem: string;
}

/** The keys of the user Secret. Which are present depends on the authentication type and on
 *  whether the listener has TLS (see renderUserSecretData). */
export const USER_SECRET_KEYS = {
  username: 'username',
  caCert: 'ca.crt',
  bootstrapServers: 'bootstrap.servers',
  securityProtocol: 'security.protocol',
  clientProperties: 'client.properties',
  librdkafkaProperties: 'librdkafka.properties',
  // scram-sha-512
  password: 'password',
  saslMechanism: 'sasl.mechanism',
  saslJaasConfig: 'sasl.jaas.config',
  // tls
  userCert: 'user.crt',
  userKey: 'user.key',
} as const;

export type UserSecretKey = (typeof USER_SECRET_KEYS)[keyof typeof USER_SECRET_KEYS];

/**
 * Why a password cannot be written into the Secret's files, or undefined when it can.
 * librdkafka's property files (kcat -F) have no escapes: a line ends the value, and kcat trims
 * the line's ends. The message never quotes the password.
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length === 0) return 'the password is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(password))
    return 'the password holds a control character (e.g. a line break), which librdkafka property files cannot carry';
  if (password !== password.trim())
    return 'the password starts or ends with white space, which kcat -F trims away';
  return undefined;
}

/** The Secret's data (plain strings; the caller base64-encodes them). Throws when the password
 *  cannot be carried (passwordProblem). */
export function renderUserSecretData(input: UserSecretInput): Record<string, string> {
  const { credentials: cred, listener } = input;
  const K = USER_SECRET_KEYS;
  const tls = listener.securityProtocol !== 'SASL_PLAINTEXT';
  if (cred.type === 'scram-sha-512') {
    const problem = passwordProblem(cred.password);
    if (problem) throw new Error(`cannot render the Secret of user "${cred.username}": ${problem}`);
    if (listener.securityProtocol === 'SSL')
      throw new Error(
        `listener "${listener.name}" (SSL) does not take SCRAM credentials; choose a SASL listener`,
      );
  } else if (listener.securityProtocol !== 'SSL') {
    throw new Error(
      `listener "${listener.name}" (${listener.securityProtocol}) does not take client certificates; choose an SSL listener`,
    );
  }
  if (tls && !input.clusterCaPem.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error(
      `listener "${listener.name}" has TLS but the cluster CA bundle holds no certificate`,
    );
  const mechanism = listener.saslMechanism ?? 'SCRAM-SHA-512';
  const jaas = cred.type === 'scram-sha-512' ? scramJaasConfig(cred.username, cred.password) : '';

  // Java: inline PEM keeps the file self-contained (no path to get wrong).
  const java: [string, string][] = [
    ['bootstrap.servers', listener.bootstrapServers],
    ['security.protocol', listener.securityProtocol],
  ];
  if (tls) {
    java.push(['ssl.truststore.type', 'PEM'], ['ssl.truststore.certificates', input.clusterCaPem]);
  }
  if (cred.type === 'scram-sha-512') {
    java.push(['sasl.mechanism', mechanism], ['sasl.jaas.config', jaas]);
  } else {
    java.push(
      ['ssl.keystore.type', 'PEM'],
      ['ssl.keystore.certificate.chain', cred.certificatePem],
      ['ssl.keystore.key', cred.privateKeyPem],
    );
  }

  // librdkafka: files of this Secret, relative to the working directory.
  const rdkafka: [string, string][] = [
    ['bootstrap.servers', listener.bootstrapServers],
    ['security.protocol', listener.securityProtocol.toLowerCase()],
  ];
  if (tls) rdkafka.push(['ssl.ca.location', K.caCert]);
  if (cred.type === 'scram-sha-512') {
    rdkafka.push(
      ['sasl.mechanism', mechanism],
      ['sasl.username', cred.username],
      ['sasl.password', cred.password],
    );
  } else {
    rdkafka.push(['ssl.certificate.location', K.userCert], ['ssl.key.location', K.userKey]);
  }

  const data: Record<string, string> = {
    [K.username]: cred.username,
    [K.bootstrapServers]: listener.bootstrapServers,
    [K.securityProtocol]: listener.securityProtocol,
    [K.clientProperties]: javaProperties(
      java,
      `Kafka ${cred.type === 'tls' ? 'TLS' : 'SCRAM'} user ${cred.username} via listener ${listener.name}: Java clients and Kafka's tools (--command-config, --producer.config, --consumer.config)`,
    ),
    [K.librdkafkaProperties]: librdkafkaProperties(
      rdkafka,
      `Kafka user ${cred.username} via listener ${listener.name}: kcat -F, librdkafka, confluent-kafka; file paths are relative: run from the directory this Secret is mounted at`,
    ),
  };
  if (tls) data[K.caCert] = ensureTrailingNewline(input.clusterCaPem);
  if (cred.type === 'scram-sha-512') {
    data[K.password] = cred.password;
    data[K.saslMechanism] = mechanism;
    data[K.saslJaasConfig] = jaas;
  } else {
    data[K.userCert] = ensureTrailingNewline(cred.certificatePem);
    data[K.userKey] = ensureTrailingNewline(cred.privateKeyPem);
  }
  return data;
}

/**
 * Kafka's JAAS parser (JaasConfig, a StreamTokenizer) reads quoted values with backslash escapes,
 * so '\' and '"' in a password are escaped; a user name matches USERNAME_PATTERN and needs none,
 * but is escaped the same way for safety.
 */
export function scramJaasConfig(username: string, password: string): string {
  const q = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username=${q(username)} password=${q(password)};`;
}

/**
 * java.util.Properties text, read by Kafka's tools with Properties.load(InputStream), i.e.
 * ISO-8859-1 with backslash escapes. A multi-line value (PEM) is written as `\n` escapes with a
 * line continuation after each, so it stays readable and loads as exactly the original text.
 */
export function javaProperties(entries: readonly [string, string][], comment: string): string {
  const lines = [`# ${comment}`];
  for (const [key, value] of entries) {
    const trailing = value.endsWith('\n');
    const parts = (trailing ? value.slice(0, -1) : value).split('\n').map((p) => escapeJava(p));
    lines.push(`${escapeJava(key, true)}=${parts.join('\\n\\\n')}${trailing ? '\\n' : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** Escapes for Properties.load: '\\', control and non-ASCII characters, a leading space (the
 *  reader drops white space at the start of a value and of a continued line), and in keys the
 *  separators. */
function escapeJava(s: string, isKey = false): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = c.charCodeAt(0);
    if (c === '\\') out += '\\\\';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\f') out += '\\f';
    else if (c === ' ' && (isKey || i === 0)) out += '\\ ';
    else if (isKey && (c === '=' || c === ':' || c === '#' || c === '!')) out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/** librdkafka's property file (kcat -F): `key=value` per line, split at the first '=', no
 *  escapes; values were checked to hold no line break. */
function librdkafkaProperties(entries: readonly [string, string][], comment: string): string {
  return [`# ${comment}`, ...entries.map(([k, v]) => `${k}=${v}`)].join('\n') + '\n';
}

function ensureTrailingNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/**
 * The listener a user's Secret names: among the cluster's listeners whose authentication type is
 * the user's, the first internal one, else the first in spec order; its address from the
 * cluster's status. An error message (saying what to add) when there is none.
 */
export function chooseUserListener(
  cluster: KafkaCluster,
  type: UserAuthenticationType,
): UserListener | { error: string } {
  const name = cluster.metadata.name ?? '';
  const candidates = cluster.spec.listeners.filter((l) => l.authentication?.type === type);
  const chosen = candidates.find((l) => l.type === 'internal') ?? candidates[0];
  if (!chosen) {
    const example =
      type === 'tls'
        ? '{name: mtls, port: 9094, type: internal, tls: true, authentication: {type: tls}}'
        : '{name: scram, port: 9094, type: internal, tls: true, authentication: {type: scram-sha-512}}';
    return {
      error: `KafkaCluster "${name}" has no listener with authentication type ${type}: add one to spec.listeners, e.g. ${example}`,
    };
  }
  const status = cluster.status?.listeners?.find((l) => l.name === chosen.name);
  if (!status?.bootstrapServers) {
    return {
      error: `KafkaCluster "${name}" does not report the address of listener "${chosen.name}" yet (status.listeners)`,
    };
  }
  const protocol = listenerSecurityProtocol(chosen);
  if (protocol === 'PLAINTEXT') {
    // Unreachable through the schema (authentication implies SASL or TLS); kept for the types.
    return { error: `listener "${chosen.name}" of KafkaCluster "${name}" is PLAINTEXT` };
  }
  const mechanism = listenerSaslMechanism(chosen);
  return {
    name: chosen.name,
    bootstrapServers: status.bootstrapServers,
    securityProtocol: protocol,
    ...(mechanism ? { saslMechanism: mechanism } : {}),
  };
}

const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const GENERATED_PASSWORD_LENGTH = 32;
/** The largest multiple of 62 a byte can hold: bytes at or above it are dropped, so every
 *  character is equally likely (no modulo bias). */
const ACCEPT_BELOW = 256 - (256 % PASSWORD_ALPHABET.length);

/** 32 characters of [A-Za-z0-9] (≈190 bits), safe in every file and quoting of the Secret. */
export function generatePassword(random: (n: number) => Buffer = randomBytes): string {
  let out = '';
  while (out.length < GENERATED_PASSWORD_LENGTH) {
    // Only as many bytes as characters are missing: every byte drawn is used or rejected.
    for (const b of random(GENERATED_PASSWORD_LENGTH - out.length)) {
      if (b < ACCEPT_BELOW) out += PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length];
    }
  }
  return out;
}
