// One KafkaAdmin per Kafka cluster, shared by every reconciler that talks to it. Keyed by the
// bootstrap list (order and spacing do not matter). An admin heals itself after an outage
// (errors drop its connections and the next call reconnects), so entries live until closed.

import { KafkaAdmin, type KafkaAdminOptions } from './kafka-admin.ts';
import type { KafkaAdminPort } from './port.ts';

export type AdminFactory = (options: KafkaAdminOptions) => KafkaAdminPort;

export class KafkaConnections {
  readonly #admins = new Map<string, KafkaAdminPort>();
  readonly #factory: AdminFactory;
  readonly #defaults: Omit<KafkaAdminOptions, 'bootstrap'>;

  constructor(
    defaults: Omit<KafkaAdminOptions, 'bootstrap'> = {},
    factory: AdminFactory = (o) => new KafkaAdmin(o),
  ) {
    this.#defaults = defaults;
    this.#factory = factory;
  }

  /** The admin for this cluster, created on first use. */
  get(bootstrap: string): KafkaAdminPort {
    const key = bootstrapKey(bootstrap);
    let admin = this.#admins.get(key);
    if (!admin) {
      admin = this.#factory({ ...this.#defaults, bootstrap: key });
      this.#admins.set(key, admin);
    }
    return admin;
  }

  /** Forget a cluster (its resources are gone); the next get() starts afresh. */
  async release(bootstrap: string): Promise<void> {
    const key = bootstrapKey(bootstrap);
    const admin = this.#admins.get(key);
    this.#admins.delete(key);
    await admin?.close();
  }

  get size(): number {
    return this.#admins.size;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#admins.values()];
    this.#admins.clear();
    await Promise.all(all.map((a) => a.close()));
  }
}

export function bootstrapKey(bootstrap: string): string {
  return [
    ...new Set(
      bootstrap
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ]
    .sort()
    .join(',');
}
