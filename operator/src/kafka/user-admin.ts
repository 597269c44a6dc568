// KafkaUserPort against real Kafka, over the operator's wire client (wire-scram-credentials.ts).
// Like KafkaClusterAdmin it runs over its own connections or over a cluster's shared KafkaClient.
// Requests go to the bootstrap list: Kafka's AdminClient sends DescribeUserScramCredentials to
// any broker and AlterUserScramCredentials to "the controller", which on KRaft is whichever
// broker the metadata names; that broker forwards it to the active controller, as every broker
// does (the request lists "broker" among its listeners).
import { randomBytes } from 'node:crypto';
import {
  ALTER_CLIENT_QUOTAS,
  ALTER_USER_SCRAM_CREDENTIALS,
  CREATE_ACLS,
  DELETE_ACLS,
  DESCRIBE_ACLS,
  DESCRIBE_CLIENT_QUOTAS,
  DESCRIBE_USER_SCRAM_CREDENTIALS,
} from './apis.ts';
import { KafkaClient, type KafkaClientOptions } from './client.ts';
import { requestError } from './error-codes.ts';
import type { KafkaRequestError } from './errors.ts';
import { MAX_ITERATIONS, SCRAM_HASHES, saltedPassword } from './scram.ts';
import {
  DEFAULT_SCRAM_ITERATIONS,
  QUOTA_KEYS,
  type AclBinding,
  type AclDeletion,
  type AclFilter,
  type KafkaUserPort,
  type QuotaKey,
  type ScramDeletion,
  type ScramUpsertion,
  type ScramUserDescription,
  type ScramUserResult,
  type UserQuotaChange,
  type UserQuotaResult,
  type UserQuotas,
} from './user-port.ts';
import {
  decodeCreateAclsResponse,
  decodeDeleteAclsResponse,
  decodeDescribeAclsResponse,
  encodeCreateAclsRequest,
  encodeDeleteAclsRequest,
  encodeDescribeAclsRequest,
} from './wire-acls.ts';
import {
  MATCH_EXACT,
  MATCH_SPECIFIED,
  decodeAlterClientQuotasResponse,
  decodeDescribeClientQuotasResponse,
  encodeAlterClientQuotasRequest,
  encodeDescribeClientQuotasRequest,
  type QuotaAlterationWire,
  type QuotaEntityPart,
} from './wire-client-quotas.ts';
import {
  decodeAlterUserScramCredentialsResponse,
  decodeDescribeUserScramCredentialsResponse,
  encodeAlterUserScramCredentialsRequest,
  encodeDescribeUserScramCredentialsRequest,
  type ScramUpsertionWire,
} from './wire-scram-credentials.ts';

export type KafkaUserAdminOptions = KafkaClientOptions;

/** Salt length: as long as the SHA-256 output; Kafka's own tools send about 26 bytes. */
const SALT_BYTES = 32;

export class KafkaUserAdmin implements KafkaUserPort {
  readonly bootstrap: string;
  readonly #client: KafkaClient;
  readonly #ownsClient: boolean;

  /** Over its own connections (`options`), or over a cluster's shared ones (`client`). */
  constructor(options: KafkaUserAdminOptions | KafkaClient) {
    this.#ownsClient = !(options instanceof KafkaClient);
    this.#client = options instanceof KafkaClient ? options : new KafkaClient(options);
    this.bootstrap = this.#client.bootstrap;
  }

  async describeScramCredentials(
    users?: readonly string[],
  ): Promise<readonly ScramUserDescription[]> {
    const answer = await this.#client.send(
      DESCRIBE_USER_SCRAM_CREDENTIALS,
      encodeDescribeUserScramCredentialsRequest(users?.length ? users : null),
      decodeDescribeUserScramCredentialsResponse,
    );
    if (answer.errorCode !== 0) throw requestError(answer);
    return answer.users.map((u) => ({
      user: u.user,
      credentials: u.credentials,
      error: u.errorCode === 0 ? undefined : requestError(u),
    }));
  }

  async alterScramCredentials(change: {
    readonly upsertions?: readonly ScramUpsertion[];
    readonly deletions?: readonly ScramDeletion[];
  }): Promise<readonly ScramUserResult[]> {
    const deletions = change.deletions ?? [];
    const upsertions = await Promise.all((change.upsertions ?? []).map((u) => salted(u)));
    if (deletions.length === 0 && upsertions.length === 0) return [];
    const results = await this.#client.send(
      ALTER_USER_SCRAM_CREDENTIALS,
      encodeAlterUserScramCredentialsRequest(deletions, upsertions),
      decodeAlterUserScramCredentialsResponse,
    );
    return results.map((r) => ({
      user: r.user,
      error: r.errorCode === 0 ? undefined : requestError(r),
    }));
  }

  async upsertScramCredential(upsertion: ScramUpsertion): Promise<void> {
    throwFor(upsertion.user, await this.alterScramCredentials({ upsertions: [upsertion] }));
  }

  async deleteScramCredential(deletion: ScramDeletion): Promise<void> {
    throwFor(deletion.user, await this.alterScramCredentials({ deletions: [deletion] }));
  }

  async describeAcls(filter: AclFilter): Promise<readonly AclBinding[]> {
    const answer = await this.#client.send(
      DESCRIBE_ACLS,
      encodeDescribeAclsRequest(filter),
      decodeDescribeAclsResponse,
    );
    if (answer.errorCode !== 0) throw requestError(answer);
    return answer.acls;
  }

  async createAcls(
    acls: readonly AclBinding[],
  ): Promise<readonly (KafkaRequestError | undefined)[]> {
    if (acls.length === 0) return [];
    const outcomes = await this.#client.send(
      CREATE_ACLS,
      encodeCreateAclsRequest(acls),
      decodeCreateAclsResponse,
    );
    return acls.map((_, i) => {
      const o = outcomes[i] ?? { errorCode: -1, errorMessage: 'no result for this ACL' };
      return o.errorCode === 0 ? undefined : requestError(o);
    });
  }

  async deleteAcls(filters: readonly AclFilter[]): Promise<readonly AclDeletion[]> {
    if (filters.length === 0) return [];
    const results = await this.#client.send(
      DELETE_ACLS,
      encodeDeleteAclsRequest(filters),
      decodeDeleteAclsResponse,
    );
    return filters.map((_, i) => {
      const r = results[i] ?? {
        errorCode: -1,
        errorMessage: 'no result for this filter',
        deleted: [],
      };
      // A filter's own refusal, else the first ACL it matched and could not delete.
      const failed = r.errorCode !== 0 ? r : r.deleted.find((d) => d.errorCode !== 0);
      return {
        deleted: r.deleted.filter((d) => d.errorCode === 0).map((d) => d.acl),
        error: failed ? requestError(failed) : undefined,
      };
    });
  }

  async describeUserQuotas(users?: readonly string[]): Promise<ReadonlyMap<string, UserQuotas>> {
    const wanted = users?.length ? new Set(users) : undefined;
    // One name: Kafka matches it exactly. Several (or all): one request for every user entity
    // with a name, filtered here; strict leaves out user+client-id entities.
    const only = wanted?.size === 1 ? [...wanted][0]! : null;
    const answer = await this.#client.send(
      DESCRIBE_CLIENT_QUOTAS,
      encodeDescribeClientQuotasRequest(
        [
          only === null
            ? { entityType: USER_ENTITY, matchType: MATCH_SPECIFIED, match: null }
            : { entityType: USER_ENTITY, matchType: MATCH_EXACT, match: only },
        ],
        true,
      ),
      decodeDescribeClientQuotasResponse,
    );
    if (answer.errorCode !== 0) throw requestError(answer);
    const quotas = new Map<string, UserQuotas>();
    for (const entry of answer.entries ?? []) {
      const user = userOf(entry.entity);
      if (user === undefined || (wanted && !wanted.has(user))) continue;
      const values: Partial<Record<QuotaKey, number>> = {};
      for (const v of entry.values) if (isQuotaKey(v.key)) values[v.key] = v.value;
      if (Object.keys(values).length > 0) quotas.set(user, values);
    }
    return quotas;
  }

  async alterUserQuotas(changes: readonly UserQuotaChange[]): Promise<readonly UserQuotaResult[]> {
    const entries: QuotaAlterationWire[] = changes
      .map((c) => ({
        entity: [{ entityType: USER_ENTITY, entityName: c.user }],
        ops: [
          ...QUOTA_KEYS.flatMap((key) => {
            const value = c.set[key];
            return value === undefined ? [] : [{ key, value, remove: false }];
          }),
          ...c.remove.map((key) => ({ key, value: 0, remove: true })),
        ],
      }))
      .filter((e) => e.ops.length > 0);
    if (entries.length === 0) return changes.map((c) => ({ user: c.user, error: undefined }));
    const results = await this.#client.send(
      ALTER_CLIENT_QUOTAS,
      encodeAlterClientQuotasRequest(entries),
      decodeAlterClientQuotasResponse,
    );
    // Kafka answers per entity; matched by name, since it need not keep the request's order.
    const byUser = new Map(results.map((r) => [userOf(r.entity), r]));
    const sent = new Set(entries.map((e) => e.entity[0]!.entityName));
    return changes.map((c) => {
      if (!sent.has(c.user)) return { user: c.user, error: undefined };
      const r = byUser.get(c.user) ?? { errorCode: -1, errorMessage: 'no result for this user' };
      return { user: c.user, error: r.errorCode === 0 ? undefined : requestError(r) };
    });
  }

  close(): Promise<void> {
    if (this.#ownsClient) this.#client.close();
    return Promise.resolve();
  }
}

/**
 * The upsertion as Kafka takes it: a fresh random salt and Hi(password, salt, i). Counts Kafka
 * might accept are left to Kafka to judge (its refusal names its limits); only a count that
 * cannot be computed, or would burn the operator's CPU, is refused here.
 */
export async function salted(u: ScramUpsertion, salt?: Buffer): Promise<ScramUpsertionWire> {
  const iterations = u.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS)
    throw new RangeError(
      `SCRAM iterations for user ${u.user} must be an integer from 1 to ${MAX_ITERATIONS}, not ${iterations}`,
    );
  const s = salt ?? randomBytes(SALT_BYTES);
  return {
    user: u.user,
    mechanism: u.mechanism,
    iterations,
    salt: s,
    saltedPassword: await saltedPassword(u.password, s, iterations, SCRAM_HASHES[u.mechanism]),
  };
}

const USER_ENTITY = 'user';

/** The user of an entity that is exactly {user: name}; undefined for any other entity. */
function userOf(entity: readonly QuotaEntityPart[]): string | undefined {
  const [only] = entity;
  if (entity.length !== 1 || only?.entityType !== USER_ENTITY || only.entityName === null)
    return undefined;
  return only.entityName;
}

function isQuotaKey(key: string): key is QuotaKey {
  return (QUOTA_KEYS as readonly string[]).includes(key);
}

/** The one user's refusal, if Kafka refused. */
function throwFor(user: string, results: readonly ScramUserResult[]): void {
  const error = results.find((r) => r.user === user)?.error;
  if (error) throw error;
}
