// Kafka server configuration kraftwerk writes itself. A user value for any of these would
// break node identity, the KRaft quorum or listener wiring, so the CRD refuses them at
// admission and the cluster renderer overwrites them. One list serves both.

/**
 * The syntax of a Kafka configuration name: letters and digits in groups joined by single
 * '.', '_' or '-'. Every key of Kafka's own broker definitions (3.9, 4.1) fits, including
 * zookeeper.clientCnxnSocket (upper case); whitespace, control characters, '=', ':' and '#'
 * do not, so nothing a Java properties file would read differently gets through.
 */
export const CONFIG_KEY_PATTERN = '^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$';

export function isConfigKeySyntax(key: string): boolean {
  return new RegExp(CONFIG_KEY_PATTERN).test(key);
}

/** The refusal text for a malformed key (admission says the same). */
export function configKeySyntaxMessage(key: string): string {
  return `config key '${key}' is not a Kafka configuration name: letters and digits in groups separated by single '.', '_' or '-'`;
}

/** Exact keys owned by the operator. */
export const OWNED_CONFIG_KEYS: readonly string[] = [
  'node.id',
  'broker.id',
  'process.roles',
  'cluster.id',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'inter.broker.listener.name',
  'security.inter.broker.protocol',
  'controller.listener.names',
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
  'broker.rack',
  // Security (issue #14): written on secured clusters, refused everywhere so a spec means the
  // same before and after it is secured. Each would undo or bypass what kraftwerk sets up:
  // the key and trust stores, client-certificate checks, principal names, the authorizer.
  'ssl.client.auth',
  'ssl.principal.mapping.rules',
  'ssl.endpoint.identification.algorithm',
  'ssl.engine.factory.class',
  'principal.builder.class',
  'authorizer.class.name',
  'super.users',
];

/** Key prefixes owned by the operator (every key starting with one of these). */
export const OWNED_CONFIG_KEY_PREFIXES: readonly string[] = [
  'controller.quorum.',
  // Settings of the operator's own listeners (see RESERVED_LISTENER_NAMES).
  'listener.name.controller.',
  'listener.name.replication.',
  'listener.name.probe.',
  // Key store, trust store and key (ssl.keystore.location, ssl.truststore.certificates, ...).
  // ssl.enabled.protocols and ssl.cipher.suites stay the user's: tuning, not identity.
  'ssl.keystore.',
  'ssl.truststore.',
  'ssl.key.',
  // SASL is wired by kraftwerk alone: mechanisms, JAAS, and callback handlers (a replaced
  // server callback handler would accept any password).
  'sasl.',
];

/**
 * Owned key patterns (RE2 and JavaScript alike; no backslashes, so they go into CEL strings
 * as they are): per-listener security settings of any listener, e.g.
 * listener.name.external.ssl.client.auth or listener.name.external.scram-sha-512.sasl.jaas.config.
 * Other per-listener settings (listener.name.external.max.connections) stay the user's.
 */
export const OWNED_CONFIG_KEY_PATTERNS: readonly string[] = [
  '^listener[.]name[.][^.]+[.]([^.]+[.])?(ssl|sasl)[.]',
];

export function isOwnedConfigKey(key: string): boolean {
  return (
    OWNED_CONFIG_KEYS.includes(key) ||
    OWNED_CONFIG_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)) ||
    OWNED_CONFIG_KEY_PATTERNS.some((pattern) => new RegExp(pattern).test(key))
  );
}

/** The refusal text, shared so admission and the renderer tell users the same thing. */
export function ownedConfigKeyMessage(key: string): string {
  return `config key '${key}' is managed by kraftwerk; remove it`;
}

/**
 * Listener names and ports the operator uses for its own listeners (KRaft controller traffic,
 * broker replication, and on secured brokers the loopback PLAINTEXT listener the readiness
 * probe uses); user listeners may not take them.
 */
export const RESERVED_LISTENER_NAMES: readonly string[] = ['controller', 'replication', 'probe'];
export const RESERVED_LISTENER_PORTS: readonly number[] = [9090, 9091, 9089];
