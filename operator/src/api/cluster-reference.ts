// How a KafkaTopic or KafkaConsumerGroup names its Kafka cluster: a KafkaCluster in the same
// namespace, or the bootstrap servers of any Kafka. Shared by both kinds. A Kafka named by its
// bootstrap servers may want TLS and credentials (`tls`, `authentication`), read from Secrets in
// the resource's own namespace; a KafkaCluster is reached with the operator's own identity, so
// those fields apply to bootstrapServers only.
import { enm, obj, optional, str, type ObjectField, type Shape } from './schema-dsl.ts';

// host:port[,host:port...]; hosts may be names, IPv4 or bracketed IPv6.
const BOOTSTRAP_SERVERS_PATTERN = '^[^,\\s]+:[0-9]{1,5}(,[^,\\s]+:[0-9]{1,5})*$';
// What the API server accepts as a Secret's data key.
const SECRET_KEY_PATTERN = '^[-._a-zA-Z0-9]+$';

/** The SASL mechanisms and mTLS a KafkaTopic/KafkaConsumerGroup may authenticate with. */
export const EXTERNAL_AUTHENTICATION_TYPES = [
  'scram-sha-512',
  'scram-sha-256',
  'plain',
  'tls',
] as const;
export type ExternalAuthenticationType = (typeof EXTERNAL_AUTHENTICATION_TYPES)[number];

/** The Secret keys read for each kind of credentials: those a KafkaUser's Secret has. */
export const EXTERNAL_SECRET_KEYS = {
  username: 'username',
  password: 'password',
  certificate: 'user.crt',
  privateKey: 'user.key',
  ca: 'ca.crt',
} as const;

const secretName = () =>
  str().minLength(1).maxLength(253).describe('Name of a Secret in the namespace of this resource.');

export function clusterReferenceShape() {
  return {
    cluster: optional(
      str()
        .minLength(1)
        .maxLength(253)
        .describe(
          'Name of a KafkaCluster in this namespace. Exactly one of cluster and bootstrapServers; immutable.',
        ),
    ),
    bootstrapServers: optional(
      str()
        .maxLength(4096)
        .pattern(BOOTSTRAP_SERVERS_PATTERN)
        .describe(
          'Comma-separated host:port list of a Kafka not managed by kraftwerk. Exactly one of cluster and bootstrapServers; immutable.',
        ),
    ),
    authentication: optional(
      obj({
        type: enm(...EXTERNAL_AUTHENTICATION_TYPES).describe(
          'scram-sha-512, scram-sha-256, plain: SASL with the username and password of the Secret; tls: the client certificate of the Secret (needs spec.tls).',
        ),
        secretRef: obj({ name: secretName() }).describe(
          "The Secret holding the credentials: keys username and password (SASL), or user.crt and user.key (PEM; tls). A KafkaUser's Secret has these keys.",
        ),
      }).describe(
        'How the operator authenticates to the Kafka at bootstrapServers (only with bootstrapServers; with cluster the operator uses its own identity). Unset: no authentication.',
      ),
    ),
    tls: optional(
      obj({
        caSecretRef: optional(
          obj({
            name: secretName(),
            key: str()
              .minLength(1)
              .maxLength(253)
              .pattern(SECRET_KEY_PATTERN)
              .default(EXTERNAL_SECRET_KEYS.ca)
              .describe('The key holding the CA certificates (PEM).'),
          }).describe(
            'Trust the CA certificates (PEM) in this Secret instead of the system roots.',
          ),
        ),
      }).describe(
        'Connect to bootstrapServers over TLS (only with bootstrapServers). {} trusts the system roots. Unset: no TLS.',
      ),
    ),
  };
}

/** Exactly one reference, and it never changes (that would silently move the resource). */
export function withClusterReferenceRules<S extends Shape, O extends ObjectField<S>>(spec: O): O {
  return spec
    .rule(
      'has(self.cluster) != has(self.bootstrapServers)',
      'exactly one of spec.cluster or spec.bootstrapServers must be set',
    )
    .rule(
      '(has(self.cluster) ? self.cluster : "") == (has(oldSelf.cluster) ? oldSelf.cluster : "")',
      'spec.cluster is immutable: delete and recreate the resource to point it at another cluster',
      { fieldPath: '.cluster' },
    )
    .rule(
      '(has(self.bootstrapServers) ? self.bootstrapServers : "") == (has(oldSelf.bootstrapServers) ? oldSelf.bootstrapServers : "")',
      'spec.bootstrapServers is immutable: delete and recreate the resource to point it at another cluster',
      { fieldPath: '.bootstrapServers' },
    )
    .rule(
      '!has(self.authentication) || has(self.bootstrapServers)',
      'spec.authentication applies to spec.bootstrapServers only: with spec.cluster the operator connects with its own identity',
      { fieldPath: '.authentication' },
    )
    .rule(
      '!has(self.tls) || has(self.bootstrapServers)',
      "spec.tls applies to spec.bootstrapServers only: with spec.cluster the operator uses the cluster's own TLS settings",
      { fieldPath: '.tls' },
    )
    .rule(
      "!has(self.authentication) || self.authentication.type != 'tls' || has(self.tls)",
      'spec.authentication type tls needs spec.tls: the client certificate is presented in the TLS handshake ({} trusts the system roots)',
      { fieldPath: '.authentication' },
    );
}
