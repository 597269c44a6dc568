// What a KafkaUser reconcile says, pure: the status (Ready and the kstatus conditions, the facts
// a client needs to find its Secret) and the Events of what changed in Kafka. Every Ready=False
// reason is in USER_REASONS with whether a person must act (Stalled) or it resolves by itself
// (Reconciling).
import type { KafkaUser, KafkaUserStatus } from '../api/kafka-user.ts';
import type { UserQuotaChange, UserQuotas } from '../kafka/user-port.ts';
import { setCondition, setKstatusConditions, type Condition } from '../runtime/conditions.ts';
import { describeAcls, type AclPlan } from './acl-plan.ts';
import { describeQuotaChange } from './quota-plan.ts';

/** Ready=False reasons and whether they wait for a person (true) or for time (false). */
export const USER_REASONS = {
  ClusterNotFound: false,
  ClusterNotReady: false,
  KafkaClusterSecuring: false,
  NoMatchingListener: true,
  AuthorizationDisabled: true,
  ReservedUsername: true,
  UsernameConflict: true,
  SecretNotOwned: true,
  PasswordSecretNotFound: true,
  PasswordInvalid: true,
  /** The cluster's CA Secrets are written by the cluster reconciler; wait for them. */
  CertificatesPending: false,
  KafkaRefused: true,
  KafkaUnavailable: false,
} as const satisfies Record<string, boolean>;

export type UserReason = keyof typeof USER_REASONS | 'Ready';

export interface Verdict {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: UserReason;
  readonly message: string;
}

export const readyVerdict = (
  message = 'credentials, ACLs and quotas are as declared',
): Verdict => ({
  status: 'True',
  reason: 'Ready',
  message,
});

export const refused = (reason: keyof typeof USER_REASONS, message: string): Verdict => ({
  status: 'False',
  reason,
  message,
});

/** What the status tells besides Ready; each fact left out keeps its previous value. */
export interface UserFacts {
  readonly username?: string;
  readonly principal?: string;
  readonly secret?: string;
  readonly bootstrapServers?: string;
  readonly certificateNotAfter?: string;
}

export function userStatus(
  u: KafkaUser,
  verdict: Verdict,
  facts: UserFacts,
  now: Date,
): KafkaUserStatus {
  const generation = u.metadata.generation ?? 0;
  const previous = (u.status?.conditions ?? []) as Condition[];
  const conditions = setKstatusConditions(
    setCondition(previous, { type: 'Ready', ...verdict, observedGeneration: generation }, now),
    verdict,
    verdict.reason !== 'Ready' && USER_REASONS[verdict.reason],
    generation,
    now,
  );
  const status: KafkaUserStatus = {
    ...(u.status ?? {}),
    observedGeneration: generation,
    conditions,
  };
  for (const k of [
    'username',
    'principal',
    'secret',
    'bootstrapServers',
    'certificateNotAfter',
  ] as const) {
    const v = facts[k];
    if (v !== undefined) status[k] = v;
  }
  if (u.spec.authentication.type !== 'tls') delete status.certificateNotAfter;
  return status;
}

/** Whether the spec has not changed since Kafka last matched it: differences now are drift
 *  (someone changed Kafka), not the spec's news. */
export function specUnchanged(u: KafkaUser): boolean {
  const ready = u.status?.conditions?.find((c) => c.type === 'Ready');
  return u.status?.observedGeneration === u.metadata.generation && ready?.status === 'True';
}

export interface UserEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface AppliedChanges {
  readonly principal: string;
  readonly specUnchanged: boolean;
  readonly acls: AclPlan;
  readonly quotas: { readonly change: UserQuotaChange | undefined; readonly observed: UserQuotas };
  /** The SCRAM credential written, and why. */
  readonly credential?: 'created' | 'rotated' | 'restored';
  /** SCRAM credentials of other mechanisms (or of a tls user) removed. */
  readonly credentialsRemoved?: readonly string[];
  /** A new client certificate, and why. */
  readonly certificate?: string;
}

/**
 * Events of a reconcile that changed Kafka. Changes that follow the spec are Normal; changes
 * that undo what someone did outside (the spec is unchanged since Kafka last matched it) are
 * Warnings: ACLs added outside are reported as AclsRemoved, a quota set outside as
 * QuotasCorrected.
 */
export function changeEvents(c: AppliedChanges): UserEvent[] {
  const drift = c.specUnchanged;
  const events: UserEvent[] = [];
  if (c.credential === 'created') {
    events.push({
      type: 'Normal',
      reason: 'CredentialsCreated',
      message: `SCRAM-SHA-512 credential of ${c.principal} created`,
    });
  } else if (c.credential === 'rotated') {
    events.push({
      type: 'Normal',
      reason: 'PasswordRotated',
      message: `the password Secret changed: SCRAM-SHA-512 credential of ${c.principal} replaced`,
    });
  } else if (c.credential === 'restored') {
    events.push({
      type: 'Warning',
      reason: 'CredentialsRestored',
      message: `Kafka had no SCRAM-SHA-512 credential of ${c.principal} (removed outside, or the user Secret was recreated): written again`,
    });
  }
  if (c.credentialsRemoved && c.credentialsRemoved.length > 0) {
    events.push({
      type: 'Warning',
      reason: 'CredentialsRemoved',
      message: `SCRAM credentials of ${c.principal} that the KafkaUser does not declare removed: ${c.credentialsRemoved.join(', ')}`,
    });
  }
  if (c.certificate) {
    events.push({
      type: 'Normal',
      reason: 'CertificateIssued',
      message: `client certificate of ${c.principal} issued: ${c.certificate}`,
    });
  }
  if (c.acls.remove.length > 0) {
    events.push({
      type: drift ? 'Warning' : 'Normal',
      reason: 'AclsRemoved',
      message: drift
        ? `${c.acls.remove.length} ACL(s) of ${c.principal} not declared in the KafkaUser (added outside) removed: ${describeAcls(c.acls.remove)}`
        : `${c.acls.remove.length} ACL(s) of ${c.principal} no longer declared removed: ${describeAcls(c.acls.remove)}`,
    });
  }
  if (c.acls.create.length > 0) {
    events.push({
      type: drift ? 'Warning' : 'Normal',
      reason: drift ? 'AclsRestored' : 'AclsCreated',
      message: drift
        ? `${c.acls.create.length} declared ACL(s) of ${c.principal} were missing in Kafka (removed outside) and are created again: ${describeAcls(c.acls.create)}`
        : `${c.acls.create.length} ACL(s) of ${c.principal} created: ${describeAcls(c.acls.create)}`,
    });
  }
  if (c.quotas.change) {
    events.push({
      type: drift ? 'Warning' : 'Normal',
      reason: drift ? 'QuotasCorrected' : 'QuotasUpdated',
      message: `${drift ? 'quotas changed outside set back' : 'quotas'} of ${c.principal}: ${describeQuotaChange(c.quotas.change, c.quotas.observed)}`,
    });
  }
  return events;
}
