// The user-level Kafka port: SCRAM credentials (KIP-554) of the users a secured cluster
// authenticates, for the operator's own identity and test users now (issue #14), and ACLs for
// KafkaUser (issue #15). Errors: KafkaUnavailableError when no broker answered;
// KafkaRequestError with Kafka's error name and words when Kafka refused — per user in the
// results, thrown when the whole request was refused.
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
  close(): Promise<void>;
}
