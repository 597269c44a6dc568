// When to (re)issue the certificates of one CA and its leaves, and in which order, so that no
// client or peer is ever cut off. Pure: a function of parsed certificate facts and `now`.
//
// Replacing a CA key takes three rolls, one phase each; the planner works out the phase from
// what is stored, so a restarted operator resumes where it was:
//   1. trust-both: issue the new CA (the old one becomes `previous`), publish a trust bundle
//      with both, roll. Leaves stay signed by the old CA: nobody trusts the new one yet.
//   2. reissue-leaves: once every pod trusts both, re-issue every leaf with the new CA, roll.
//   3. drop-old-ca: once every leaf comes from the new CA and the pods run it, forget the old
//      CA and publish a bundle with the new one alone, roll.
import type { SubjectAltNames } from './sans.ts';
import { missingSans } from './sans.ts';

const DAY_MS = 86_400_000;

export interface CaFacts {
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

export interface LeafFacts {
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  /** Which stored CA signed it (certificateFacts checks against the candidates). */
  issuerFingerprint: string | undefined;
}

export interface LeafState {
  /** The caller's name for the leaf, e.g. the Secret it lives in. */
  name: string;
  /** The names it must cover now. */
  wanted: SubjectAltNames;
  /** Undefined when no certificate is stored yet. */
  current: LeafFacts | undefined;
}

export type ForceRenewal = 'leaves' | 'ca';

export interface PlanCertificatesInput {
  now: Date;
  /** The CA that signs; `previous` is set only while a key replacement is under way. */
  ca: { current: CaFacts | undefined; previous: CaFacts | undefined };
  /** Fingerprints in the published trust bundle. */
  trusted: readonly string[];
  leaves: readonly LeafState[];
  /** Re-issue a leaf this many days before its end (one roll). */
  renewalDays: number;
  /**
   * Start replacing the CA key this many days before the CA's end (three rolls). Kept apart
   * from renewalDays so a CA can live much longer than its leaves: the routine renewal is
   * then a leaf re-issue, and a key replacement is rare.
   */
  caRenewalDays: number;
  /**
   * True when every pod runs with the certificates and bundle stored now (the shell compares
   * the hash it stamps on the pod template with what the pods run). A phase of a CA
   * replacement starts only after the previous one has rolled out.
   */
  rolledOut: boolean;
  /** From the force-renewal annotation; the shell clears it once the plan is applied. */
  forceRenewal?: ForceRenewal;
}

export type CaRef = 'current' | 'previous';

export type CertificateStep =
  /** Generate a CA; an existing current CA becomes `previous`. */
  | { kind: 'issue-ca'; reason: string }
  | { kind: 'issue-leaf'; name: string; signer: CaRef; reason: string }
  /** Write the trust bundle with these CAs (resolved after any issue-ca of the same plan). */
  | { kind: 'publish-trust'; cas: CaRef[] }
  /** Forget the previous CA (certificate and key). */
  | { kind: 'drop-previous-ca' }
  /** Roll the pods with the safe roller; the next phase waits until it has finished. */
  | { kind: 'roll'; reason: string };

export type CertificatePhase =
  'initial' | 'steady' | 'trust-both' | 'reissue-leaves' | 'drop-old-ca';

export interface CertificatePlan {
  phase: CertificatePhase;
  steps: CertificateStep[];
  /** A phase is done on the stores but not yet on the pods: nothing to do but wait. */
  waitingForRoll: boolean;
}

export function planCertificates(input: PlanCertificatesInput): CertificatePlan {
  const { current, previous } = input.ca;
  if (current === undefined) return initialPlan(input);
  if (previous !== undefined) return replacementPlan(input, current, previous);

  const caReason =
    input.forceRenewal === 'ca'
      ? 'renewal forced by annotation'
      : expiryReason('the CA', current.notAfter, input.now, input.caRenewalDays);
  if (caReason !== undefined) {
    // Phase 1. Leaves that must be renewed meanwhile are signed by the old CA, the only one
    // every pod trusts until the roll has finished.
    return {
      phase: 'trust-both',
      steps: [
        { kind: 'issue-ca', reason: caReason },
        { kind: 'publish-trust', cas: ['previous', 'current'] },
        ...leafSteps(input, current, 'previous'),
        { kind: 'roll', reason: `new CA (${caReason}): pods must trust old and new` },
      ],
      waitingForRoll: false,
    };
  }

  const steps: CertificateStep[] = [];
  if (!sameSet(input.trusted, [current.fingerprint])) {
    steps.push({ kind: 'publish-trust', cas: ['current'] });
  }
  steps.push(...leafSteps(input, current, 'current'));
  return withRoll('steady', steps, 'certificates re-issued');
}

function initialPlan(input: PlanCertificatesInput): CertificatePlan {
  // Nothing trusts anything yet: issue all at once, nothing to roll between.
  return {
    phase: 'initial',
    steps: [
      { kind: 'issue-ca', reason: 'no CA yet' },
      { kind: 'publish-trust', cas: ['current'] },
      ...input.leaves.map((l) => ({
        kind: 'issue-leaf' as const,
        name: l.name,
        signer: 'current' as const,
        reason: 'no CA yet',
      })),
    ],
    waitingForRoll: false,
  };
}

function replacementPlan(
  input: PlanCertificatesInput,
  current: CaFacts,
  previous: CaFacts,
): CertificatePlan {
  const trustsBoth = sameSet(input.trusted, [previous.fingerprint, current.fingerprint]);
  const fromOld = input.leaves.filter((l) => l.current?.issuerFingerprint !== current.fingerprint);
  if (!trustsBoth && fromOld.length > 0) {
    // Phase 1 was interrupted before the bundle was written.
    return {
      phase: 'trust-both',
      steps: [
        { kind: 'publish-trust', cas: ['previous', 'current'] },
        ...leafSteps(input, previous, 'previous'),
        { kind: 'roll', reason: 'new CA: pods must trust old and new' },
      ],
      waitingForRoll: false,
    };
  }
  if (!input.rolledOut) {
    return {
      phase: fromOld.length > 0 ? 'trust-both' : 'reissue-leaves',
      steps: [],
      waitingForRoll: true,
    };
  }
  if (fromOld.length > 0) {
    return {
      phase: 'reissue-leaves',
      steps: [
        ...fromOld.map((l) => ({
          kind: 'issue-leaf' as const,
          name: l.name,
          signer: 'current' as const,
          reason: 'CA key replacement: signed by the new CA',
        })),
        { kind: 'roll', reason: 'leaves re-issued by the new CA' },
      ],
      waitingForRoll: false,
    };
  }
  return {
    phase: 'drop-old-ca',
    steps: [
      { kind: 'drop-previous-ca' },
      { kind: 'publish-trust', cas: ['current'] },
      { kind: 'roll', reason: 'old CA no longer trusted' },
    ],
    waitingForRoll: false,
  };
}

/** The leaves to re-issue, checked against `signer` (the CA that is trusted everywhere). */
function leafSteps(input: PlanCertificatesInput, ca: CaFacts, signer: CaRef): CertificateStep[] {
  const steps: CertificateStep[] = [];
  for (const leaf of input.leaves) {
    const reason = leafReason(input, leaf, ca);
    if (reason !== undefined) steps.push({ kind: 'issue-leaf', name: leaf.name, signer, reason });
  }
  return steps;
}

function leafReason(
  input: PlanCertificatesInput,
  leaf: LeafState,
  ca: CaFacts,
): string | undefined {
  const facts = leaf.current;
  if (facts === undefined) return 'no certificate yet';
  if (input.forceRenewal === 'leaves') return 'renewal forced by annotation';
  if (facts.issuerFingerprint !== ca.fingerprint) return 'not signed by the current CA';
  const missing = missingSans(leaf.wanted, facts);
  if (missing.length > 0) return `does not cover ${missing.join(', ')}`;
  // A leaf ends no later than its CA (issueLeaf clips it). One that ends with its CA cannot
  // be extended by re-issuing it from that CA (it would come out the same, due again at the
  // next reconcile: a roll per reconcile); the CA's replacement renews it. An expired one
  // is re-issued all the same: it is useless as it is.
  if (facts.notAfter >= ca.notAfter && facts.notAfter > input.now) return undefined;
  return expiryReason('the certificate', facts.notAfter, input.now, input.renewalDays);
}

function expiryReason(
  what: string,
  notAfter: Date,
  now: Date,
  windowDays: number,
): string | undefined {
  if (notAfter.getTime() - now.getTime() > windowDays * DAY_MS) return undefined;
  return notAfter <= now
    ? `${what} expired at ${notAfter.toISOString()}`
    : `${what} expires at ${notAfter.toISOString()}, within ${windowDays} renewal days`;
}

function withRoll(
  phase: CertificatePhase,
  steps: CertificateStep[],
  reason: string,
): CertificatePlan {
  // A leaf issued where there was none (a new role) needs no roll: no pod runs without it.
  const changesRunningPods = steps.some(
    (s) =>
      s.kind === 'publish-trust' || (s.kind === 'issue-leaf' && s.reason !== 'no certificate yet'),
  );
  if (changesRunningPods) steps.push({ kind: 'roll', reason });
  return { phase, steps, waitingForRoll: false };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((x) => a.includes(x));
}
