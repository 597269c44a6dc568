// The KafkaUser reconciler: preflight (pure: can this cluster have this user?), read (the user
// Secret, the password or the clients CA, Kafka's credentials, ACLs and quotas of the
// principal), plan (acl-plan.ts, quota-plan.ts, pure), apply (Kafka first, then the Secret: a
// client never finds a password in its Secret that Kafka does not know yet), report (status,
// Events). Level-triggered: every run recomputes from what is there now. Every step that can
// fail ends in a Ready=False reason (user-status.ts USER_REASONS) and a Warning Event; a
// refusal applies nothing. The controller keeps the finalizer (runtime/controller.ts): added
// once the cluster is reachable, and on deletion `finalize` removes the principal's ACLs,
// SCRAM credentials and quotas (the Secret goes with its ownerReference).
import { createHash } from 'node:crypto';
import type { KafkaCluster } from '../api/kafka-cluster.ts';
import { kinds } from '../api/kinds.ts';
import type { KafkaUser } from '../api/kafka-user.ts';
import { securitySecrets } from '../cluster/model/security.ts';
import { KafkaRequestError, KafkaUnavailableError } from '../kafka/errors.ts';
import type { KafkaSecurity } from '../kafka/security.ts';
import type { KafkaUserPort, ScramUserDescription } from '../kafka/user-port.ts';
import { SecretResource, type OperatorCredentials } from '../kafka-credentials.ts';
import {
  KAFKA_CLUSTER_SECURING,
  resolveKafkaTarget,
  type KafkaTarget,
  type ReplicationBootstrap,
} from '../kafka-target.ts';
import {
  applyBody,
  applyStatusIfChanged,
  controllerReference,
  fieldManager,
} from '../runtime/apply.ts';
import type { Clock } from '../runtime/clock.ts';
import type { FinalizeResult, Reconciler } from '../runtime/controller.ts';
import type { EventRecorder } from '../runtime/events.ts';
import type { Informer } from '../runtime/informer.ts';
import { isConflict, KubeApiError, type KubeClient } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import { resourcePath, type KubeObject } from '../runtime/resource.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import type { SecretReader } from '../secret-reader.ts';
import { desiredAcls, planAcls, principalFilter, principalOf, type AclPlan } from './acl-plan.ts';
import { desiredQuotas, planQuotas, type QuotaPlan } from './quota-plan.ts';
import { userCertificateState, issueUserCertificate } from './user-certificate.ts';
import {
  CLUSTER_LABEL,
  controlledBy,
  MANAGED_BY_LABEL,
  PASSWORD_HASH_ANNOTATION,
  preflight,
  secretNameOf,
  USER_FINALIZER,
  USER_LABEL,
  usernameHolder,
  usernameOf,
  reservedPrincipals,
} from './user-resource.ts';
import {
  chooseUserListener,
  generatePassword,
  passwordProblem,
  renderUserSecretData,
  USER_SECRET_KEYS,
  type UserCredentials,
  type UserListener,
} from './user-secret.ts';
import {
  changeEvents,
  readyVerdict,
  refused,
  specUnchanged,
  userStatus,
  USER_REASONS,
  type UserFacts,
  type Verdict,
} from './user-status.ts';

export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

export interface UserReconcilerDeps {
  client: KubeClient;
  users: Informer<KafkaUser>;
  clusters: Informer<KafkaCluster>;
  /** The user port for a bootstrap address (batched, shared connections: kafka/connections.ts). */
  kafka: (bootstrap: string, security?: KafkaSecurity) => KafkaUserPort;
  /** The operator's credentials for a secured KafkaCluster (kafka-credentials.ts). */
  credentials: (cluster: KafkaCluster) => Promise<OperatorCredentials>;
  replicationBootstrap?: ReplicationBootstrap;
  events: EventRecorder;
  clock: Clock;
  logger: Logger;
  /** How soon to look again while waiting for the cluster or after Kafka refused. */
  waitMs?: number;
  /** Reads the cluster's CA Secrets: the same for every user of a cluster, so a burst of
   *  reconciles shares one read (secret-reader.ts). */
  secrets: SecretReader;
  /** Password generation's randomness (tests). */
  randomBytes?: (n: number) => Buffer;
}

/** A reconcile that stops: the verdict to report, nothing applied. */
class Refusal extends Error {
  readonly verdict: Verdict;
  constructor(verdict: Verdict) {
    super(verdict.message);
    this.verdict = verdict;
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const text = (s: SecretObject | undefined, key: string): string | undefined => {
  const v = s?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
};
const DEFAULT_VALIDITY_DAYS = 365;
const DEFAULT_RENEWAL_DAYS = 30;
const SCRAM = 'SCRAM-SHA-512' as const;

export function userReconciler(deps: UserReconcilerDeps): Reconciler<KafkaUser> {
  const waitMs = deps.waitMs ?? 15_000;
  const random = deps.randomBytes;
  const clusterOf = (u: KafkaUser) => deps.clusters.getByName(u.metadata.namespace, u.spec.cluster);
  const targetOf = (u: KafkaUser): KafkaTarget =>
    resolveKafkaTarget(
      { cluster: u.spec.cluster },
      u.metadata.namespace ?? '',
      clusterOf(u),
      deps.replicationBootstrap,
    );

  const report = async (u: KafkaUser, verdict: Verdict, facts: UserFacts): Promise<void> => {
    const previous = u.status?.conditions?.find((c) => c.type === 'Ready');
    // A refusal is an Event once, when Ready turns to it; a repeat says nothing new.
    if (
      verdict.status !== 'True' &&
      (previous?.reason !== verdict.reason || previous.message !== verdict.message)
    ) {
      void deps.events.warning(u, verdict.reason, 'Reconcile', verdict.message);
    }
    const status = userStatus(u, verdict, facts, new Date(deps.clock.now()));
    await applyStatusIfChanged(deps.client, u, status, { resource: kinds.KafkaUser });
  };

  /** Step: connect to the cluster as the operator. */
  const connect = async (cluster: KafkaCluster, target: KafkaTarget & { ready: true }) => {
    const credentials = await deps.credentials(cluster);
    if (credentials.state === 'pending') {
      throw new Refusal(refused(KAFKA_CLUSTER_SECURING, credentials.message));
    }
    return deps.kafka(
      target.bootstrap,
      credentials.state === 'ready' ? credentials.security : undefined,
    );
  };

  /** Step: the user Secret as it is, if this KafkaUser controls it. */
  const readUserSecret = async (u: KafkaUser): Promise<SecretObject | undefined> => {
    const ns = u.metadata.namespace ?? '';
    const name = secretNameOf(u);
    // Read by name, not watched: watching Secrets takes list/watch on every Secret of the
    // cluster (RBAC cannot narrow them by label); a deleted user Secret is written again on
    // the next resync or change of the KafkaUser.
    const secret = await deps.client.get<SecretObject>(SecretResource, ns, name);
    if (secret && !controlledBy(secret, u)) throw new Refusal(notOwned(u));
    return secret;
  };

  /** Step: the password a SCRAM user has — referenced (read each time) or generated (kept in
   *  the user Secret) — and whether it is new to the Secret. */
  const password = async (
    u: KafkaUser,
    secret: SecretObject | undefined,
  ): Promise<{ password: string; hash?: string; changed: boolean }> => {
    const ref = u.spec.authentication.password?.secretKeyRef;
    if (!ref) {
      const kept = text(secret, USER_SECRET_KEYS.password);
      if (kept && !passwordProblem(kept)) return { password: kept, changed: false };
      return { password: random ? generatePassword(random) : generatePassword(), changed: true };
    }
    const ns = u.metadata.namespace ?? '';
    const source = await deps.client.get<SecretObject>(SecretResource, ns, ref.name);
    const value = text(source, ref.key);
    if (value === undefined) {
      throw new Refusal(
        refused(
          'PasswordSecretNotFound',
          source
            ? `Secret ${ref.name} has no key ${ref.key} (spec.authentication.password.secretKeyRef)`
            : `Secret ${ref.name} (spec.authentication.password.secretKeyRef, key ${ref.key}) does not exist in namespace ${ns}`,
        ),
      );
    }
    const problem = passwordProblem(value);
    if (problem) {
      throw new Refusal(
        refused(
          'PasswordInvalid',
          `the password in Secret ${ref.name}, key ${ref.key}: ${problem}`,
        ),
      );
    }
    const hash = secret ? passwordHash(secret, value) : undefined;
    return {
      password: value,
      ...(hash ? { hash } : {}),
      changed:
        hash === undefined || secret?.metadata?.annotations?.[PASSWORD_HASH_ANNOTATION] !== hash,
    };
  };

  /** Step: the client certificate a tls user has, or a new one and why. */
  const certificate = async (
    u: KafkaUser,
    cluster: KafkaCluster,
    secret: SecretObject | undefined,
  ) => {
    const ns = u.metadata.namespace ?? '';
    const caName = securitySecrets.clientsCa(u.spec.cluster);
    const ca = await deps.secrets.read(ns, caName);
    const caCert = ca?.['ca.crt'];
    const caKey = ca?.['ca.key'];
    if (!caCert || !caKey) {
      throw new Refusal(
        refused(
          'CertificatesPending',
          `the clients CA of KafkaCluster ${u.spec.cluster} (Secret ${caName}) is not there yet`,
        ),
      );
    }
    // A CA bundle (during a CA key replacement) starts with the current CA: it signs.
    const current = firstPem(caCert);
    const now = new Date(deps.clock.now());
    const certPem = text(secret, USER_SECRET_KEYS.userCert);
    const keyPem = text(secret, USER_SECRET_KEYS.userKey);
    const state = userCertificateState({
      certPem,
      keyPem,
      clientsCaCertPem: current,
      username: usernameOf(u),
      renewalDays: cluster.spec.certificates?.renewalDays ?? DEFAULT_RENEWAL_DAYS,
      now,
    });
    if (state.action === 'keep') {
      return { certPem: certPem!, keyPem: keyPem!, notAfter: state.notAfter, issued: undefined };
    }
    const issued = await issueUserCertificate({
      username: usernameOf(u),
      clientsCa: { certPem: current, keyPem: caKey },
      validityDays: cluster.spec.certificates?.validityDays ?? DEFAULT_VALIDITY_DAYS,
      now,
    });
    const renewed = userCertificateState({
      certPem: issued.certPem,
      keyPem: issued.keyPem,
      clientsCaCertPem: current,
      username: usernameOf(u),
      renewalDays: 0,
      now,
    });
    return {
      certPem: issued.certPem,
      keyPem: issued.keyPem,
      notAfter: renewed.action === 'keep' ? renewed.notAfter : undefined,
      issued: state.reason,
    };
  };

  /** Step: what Kafka holds for the principal. */
  const observeKafka = async (kafka: KafkaUserPort, username: string, withAcls: boolean) => {
    const [scram, acls, quotas] = await Promise.all([
      kafka.describeScramCredentials([username]),
      withAcls ? kafka.describeAcls(principalFilter(principalOf(username))) : Promise.resolve([]),
      kafka.describeUserQuotas([username]),
    ]);
    return {
      mechanisms: scramMechanisms(scram, username),
      acls,
      quotas: quotas.get(username) ?? {},
    };
  };

  /** Step: SCRAM credentials exactly as declared (Kafka first: the Secret follows). */
  const applyScram = async (
    kafka: KafkaUserPort,
    username: string,
    remove: readonly string[],
    upsert: string | undefined,
  ) => {
    // Kafka takes a user once per request: removals and the upsert go in separate requests.
    if (remove.length > 0) {
      for (const mechanism of remove) {
        await kafka.deleteScramCredential({ user: username, mechanism: mechanism as typeof SCRAM });
      }
    }
    if (upsert !== undefined) {
      await kafka.upsertScramCredential({ user: username, mechanism: SCRAM, password: upsert });
    }
  };

  /** Step: ACLs exactly as declared — the undeclared go first, then the missing are made. */
  const applyAcls = async (kafka: KafkaUserPort, plan: AclPlan) => {
    if (plan.deleteFilters.length > 0) {
      const results = await kafka.deleteAcls(plan.deleteFilters);
      const failed = results.find((r) => r.error);
      if (failed?.error) throw failed.error;
    }
    if (plan.create.length > 0) {
      const errors = await kafka.createAcls(plan.create);
      const failed = errors.find((e) => e !== undefined);
      if (failed) throw failed;
    }
  };

  /** Step: quotas exactly as declared. */
  const applyQuotas = async (kafka: KafkaUserPort, plan: QuotaPlan) => {
    if (!plan.change) return;
    const [result] = await kafka.alterUserQuotas([plan.change]);
    if (result?.error) throw result.error;
  };

  /** Step: the user Secret, written only when it would change. A Secret that is not there is
   *  created (never an apply: one somebody made meanwhile is not taken over); one that is, is
   *  applied on the condition that it is still the one read. */
  const writeSecret = async (
    u: KafkaUser,
    existing: SecretObject | undefined,
    data: Record<string, string>,
    annotations: Record<string, string>,
  ): Promise<SecretObject> => {
    const desired = userSecret(u, data, annotations);
    if (existing && sameSecret(existing, desired)) return existing;
    const ns = u.metadata.namespace ?? '';
    try {
      if (!existing) {
        return await deps.client.request<SecretObject>('POST', resourcePath(SecretResource, ns), {
          body: desired,
          query: { fieldManager },
        });
      }
      return await deps.client.request<SecretObject>(
        'PATCH',
        resourcePath(SecretResource, ns, secretNameOf(u)),
        {
          body: applyBody(
            {
              ...desired,
              metadata: {
                ...desired.metadata,
                resourceVersion: existing.metadata?.resourceVersion ?? '',
              },
            },
            true,
          ),
          contentType: 'application/apply-patch+yaml',
          query: { fieldManager, force: 'true' },
        },
      );
    } catch (e) {
      // Made (or changed) by someone else since the read: the next reconcile reads it anew.
      if (isConflict(e) || (e instanceof KubeApiError && e.statusCode === 409)) {
        const live = await deps.client.get<SecretObject>(SecretResource, ns, secretNameOf(u));
        if (live && !controlledBy(live, u)) throw new Refusal(notOwned(u));
      }
      throw e;
    }
  };

  const reconcile = async (key: string): Promise<ReconcileResult | undefined> => {
    const u = deps.users.get(key);
    if (!u || u.metadata.deletionTimestamp) return undefined;
    const log = deps.logger.child({ kafkauser: key });
    const username = usernameOf(u);
    const principal = principalOf(username);
    const facts: { -readonly [K in keyof UserFacts]: UserFacts[K] } = { username, principal };

    const cluster = clusterOf(u);
    const target = targetOf(u);
    const listener = cluster ? chooseUserListener(cluster, u.spec.authentication.type) : undefined;
    const stop = preflight({
      user: u,
      target,
      cluster,
      allUsers: deps.users.list(u.metadata.namespace),
      listener,
    });
    if (stop || !cluster || !target.ready || !listener || 'error' in listener) {
      const verdict =
        stop ?? refused('ClusterNotReady', `KafkaCluster ${u.spec.cluster} is not ready`);
      await report(u, verdict, facts);
      return USER_REASONS[verdict.reason as keyof typeof USER_REASONS]
        ? undefined
        : { requeueAfterMs: waitMs };
    }
    facts.bootstrapServers = listener.bootstrapServers;

    try {
      const kafka = await connect(cluster, target);
      const existing = await readUserSecret(u);
      const annotations: Record<string, string> = {};
      let credentials: UserCredentials;
      let upsert: string | undefined;
      let credential: 'created' | 'rotated' | 'restored' | undefined;
      let issued: string | undefined;
      let referencedHash: ((s: SecretObject) => string) | undefined;

      const observed = await observeKafka(kafka, username, Boolean(cluster.spec.authorization));
      const hasScram = observed.mechanisms.includes(SCRAM);
      if (u.spec.authentication.type === 'scram-sha-512') {
        const p = await password(u, existing);
        credentials = { type: 'scram-sha-512', username, password: p.password };
        if (p.changed || !hasScram) upsert = p.password;
        credential = !hasScram
          ? existing || u.status?.secret
            ? 'restored'
            : 'created'
          : p.changed
            ? u.spec.authentication.password
              ? 'rotated'
              : 'restored'
            : undefined;
        if (u.spec.authentication.password) {
          referencedHash = (s) => passwordHash(s, p.password);
          if (p.hash) annotations[PASSWORD_HASH_ANNOTATION] = p.hash;
        }
      } else {
        const c = await certificate(u, cluster, existing);
        credentials = { type: 'tls', username, certificatePem: c.certPem, privateKeyPem: c.keyPem };
        issued = c.issued;
        if (c.notAfter) facts.certificateNotAfter = c.notAfter;
      }
      const clusterCaPem = await clusterCa(u, listener);
      const data = renderUserSecretData({ credentials, listener, clusterCaPem });

      // Plan.
      const aclPlan = planAcls(
        desiredAcls(username, u.spec.authorization?.acls ?? []),
        observed.acls,
      );
      const quotaPlan = planQuotas(username, desiredQuotas(u.spec.quotas), observed.quotas);
      const removeMechanisms = observed.mechanisms.filter(
        (m) => u.spec.authentication.type === 'tls' || m !== SCRAM,
      );

      // Apply: Kafka, then the Secret.
      await applyScram(kafka, username, removeMechanisms, upsert);
      await applyAcls(kafka, aclPlan);
      await applyQuotas(kafka, quotaPlan);
      let written = await writeSecret(u, existing, data, annotations);
      if (
        referencedHash &&
        written.metadata?.annotations?.[PASSWORD_HASH_ANNOTATION] !== referencedHash(written)
      ) {
        // A new Secret: its uid is known only now.
        written = await writeSecret(u, written, data, {
          [PASSWORD_HASH_ANNOTATION]: referencedHash(written),
        });
      }
      facts.secret = written.metadata?.name ?? secretNameOf(u);

      // Report.
      const events = changeEvents({
        principal,
        specUnchanged: specUnchanged(u),
        acls: aclPlan,
        quotas: { change: quotaPlan.change, observed: observed.quotas },
        ...(credential ? { credential } : {}),
        ...(removeMechanisms.length > 0 ? { credentialsRemoved: removeMechanisms } : {}),
        ...(issued ? { certificate: issued } : {}),
      });
      for (const e of events) void deps.events.record(u, e.type, e.reason, 'Reconcile', e.message);
      if (events.length > 0) {
        log.info('kafka user changed', { events: events.map((e) => e.reason).join(',') });
      }
      await report(u, readyVerdict(), facts);
      return undefined;
    } catch (e) {
      return failed(u, facts, e);
    }
  };

  /** The ca.crt a TLS listener's clients trust: the cluster CA bundle. */
  const clusterCa = async (u: KafkaUser, listener: UserListener): Promise<string> => {
    if (listener.securityProtocol === 'SASL_PLAINTEXT') return '';
    const ns = u.metadata.namespace ?? '';
    const name = securitySecrets.clusterCaCert(u.spec.cluster);
    const ca = (await deps.secrets.read(ns, name))?.['ca.crt'];
    if (!ca) {
      throw new Refusal(
        refused(
          'CertificatesPending',
          `the cluster CA of KafkaCluster ${u.spec.cluster} (Secret ${name}) is not there yet`,
        ),
      );
    }
    return ca;
  };

  /** Every failure ends in Ready=False and an Event; Kafka unreachable and API errors also go
   *  back to the queue's backoff. */
  const failed = async (
    u: KafkaUser,
    facts: UserFacts,
    e: unknown,
  ): Promise<ReconcileResult | undefined> => {
    if (e instanceof Refusal) {
      await report(u, e.verdict, facts);
      const needsAction = USER_REASONS[e.verdict.reason as keyof typeof USER_REASONS];
      return needsAction ? undefined : { requeueAfterMs: waitMs };
    }
    if (e instanceof KafkaRequestError) {
      // Kafka's own words are the most useful message; asking again at once would not change
      // its mind.
      await report(u, refused('KafkaRefused', `Kafka refused: ${e.message}`), facts);
      return { requeueAfterMs: waitMs };
    }
    if (e instanceof KafkaUnavailableError) {
      await report(u, refused('KafkaUnavailable', e.message), facts);
    }
    throw e;
  };

  const finalize = async (u: KafkaUser): Promise<FinalizeResult<KafkaUser>> => {
    const target = targetOf(u);
    const cluster = clusterOf(u);
    // The cluster and its data are gone: nothing of the user is left anywhere.
    if (!target.ready && target.reason === 'ClusterNotFound') return { done: true };
    if (!target.ready || !cluster) return { done: false, requeueAfterMs: waitMs };
    const username = usernameOf(u);
    const principal = principalOf(username);
    // Whatever this KafkaUser never owned stays: a reserved principal (the operator, the nodes)
    // or a user name an older KafkaUser holds.
    if (
      reservedPrincipals(cluster).includes(principal) ||
      usernameHolder(
        u,
        deps.users.list(u.metadata.namespace).filter((o) => o.metadata.uid !== u.metadata.uid),
      ) !== undefined
    ) {
      return { done: true };
    }
    try {
      const kafka = await connect(cluster, target);
      const observed = await observeKafka(kafka, username, Boolean(cluster.spec.authorization));
      const acls = planAcls([], observed.acls);
      const quotas = planQuotas(username, {}, observed.quotas);
      await applyAcls(kafka, acls);
      await applyScram(kafka, username, observed.mechanisms, undefined);
      await applyQuotas(kafka, quotas);
      void deps.events.normal(
        u,
        'UserRemoved',
        'Finalize',
        `${principal} removed from Kafka: ${observed.mechanisms.length} SCRAM credential(s), ${acls.remove.length} ACL(s), ${quotas.differing.length} quota(s)`,
      );
      return { done: true };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof Refusal || e instanceof KafkaRequestError) {
        void deps.events.warning(
          u,
          e instanceof Refusal ? e.verdict.reason : 'KafkaRefused',
          'Finalize',
          `cannot remove ${principal} from Kafka yet: ${message}`,
        );
        return { done: false, requeueAfterMs: waitMs };
      }
      throw e;
    }
  };

  return {
    reconcile,
    finalizer: {
      name: USER_FINALIZER,
      // A user whose cluster cannot be reached has nothing in Kafka yet.
      needed: (u: KafkaUser) => targetOf(u).ready,
      finalize,
    },
  };
}

function notOwned(u: KafkaUser): Verdict {
  return refused(
    'SecretNotOwned',
    `Secret ${secretNameOf(u)} exists and is not controlled by this KafkaUser; the operator does not overwrite it: delete or rename it`,
  );
}

/** hex sha256 of (the user Secret's uid, ':', the password): a new Secret or a new password
 *  gives another hash. */
export function passwordHash(userSecret: KubeObject, password: string): string {
  return createHash('sha256')
    .update(`${userSecret.metadata?.uid ?? ''}:${password}`)
    .digest('hex');
}

/** The SCRAM mechanisms Kafka has for the user; none when it answers RESOURCE_NOT_FOUND. */
function scramMechanisms(described: readonly ScramUserDescription[], username: string): string[] {
  const mine = described.find((d) => d.user === username);
  if (!mine) return [];
  if (mine.error) {
    if (mine.error.code === 'RESOURCE_NOT_FOUND') return [];
    throw mine.error;
  }
  return mine.credentials.map((c) => c.mechanism).filter((m) => !m.startsWith('UNKNOWN'));
}

export function userSecret(
  u: KafkaUser,
  data: Record<string, string>,
  annotations: Record<string, string>,
): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secretNameOf(u),
      namespace: u.metadata.namespace ?? '',
      labels: {
        [CLUSTER_LABEL]: u.spec.cluster,
        [USER_LABEL]: u.metadata.name ?? '',
        [MANAGED_BY_LABEL]: 'kraftwerk',
      },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [controllerReference(u)],
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/** Whether the live Secret already says what `desired` says (data, labels, annotations, owner). */
function sameSecret(live: SecretObject, desired: SecretObject): boolean {
  // Keys, labels and annotations others added are theirs: only ours are compared. (An apply
  // drops keys of ours it no longer sends, e.g. `password` of a user turned tls.)
  const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) =>
    Object.entries(b ?? {}).every(([k, v]) => a?.[k] === v);
  return (
    sameMap(live.data, desired.data) &&
    sameMap(live.metadata?.labels, desired.metadata?.labels) &&
    sameMap(live.metadata?.annotations, desired.metadata?.annotations) &&
    controlledBy(live, { metadata: { uid: desired.metadata?.ownerReferences?.[0]?.uid ?? '' } })
  );
}

/** The first certificate of a bundle. */
function firstPem(bundle: string): string {
  const re = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/;
  const m = re.exec(bundle);
  return m ? (m[0].endsWith('\n') ? m[0] : `${m[0]}\n`) : bundle;
}
