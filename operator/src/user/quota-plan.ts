// The quotas of a KafkaUser, pure: the spec's fields as Kafka's client-quota keys for entity
// user=<username>, and the change that makes Kafka hold exactly those. The KafkaUser owns the
// entity: a key Kafka has and the spec does not is removed, whoever set it.
import type { KafkaUserQuotas } from '../api/kafka-user.ts';
import type { QuotaKey, UserQuotaChange, UserQuotas } from '../kafka/user-port.ts';

const KEYS: Record<keyof KafkaUserQuotas, QuotaKey> = {
  producerByteRate: 'producer_byte_rate',
  consumerByteRate: 'consumer_byte_rate',
  requestPercentage: 'request_percentage',
  controllerMutationRate: 'controller_mutation_rate',
};

/** The spec's quotas under Kafka's names; unset fields are absent. */
export function desiredQuotas(q: KafkaUserQuotas | undefined): UserQuotas {
  const out: Partial<Record<QuotaKey, number>> = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof KafkaUserQuotas, QuotaKey][]) {
    const v = q?.[field];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export interface QuotaPlan {
  /** undefined: Kafka already holds exactly the desired quotas. */
  readonly change: UserQuotaChange | undefined;
  /** Keys whose value Kafka had differently (or had at all, for removed keys). */
  readonly differing: readonly QuotaKey[];
}

/** Kafka keeps quota values as doubles; integers sent come back as the same numbers. */
const same = (a: number | undefined, b: number | undefined) =>
  a === b || (a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.abs(a));

export function planQuotas(user: string, desired: UserQuotas, observed: UserQuotas): QuotaPlan {
  const set: Partial<Record<QuotaKey, number>> = {};
  const remove: QuotaKey[] = [];
  for (const key of Object.values(KEYS)) {
    const want = desired[key];
    const have = observed[key];
    if (same(want, have)) continue;
    if (want === undefined) remove.push(key);
    else set[key] = want;
  }
  const differing = [...Object.keys(set), ...remove] as QuotaKey[];
  return {
    change: differing.length > 0 ? { user, set, remove } : undefined,
    differing,
  };
}

/** For messages and Events: `producer_byte_rate=1024, request_percentage removed`. */
export function describeQuotaChange(change: UserQuotaChange, observed: UserQuotas): string {
  return [
    ...Object.entries(change.set).map(
      ([k, v]) =>
        `${k}=${v}${observed[k as QuotaKey] !== undefined ? ` (was ${observed[k as QuotaKey]})` : ''}`,
    ),
    ...change.remove.map((k) => `${k} removed (was ${observed[k]})`),
  ].join(', ');
}
