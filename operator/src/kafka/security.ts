// How the operator's Kafka client secures a connection: TLS (node:tls) and/or SASL. The same
// shape is accepted by WireConnection, KafkaAdmin and KafkaClusterAdmin; neither part set means
// PLAINTEXT. Kafka's listener kinds map onto it as: SSL = tls, SASL_PLAINTEXT = sasl,
// SASL_SSL = both.

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
