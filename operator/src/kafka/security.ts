// How the operator's Kafka client secures a connection: TLS (node:tls) and/or SASL. The same
// shape is accepted by WireConnection, KafkaAdmin and KafkaClusterAdmin; neither part set means
// PLAINTEXT. Kafka's listener kinds map onto it as: SSL = tls, SASL_PLAINTEXT = sasl,
// SASL_SSL = both.

import { createHash } from 'node:crypto';

export interface KafkaTls {
  /** Trusted CA certificates (PEM); node's default roots when unset. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Client certificate chain (PEM), for listeners with ssl.client.auth=required. */
  cert?: string | Buffer;
  /** Client private key (PEM). */
  key?: string | Buffer;
  /** Name the server certificate must carry (and SNI); defaults to the host dialled. */
  servername?: string;
  /** Default true: a certificate node cannot verify fails the connection. */
  rejectUnauthorized?: boolean;
}

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface KafkaSasl {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaSecurity {
  tls?: KafkaTls;
  sasl?: KafkaSasl;
}

/**
 * A short digest of the settings, '' for PLAINTEXT: the connection pool keys a cluster's
 * sockets by it, so renewed credentials (a new certificate, a new password) make new
 * connections rather than reusing ones authenticated with the old. A one-way hash, safe to log;
 * the settings themselves (private key, password) never are.
 */
export function securityDigest(security: KafkaSecurity | undefined): string {
  if (!security || (!security.tls && !security.sasl)) return '';
  const text = (v: string | Buffer | undefined): string | undefined =>
    v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('base64') : v;
  const tls = security.tls;
  const canonical = JSON.stringify([
    tls
      ? [
          (Array.isArray(tls.ca) ? tls.ca : tls.ca === undefined ? [] : [tls.ca]).map(text),
          text(tls.cert),
          text(tls.key),
          tls.servername,
          tls.rejectUnauthorized ?? true,
        ]
      : null,
    security.sasl
      ? [security.sasl.mechanism, security.sasl.username, security.sasl.password]
      : null,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
