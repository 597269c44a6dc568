// The user-level Kafka port: SCRAM credentials (KIP-554) of the users a secured cluster
// authenticates (the operator's own identity and test users, issue #14), and the ACLs and
// client quotas (KIP-546) of KafkaUser (issue #15). Errors: KafkaUnavailableError when no
// broker answered; KafkaRequestError with Kafka's error name and words when Kafka refused — per
// user in the results, thrown when the whole request was refused.
import type { KafkaRequestError } from './errors.ts';
import type { ScramMechanism } from './scram.ts';
import type { AclBinding, AclFilter } from './wire-acls.ts';

export type { ScramMechanism } from './scram.ts';
export type {
  AclBinding,
  AclFilter,
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
} from './wire-acls.ts';

/** Twice Kafka's floor (4096), as in Kafka's own kafka-configs.sh examples. */
export const DEFAULT_SCRAM_ITERATIONS = 8192;

export interface ScramCredentialInfo {
  /** `UNKNOWN(n)` for a type byte this client cannot name. */
  readonly mechanism: ScramMechanism | `UNKNOWN(${number})`;
  readonly iterations: number;
}

export interface ScramUserDescription {
  readonly user: string;
  readonly credentials: readonly ScramCredentialInfo[];
  /** Kafka's refusal for this user, e.g. RESOURCE_NOT_FOUND for a named user without any. */
  readonly error: KafkaRequestError | undefined;
}

export interface ScramUpsertion {
  readonly user: string;
  readonly mechanism: ScramMechanism;
  /** Used only to compute the salted password; never sent, logged or kept. */
  readonly password: string;
  /** Default DEFAULT_SCRAM_ITERATIONS; Kafka accepts 4096–16384. */
  readonly iterations?: number;
}

export interface ScramDeletion {
  readonly user: string;
  readonly mechanism: ScramMechanism;
}

/** Kafka answers once per user named in an alteration, whatever it asked of that user. */
export interface ScramUserResult {
  readonly user: string;
  readonly error: KafkaRequestError | undefined;
}

/** The user-level quotas Kafka knows (kafka-configs.sh --entity-type users). */
export const QUOTA_KEYS = [
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** A user's quotas: a key that is absent has no quota (Kafka's default applies). */
export type UserQuotas = Readonly<Partial<Record<QuotaKey, number>>>;

/** One user's quota change: `set` writes these values, `remove` drops these keys. */
export interface UserQuotaChange {
  readonly user: string;
  readonly set: UserQuotas;
  readonly remove: readonly QuotaKey[];
}

/** Kafka answers once per user (quota entity) of an alteration. */
export interface UserQuotaResult {
  readonly user: string;
  readonly error: KafkaRequestError | undefined;
}

/** What one DeleteAcls filter removed, or Kafka's refusal of it. */
export interface AclDeletion {
  readonly deleted: readonly AclBinding[];
  readonly error: KafkaRequestError | undefined;
}

export interface KafkaUserPort {
  /** Every user with a credential when `users` is omitted or empty, else the named ones. */
  describeScramCredentials(users?: readonly string[]): Promise<readonly ScramUserDescription[]>;
  /**
   * One AlterUserScramCredentials for all. Kafka takes each user at most once per request (two
   * changes of one user, even of two mechanisms, are refused as DUPLICATE_RESOURCE for that
   * user and neither is made); other users in the request are unaffected.
   */
  alterScramCredentials(change: {
    readonly upsertions?: readonly ScramUpsertion[];
    readonly deletions?: readonly ScramDeletion[];
  }): Promise<readonly ScramUserResult[]>;
  /** Creates or replaces one credential; throws Kafka's refusal. */
  upsertScramCredential(upsertion: ScramUpsertion): Promise<void>;
  /** Removes one credential; throws Kafka's refusal (RESOURCE_NOT_FOUND when there is none). */
  deleteScramCredential(deletion: ScramDeletion): Promise<void>;
  /** The ACLs matching `filter`; throws Kafka's refusal (SECURITY_DISABLED without an authorizer). */
  describeAcls(filter: AclFilter): Promise<readonly AclBinding[]>;
  /** One CreateAcls; per binding, in order, undefined or Kafka's refusal. Existing ones are kept. */
  createAcls(acls: readonly AclBinding[]): Promise<readonly (KafkaRequestError | undefined)[]>;
  /** One DeleteAcls; per filter, in order, what it removed. */
  deleteAcls(filters: readonly AclFilter[]): Promise<readonly AclDeletion[]>;
  /**
   * The quotas of the entities that are exactly {user: name} (not user+client-id, not the
   * default user): every such user with quotas when `users` is omitted or empty, else the named
   * ones. A user without quotas is absent from the map. Keys Kafka has that are not QuotaKeys
   * (none today) are left out.
   */
  describeUserQuotas(users?: readonly string[]): Promise<ReadonlyMap<string, UserQuotas>>;
  /**
   * One AlterClientQuotas for all (a user at most once: the batching port sends a repeated user
   * in a later request). Per user, in order, undefined or Kafka's refusal; a change with nothing
   * to set or remove is not sent and succeeds. A key both set and removed in one change is
   * Kafka's INVALID_REQUEST for that user (nothing of that change is written).
   */
  alterUserQuotas(changes: readonly UserQuotaChange[]): Promise<readonly UserQuotaResult[]>;
  close(): Promise<void>;
}
