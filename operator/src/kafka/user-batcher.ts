// Coalesces the user-level calls of many concurrent KafkaUser reconciles into few requests, the
// way kafka-admin.ts batches topic calls (batcher.ts): a thousand users applied at once become
// about ten CreateAcls, not a thousand. Each caller still gets only its own answer.
//
// - Writes (SCRAM alterations, ACL creations and deletions, quota alterations) are merged into
//   one request per batch. Kafka takes a user at most once per AlterUserScramCredentials or
//   AlterClientQuotas, so a user already in the waiting batch starts the next one.
// - DescribeAcls carries one filter per request. Concurrent filters that differ only in the
//   principal (each reconcile asks for "every ACL of User:<me>") become one request with any
//   principal, whose answer is split by principal. A single waiting filter is sent as it is.
// - Named describes (SCRAM credentials, quotas) of concurrent callers become one request for all
//   names. Describing every user is passed through as it is.
import { Batcher, type BatcherOptions, type ItemResult } from './batcher.ts';
import type { KafkaRequestError } from './errors.ts';
import type {
  AclBinding,
  AclDeletion,
  AclFilter,
  KafkaUserPort,
  ScramDeletion,
  ScramUpsertion,
  ScramUserDescription,
  ScramUserResult,
  UserQuotaChange,
  UserQuotaResult,
  UserQuotas,
} from './user-port.ts';

/**
 * Callers per request for the describes whose answer does not grow with them: an any-principal
 * ACL filter, and quotas of several users (Kafka lists every named user entity either way).
 */
export const WIDE_DESCRIBE_MAX_BATCH = 1000;

export type UserBatchOptions = Partial<Omit<BatcherOptions, 'shareDuplicates'>>;

/** One user's part of an alterScramCredentials call. */
interface ScramItem {
  readonly user: string;
  readonly upsertions: readonly ScramUpsertion[];
  readonly deletions: readonly ScramDeletion[];
}

/** One call's list (creations or deletion filters), kept together so results map back by index. */
interface ListItem<T> {
  readonly id: number;
  readonly list: readonly T[];
}

export class BatchingUserPort implements KafkaUserPort {
  readonly #inner: KafkaUserPort;
  readonly #describeScram: Batcher<string, ScramUserDescription>;
  readonly #alterScram: Batcher<ScramItem, ScramUserResult>;
  readonly #describeAcls: Batcher<AclFilter, readonly AclBinding[]>;
  readonly #createAcls: Batcher<ListItem<AclBinding>, readonly (KafkaRequestError | undefined)[]>;
  readonly #deleteAcls: Batcher<ListItem<AclFilter>, readonly AclDeletion[]>;
  readonly #describeQuotas: Batcher<string, UserQuotas | undefined>;
  readonly #alterQuotas: Batcher<UserQuotaChange, UserQuotaResult>;
  #nextId = 0;

  /**
   * Defaults as for topics (Strimzi's topic operator): 100 items per request (ACL and quota
   * describes: WIDE_DESCRIBE_MAX_BATCH), 5 ms linger, 4 requests of a kind in flight. An item is
   * a user, a describe filter, or one call's list of ACLs or filters.
   */
  constructor(inner: KafkaUserPort, options: UserBatchOptions = {}) {
    this.#inner = inner;
    const opts = (shareDuplicates: boolean): BatcherOptions => ({
      maxBatch: 100,
      lingerMs: 5,
      concurrency: 4,
      ...options,
      shareDuplicates,
    });
    this.#describeScram = new Batcher(
      (user) => user,
      (users) => this.#runDescribeScram(users),
      opts(true),
    );
    this.#alterScram = new Batcher(
      (item) => item.user,
      (items) => this.#runAlterScram(items),
      opts(false),
    );
    this.#describeAcls = new Batcher(
      filterKey,
      (filters) => this.#runDescribeAcls(filters),
      wide(opts(true)),
    );
    this.#createAcls = new Batcher(
      (item) => String(item.id),
      (items) => this.#runLists(items, (all) => inner.createAcls(all)),
      opts(false),
    );
    this.#deleteAcls = new Batcher(
      (item) => String(item.id),
      (items) => this.#runLists(items, (all) => inner.deleteAcls(all)),
      opts(false),
    );
    this.#describeQuotas = new Batcher(
      (user) => user,
      (users) => this.#runDescribeQuotas(users),
      wide(opts(true)),
    );
    this.#alterQuotas = new Batcher(
      (change) => change.user,
      (changes) => this.#runAlterQuotas(changes),
      opts(false),
    );
  }

  /** Batches sent so far, per call kind (tests and the benchmark). */
  get batches(): Readonly<Record<string, number>> {
    return {
      describeScramCredentials: this.#describeScram.batchesRun,
      alterScramCredentials: this.#alterScram.batchesRun,
      describeAcls: this.#describeAcls.batchesRun,
      createAcls: this.#createAcls.batchesRun,
      deleteAcls: this.#deleteAcls.batchesRun,
      describeUserQuotas: this.#describeQuotas.batchesRun,
      alterUserQuotas: this.#alterQuotas.batchesRun,
    };
  }

  async describeScramCredentials(
    users?: readonly string[],
  ): Promise<readonly ScramUserDescription[]> {
    if (!users?.length) return this.#inner.describeScramCredentials();
    return Promise.all([...new Set(users)].map((u) => this.#describeScram.submit(u)));
  }

  async alterScramCredentials(change: {
    readonly upsertions?: readonly ScramUpsertion[];
    readonly deletions?: readonly ScramDeletion[];
  }): Promise<readonly ScramUserResult[]> {
    const upsertions = change.upsertions ?? [];
    const deletions = change.deletions ?? [];
    const users = [...new Set([...deletions, ...upsertions].map((c) => c.user))];
    // One item per user, holding all of this call's changes of that user: Kafka refuses a user
    // named twice in one request (DUPLICATE_RESOURCE), and this call should meet that as before.
    return Promise.all(
      users.map((user) =>
        this.#alterScram.submit({
          user,
          upsertions: upsertions.filter((u) => u.user === user),
          deletions: deletions.filter((d) => d.user === user),
        }),
      ),
    );
  }

  async upsertScramCredential(upsertion: ScramUpsertion): Promise<void> {
    const [result] = await this.alterScramCredentials({ upsertions: [upsertion] });
    if (result?.error) throw result.error;
  }

  async deleteScramCredential(deletion: ScramDeletion): Promise<void> {
    const [result] = await this.alterScramCredentials({ deletions: [deletion] });
    if (result?.error) throw result.error;
  }

  describeAcls(filter: AclFilter): Promise<readonly AclBinding[]> {
    return this.#describeAcls.submit(filter);
  }

  async createAcls(
    acls: readonly AclBinding[],
  ): Promise<readonly (KafkaRequestError | undefined)[]> {
    if (acls.length === 0) return [];
    return this.#createAcls.submit({ id: this.#nextId++, list: acls });
  }

  async deleteAcls(filters: readonly AclFilter[]): Promise<readonly AclDeletion[]> {
    if (filters.length === 0) return [];
    return this.#deleteAcls.submit({ id: this.#nextId++, list: filters });
  }

  async describeUserQuotas(users?: readonly string[]): Promise<ReadonlyMap<string, UserQuotas>> {
    if (!users?.length) return this.#inner.describeUserQuotas();
    const names = [...new Set(users)];
    const found = await Promise.all(names.map((u) => this.#describeQuotas.submit(u)));
    const quotas = new Map<string, UserQuotas>();
    names.forEach((u, i) => {
      const q = found[i];
      if (q !== undefined) quotas.set(u, q);
    });
    return quotas;
  }

  async alterUserQuotas(changes: readonly UserQuotaChange[]): Promise<readonly UserQuotaResult[]> {
    return Promise.all(changes.map((c) => this.#alterQuotas.submit(c)));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #runDescribeScram(
    users: readonly string[],
  ): Promise<ReadonlyMap<string, ItemResult<ScramUserDescription>>> {
    const described = await this.#inner.describeScramCredentials(users);
    const byUser = new Map(described.map((d) => [d.user, d]));
    return new Map(
      users.map((u) => {
        const d = byUser.get(u);
        return [u, d ? { ok: true, value: d } : noAnswer(u)];
      }),
    );
  }

  async #runAlterScram(
    items: readonly ScramItem[],
  ): Promise<ReadonlyMap<string, ItemResult<ScramUserResult>>> {
    const results = await this.#inner.alterScramCredentials({
      upsertions: items.flatMap((i) => i.upsertions),
      deletions: items.flatMap((i) => i.deletions),
    });
    const byUser = new Map(results.map((r) => [r.user, r]));
    return new Map(
      items.map((i): [string, ItemResult<ScramUserResult>] => {
        const r = byUser.get(i.user);
        return [i.user, r ? { ok: true, value: r } : noAnswer(i.user)];
      }),
    );
  }

  async #runDescribeAcls(
    filters: readonly AclFilter[],
  ): Promise<ReadonlyMap<string, ItemResult<readonly AclBinding[]>>> {
    const groups = new Map<string, AclFilter[]>();
    for (const f of filters) {
      const key = filterKey({ ...f, principal: null });
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    const results = new Map<string, ItemResult<readonly AclBinding[]>>();
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const [first] = group;
        const sent = group.length === 1 && first ? first : { ...group[0]!, principal: null };
        try {
          const acls = await this.#inner.describeAcls(sent);
          // One pass over the answer (it holds every principal's ACLs when several asked), not
          // one per asking user.
          const byPrincipal = new Map<string, AclBinding[]>();
          for (const a of acls) {
            const list = byPrincipal.get(a.principal);
            if (list) list.push(a);
            else byPrincipal.set(a.principal, [a]);
          }
          for (const f of group) {
            const mine = f.principal === null ? acls : (byPrincipal.get(f.principal) ?? []);
            results.set(filterKey(f), { ok: true, value: mine });
          }
        } catch (error) {
          for (const f of group) results.set(filterKey(f), { ok: false, error });
        }
      }),
    );
    return results;
  }

  async #runLists<T, R>(
    items: readonly ListItem<T>[],
    send: (all: readonly T[]) => Promise<readonly R[]>,
  ): Promise<ReadonlyMap<string, ItemResult<readonly R[]>>> {
    const answers = await send(items.flatMap((i) => i.list));
    const results = new Map<string, ItemResult<readonly R[]>>();
    let at = 0;
    for (const i of items) {
      results.set(String(i.id), { ok: true, value: answers.slice(at, at + i.list.length) });
      at += i.list.length;
    }
    return results;
  }

  async #runDescribeQuotas(
    users: readonly string[],
  ): Promise<ReadonlyMap<string, ItemResult<UserQuotas | undefined>>> {
    const quotas = await this.#inner.describeUserQuotas(users);
    return new Map(users.map((u) => [u, { ok: true, value: quotas.get(u) }]));
  }

  async #runAlterQuotas(
    changes: readonly UserQuotaChange[],
  ): Promise<ReadonlyMap<string, ItemResult<UserQuotaResult>>> {
    const results = await this.#inner.alterUserQuotas(changes);
    return new Map(
      changes.map((c, i): [string, ItemResult<UserQuotaResult>] => {
        const r = results[i];
        return [c.user, r ? { ok: true, value: r } : noAnswer(c.user)];
      }),
    );
  }
}

function wide(opts: BatcherOptions): BatcherOptions {
  return { ...opts, maxBatch: Math.max(opts.maxBatch, WIDE_DESCRIBE_MAX_BATCH) };
}

/** Kafka answers for every user it was asked about; this is a broken answer, not a refusal. */
function noAnswer(user: string): { ok: false; error: Error } {
  return { ok: false, error: new Error(`Kafka's answer has no result for user ${user}`) };
}

/** Equal filters share one slot; field order fixed so the key does not depend on the caller. */
function filterKey(f: AclFilter): string {
  return JSON.stringify([
    f.resourceType,
    f.resourceName,
    f.patternType,
    f.principal,
    f.host,
    f.operation,
    f.permissionType,
  ]);
}
