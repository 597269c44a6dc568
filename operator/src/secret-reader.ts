// Secrets the operator reads but does not write, one GET by name each (RBAC: secrets get only;
// list/watch cannot be narrowed and would expose every Secret of the cluster): the Secrets a
// KafkaTopic's or KafkaConsumerGroup's spec.authentication/spec.tls names
// (external-credentials.ts) and a KafkaCluster's CA Secrets a KafkaUser needs
// (user/reconciler.ts). One instance serves all reconcilers (operator.ts).
//
// An answer is kept `ttlMs` (default 10 s, docs/topics.md) and concurrent reads of one Secret
// share one request (kafka/recent.ts), so a burst of reconciles naming one Secret costs one GET;
// a changed Secret is seen within that time. A missing Secret is not remembered: the next read
// asks again, so a Secret created later is seen at once. Any other error is thrown, never
// turned into "missing".
//
// Reads that must see the Secret as it is now (a reconciler's own Secret before it writes it, a
// password whose change is a rotation) do not come here: they GET directly.
import { Recent } from './kafka/recent.ts';
import { SecretResource } from './kafka-credentials.ts';
import type { Clock } from './runtime/clock.ts';
import type { KubeClient } from './runtime/kube-client.ts';
import type { KubeObject } from './runtime/resource.ts';

/** A Secret's data, decoded (UTF-8), by key. */
export type SecretData = Readonly<Record<string, string>>;

export interface SecretReaderOptions {
  client: Pick<KubeClient, 'get'>;
  clock: Clock;
  ttlMs?: number;
}

export const DEFAULT_SECRET_TTL_MS = 10_000;

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

/** A 404 as a failed load: Recent keeps no failure, so a missing Secret is not remembered. */
class SecretNotFound extends Error {}

export class SecretReader {
  readonly #client: Pick<KubeClient, 'get'>;
  readonly #recent: Recent<string, SecretData>;

  constructor(o: SecretReaderOptions) {
    this.#client = o.client;
    this.#recent = new Recent(o.ttlMs ?? DEFAULT_SECRET_TTL_MS, () => o.clock.now());
  }

  /** The Secret's data; undefined: there is no such Secret (404). Other errors are thrown. */
  async read(namespace: string, name: string): Promise<SecretData | undefined> {
    try {
      return await this.#recent.get(`${namespace}/${name}`, () => this.#get(namespace, name));
    } catch (e) {
      if (e instanceof SecretNotFound) return undefined;
      throw e;
    }
  }

  async #get(namespace: string, name: string): Promise<SecretData> {
    const secret = await this.#client.get<SecretObject>(SecretResource, namespace, name);
    if (!secret) throw new SecretNotFound(`Secret ${namespace}/${name} does not exist`);
    // Frozen: one answer is shared by every caller within the TTL.
    return Object.freeze(
      Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      ),
    );
  }
}
