// The operator's own identity on a secured KafkaCluster: the client certificate in Secret
// <cluster>-operator-certs (CN kraftwerk-operator, signed by the cluster CA; written by the
// certificate step), as the KafkaSecurity every connection to that cluster's REPLICATION
// listener uses. Shared by the three reconcilers that talk to a KafkaCluster (cluster, topics,
// groups), so one Secret read serves all of them.
//
// Why here, beside kafka-target.ts, and not in kafka/ or cluster/: kafka/ knows Kafka and not
// Kubernetes; cluster/ is the KafkaCluster reconciler, and topics and groups need this too.
//
// Freshness: the Secret is read with a GET by name (RBAC: secrets get; no list/watch of every
// Secret in the namespace) and the answer kept for `ttlMs` (default 30 s). A renewal is seen
// within that time. That is soon enough: a renewed leaf replaces one that is still valid
// (renewalDays before its end), and during a CA key replacement the brokers trust both CAs.
// A missing Secret is not remembered (the next reconcile asks again), and concurrent asks for
// one cluster share one GET, so a burst of a thousand topic reconciles costs one request.
// Private keys stay in memory: never logged, never in a message or a condition.
import type { KafkaCluster } from './api/kafka-cluster.ts';
import { isSecured, securitySecrets } from './cluster/model/security.ts';
import { securityDigest, type KafkaSecurity } from './kafka/security.ts';
import type { Clock } from './runtime/clock.ts';
import { KubeApiError, type KubeClient } from './runtime/kube-client.ts';
import type { KubeObject, ResourceInfo } from './runtime/resource.ts';

export const SecretResource = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
} as const satisfies ResourceInfo;

/** Keys of the operator's certificate Secret. */
export const OPERATOR_CERT_KEYS = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;

export const DEFAULT_CREDENTIALS_TTL_MS = 30_000;

/** The reason a reconciler reports while a secured cluster's operator certificate is missing. */
export const OPERATOR_CERTIFICATE_PENDING = 'OperatorCertificatePending';

export type OperatorCredentials =
  /** Not a secured cluster: PLAINTEXT, as before. */
  | { readonly state: 'plaintext' }
  | {
      readonly state: 'ready';
      readonly security: KafkaSecurity;
      /** securityDigest(security): which certificate, safe to log. */
      readonly digest: string;
    }
  | {
      readonly state: 'pending';
      readonly reason: typeof OPERATOR_CERTIFICATE_PENDING;
      /** Names the Secret and what is missing; never any of its values. */
      readonly message: string;
    };

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

export interface CredentialSourceOptions {
  client: Pick<KubeClient, 'get'>;
  clock: Clock;
  ttlMs?: number;
}

type ClusterLike = Pick<KafkaCluster, 'metadata' | 'spec'>;

interface Cached {
  at: number;
  clusterUid: string;
  resourceVersion: string;
  credentials: OperatorCredentials & { state: 'ready' };
}

export class OperatorCredentialSource {
  readonly #client: Pick<KubeClient, 'get'>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, Cached>();
  readonly #reading = new Map<string, Promise<OperatorCredentials>>();

  constructor(o: CredentialSourceOptions) {
    this.#client = o.client;
    this.#clock = o.clock;
    this.#ttlMs = o.ttlMs ?? DEFAULT_CREDENTIALS_TTL_MS;
  }

  /**
   * How the operator connects to this cluster now. Throws only what the API server answered
   * other than 404/403 (it is down, a timeout): the reconcile's own failure handling reports it.
   */
  async forCluster(kc: ClusterLike): Promise<OperatorCredentials> {
    if (!isSecured(kc.spec)) return { state: 'plaintext' };
    const namespace = kc.metadata.namespace ?? '';
    const name = kc.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    const uid = kc.metadata.uid ?? '';
    const hit = this.#cache.get(key);
    if (hit && hit.clusterUid === uid && this.#clock.now() - hit.at < this.#ttlMs) {
      return hit.credentials;
    }
    let reading = this.#reading.get(key);
    if (!reading) {
      reading = this.#read(key, namespace, name, uid).finally(() => this.#reading.delete(key));
      this.#reading.set(key, reading);
    }
    return reading;
  }

  /** The cluster is gone: drop what was read for it. */
  forget(namespace: string, name: string): void {
    this.#cache.delete(`${namespace}/${name}`);
  }

  async #read(
    key: string,
    namespace: string,
    cluster: string,
    clusterUid: string,
  ): Promise<OperatorCredentials> {
    const secretName = securitySecrets.operatorCerts(cluster);
    const pending = (why: string): OperatorCredentials => {
      this.#cache.delete(key);
      return {
        state: 'pending',
        reason: OPERATOR_CERTIFICATE_PENDING,
        message: `the operator's client certificate for KafkaCluster ${namespace}/${cluster} (Secret ${secretName}) ${why}`,
      };
    };
    let secret: SecretObject | undefined;
    try {
      secret = await this.#client.get<SecretObject>(SecretResource, namespace, secretName);
    } catch (e) {
      if (e instanceof KubeApiError && e.statusCode === 403) {
        return pending('cannot be read: the operator is not allowed to get Secrets here');
      }
      throw e;
    }
    if (!secret) return pending('does not exist yet');
    // Only the Secret the certificate step wrote for this very cluster: not one left by an
    // earlier cluster of the same name, nor one somebody else put there.
    const owner = secret.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (clusterUid && (owner?.kind !== 'KafkaCluster' || owner.uid !== clusterUid)) {
      return pending('is not controlled by this KafkaCluster; not using it');
    }
    const data = secret.data ?? {};
    const missing = Object.values(OPERATOR_CERT_KEYS).filter((k) => !data[k]);
    if (missing.length > 0) return pending(`has no ${missing.join(', ')} yet`);
    const text = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
    const resourceVersion = secret.metadata?.resourceVersion ?? '';
    const hit = this.#cache.get(key);
    if (
      hit &&
      hit.clusterUid === clusterUid &&
      resourceVersion &&
      hit.resourceVersion === resourceVersion
    ) {
      // Unchanged since the last read: the same object, so the same digest and pool entry.
      hit.at = this.#clock.now();
      return hit.credentials;
    }
    // No servername: node checks each broker's certificate against the host it dials (the
    // bootstrap Service, then the pod names Kafka advertises), all of which the node
    // certificates carry (pki nodeSans).
    const security: KafkaSecurity = {
      tls: {
        ca: text(OPERATOR_CERT_KEYS.ca),
        cert: text(OPERATOR_CERT_KEYS.cert),
        key: text(OPERATOR_CERT_KEYS.key),
      },
    };
    const credentials = { state: 'ready', security, digest: securityDigest(security) } as const;
    this.#cache.set(key, { at: this.#clock.now(), clusterUid, resourceVersion, credentials });
    return credentials;
  }
}
