// The certificate Secrets of a secured KafkaCluster (docs/security.md, "Certificates"): which to
// write, with what, and the certificates hash each role's pods must run with. Pure. The renewal
// decisions are pki's planCertificates (incl. the three-phase CA key replacement); this module
// maps Secrets to its input and its steps back to Secrets.
//
// Issuing is random and async, so it is split in two, both pure over the same input:
//   certificateRequests(input)            → what to issue (CAs, leaves, and with which signer)
//   planCertificateSecrets(input, issued) → Secrets to write, hashes, condition, Events
// The shell (apply/certificates.ts) issues the requests between the two calls.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { IssuedCertificate, LeafUsage } from '../../pki/certificates.ts';
import { certificateFacts } from '../../pki/facts.ts';
import {
  planCertificates,
  type CaFacts,
  type CertificatePlan,
  type ForceRenewal,
  type LeafState,
} from '../../pki/renewal-plan.ts';
import { nodeSans, type SubjectAltNames } from '../../pki/sans.ts';
import type { ClusterModel } from '../model/cluster-model.ts';
import type { Role } from '../model/node-layout.ts';
import {
  NODE_CERT_FILES,
  OPERATOR_COMMON_NAME,
  RENEW_CERTIFICATES_ANNOTATION,
  nodeCommonName,
  securitySecrets,
} from '../model/security.ts';

/** A Secret as the planner sees it: decoded data, and whether this cluster controls it. */
export interface ObservedSecret {
  /** ownerReference controller=true to this KafkaCluster. */
  owned: boolean;
  /** Decoded (UTF-8) values. */
  data: Record<string, string>;
  resourceVersion: string;
}

export interface CertificateInput {
  model: ClusterModel;
  /** spec.replicas of the StatefulSets that exist: a shrinking role's pods stay covered. */
  currentReplicas: Partial<Record<Role, number>>;
  /** Every Secret of CONTRACT (securitySecrets) by name; a name not here does not exist. */
  secrets: Readonly<Record<string, ObservedSecret | undefined>>;
  now: Date;
  /** The KafkaCluster's RENEW_CERTIFICATES_ANNOTATION, if set. */
  renewAnnotation: string | undefined;
  /** Per StatefulSet name: the certificates-hash annotation of each of its pods. */
  podHashes: Readonly<Record<string, readonly (string | undefined)[]>>;
}

export type CaName = 'cluster' | 'clients';

export type IssueRequest =
  | { id: string; kind: 'ca'; commonName: string; validityDays: number }
  | {
      id: string;
      kind: 'leaf';
      /** A CA issued by a request of the same batch (its id), or a stored one. */
      signer: { request: string } | { stored: IssuedCertificate };
      commonName: string;
      sans: SubjectAltNames;
      usage: LeafUsage;
      validityDays: number;
    };

/** What the shell issued, by request id. */
export type Issued = Readonly<Record<string, IssuedCertificate>>;

export interface SecretWrite {
  name: string;
  /** Absent now: create (a 409 means someone else made it; never overwrite). */
  create: boolean;
  /** The full data the Secret is to hold. */
  data: Record<string, string>;
  /** Keys stored now that are to go (a merge patch sets them to null). */
  removeKeys: string[];
  /** The version read: the patch is refused if the Secret changed since. */
  resourceVersion?: string;
}

export interface CertificateCondition {
  type: 'CertificatesReady';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface CertificateEvent {
  type: 'Normal' | 'Warning';
  reason:
    | 'CertificatesIssued'
    | 'CertificatesRenewed'
    | 'CaReplacementStarted'
    | 'CaReplacementDone'
    | 'SecretNotOwned'
    | 'CaSecretInvalid'
    | 'InvalidAnnotation';
  note: string;
}

export interface CertificateSecretsPlan {
  /** In order: trust bundles, then CAs, then leaves (see `certificateSecretNames`). */
  writes: SecretWrite[];
  /** Per StatefulSet name: the hash its pod template carries (after the writes). */
  hashes: Record<string, string>;
  /** The same for what is stored now: what to render when the writes did not go through. */
  storedHashes: Record<string, string>;
  /** The renew annotation was honoured: remove it once the writes are stored. */
  removeAnnotation: boolean;
  condition: CertificateCondition;
  /** To record once the writes are stored (warnings: at once). */
  events: CertificateEvent[];
}

// The schema's defaults, for a KafkaCluster stored under a CRD older than a field.
const DEFAULT_VALIDITY_DAYS = 365;
const DEFAULT_RENEWAL_DAYS = 30;
const DEFAULT_CA_VALIDITY_DAYS = 1825;
const DEFAULT_CA_RENEWAL_DAYS = 90;
const CA_CERT = 'ca.crt';
const CA_KEY = 'ca.key';
const CA_PREVIOUS = 'ca-previous.crt';
const HASH_HEX_LENGTH = 16;

/**
 * The names of every Secret a secured cluster has (the shell GETs each by name), in the order
 * they are written. Trust before use: the bundles first (a new CA is trusted before anything it
 * signed is stored), then the CAs, then the leaves. A write that fails leaves a state the next
 * reconcile plans from again.
 */
export function certificateSecretNames(model: ClusterModel): string[] {
  const c = model.ref.name;
  return [
    securitySecrets.clusterCaCert(c),
    securitySecrets.clientsCaCert(c),
    securitySecrets.clusterCa(c),
    securitySecrets.clientsCa(c),
    securitySecrets.operatorCerts(c),
    ...model.layouts.map((l) => securitySecrets.nodeCerts(l.statefulSetName)),
  ];
}

// ---- What is stored ------------------------------------------------------------------------

interface StoredCa {
  current: IssuedCertificate | undefined;
  /** Certificate only: the key of a replaced CA is not kept. */
  previous: string | undefined;
  /** The PEM blocks of the published bundle. */
  bundle: string[];
}

interface LeafSpec {
  /** The Secret it lives in. */
  secret: string;
  commonName: string;
  sans: SubjectAltNames;
  usage: LeafUsage;
  stored: IssuedCertificate | undefined;
}

interface Decision {
  problem?: { reason: 'SecretNotOwned' | 'CaSecretInvalid'; message: string };
  force: ForceRenewal | undefined;
  invalidAnnotation: string | undefined;
  validityDays: number;
  cas: Record<CaName, { stored: StoredCa; plan: CertificatePlan }>;
  leaves: LeafSpec[];
  requests: IssueRequest[];
}

/** The certificates to issue before planCertificateSecrets can say what to write. */
export function certificateRequests(input: CertificateInput): IssueRequest[] {
  return decide(input).requests;
}

function decide(input: CertificateInput): Decision {
  const { model, now } = input;
  const c = model.ref.name;
  const validityDays = model.spec.certificates?.validityDays ?? DEFAULT_VALIDITY_DAYS;
  const renewalDays = model.spec.certificates?.renewalDays ?? DEFAULT_RENEWAL_DAYS;
  // CAs live longer than their leaves, so the routine renewal is a leaf re-issue (one roll)
  // and a CA key replacement (three rolls) is rare.
  const caValidityDays = model.spec.certificates?.caValidityDays ?? DEFAULT_CA_VALIDITY_DAYS;
  const caRenewalDays = model.spec.certificates?.caRenewalDays ?? DEFAULT_CA_RENEWAL_DAYS;
  const annotation = input.renewAnnotation;
  const force = annotation === 'leaves' || annotation === 'ca' ? annotation : undefined;
  const invalidAnnotation =
    annotation !== undefined && force === undefined ? annotation : undefined;

  const foreign = certificateSecretNames(model).filter((n) => input.secrets[n]?.owned === false);
  const none: CertificatePlan = { phase: 'steady', steps: [], waitingForRoll: false };
  const noCa: StoredCa = { current: undefined, previous: undefined, bundle: [] };
  const blocked = (problem: NonNullable<Decision['problem']>): Decision => ({
    problem,
    force,
    invalidAnnotation,
    validityDays,
    cas: { cluster: { stored: noCa, plan: none }, clients: { stored: noCa, plan: none } },
    leaves: [],
    requests: [],
  });
  if (foreign.length > 0) {
    return blocked({
      reason: 'SecretNotOwned',
      message: `Secret(s) ${foreign.join(', ')} exist but are not controlled by this KafkaCluster; the operator never overwrites them: delete or rename them`,
    });
  }
  const cluster = readCa(
    input.secrets,
    securitySecrets.clusterCa(c),
    securitySecrets.clusterCaCert(c),
  );
  const clients = readCa(
    input.secrets,
    securitySecrets.clientsCa(c),
    securitySecrets.clientsCaCert(c),
  );
  const invalid = [cluster, clients].filter((r): r is { invalid: string } => 'invalid' in r);
  if (invalid.length > 0) {
    return blocked({
      reason: 'CaSecretInvalid',
      message: invalid.map((r) => r.invalid).join('; '),
    });
  }
  const stored = {
    cluster: (cluster as { ca: StoredCa }).ca,
    clients: (clients as { ca: StoredCa }).ca,
  };

  const leaves = leafSpecs(input);
  const rolledOut = isRolledOut(input);
  const requests: IssueRequest[] = [];
  const cas = {} as Decision['cas'];
  for (const name of ['cluster', 'clients'] as const) {
    const ca = stored[name];
    const caPems = [ca.current?.certPem, ca.previous].filter((p): p is string => p !== undefined);
    const myLeaves = name === 'cluster' ? leaves : [];
    const plan = planCertificates({
      now,
      ca: { current: caFacts(ca.current?.certPem), previous: caFacts(ca.previous) },
      trusted: ca.bundle.map(fingerprint),
      leaves: myLeaves.map((l): LeafState => ({
        name: l.secret,
        wanted: l.sans,
        current: l.stored ? certificateFacts(l.stored.certPem, caPems) : undefined,
      })),
      renewalDays,
      caRenewalDays,
      rolledOut,
      ...(force ? { forceRenewal: force } : {}),
    });
    cas[name] = { stored: ca, plan };
    const caRequest = `ca:${name}`;
    const newCa = plan.steps.some((s) => s.kind === 'issue-ca');
    if (newCa) {
      requests.push({
        id: caRequest,
        kind: 'ca',
        commonName: caCommonName(c, name, now),
        validityDays: caValidityDays,
      });
    }
    for (const step of plan.steps) {
      if (step.kind !== 'issue-leaf') continue;
      const leaf = myLeaves.find((l) => l.secret === step.name)!;
      // 'current' is the CA issued in this plan if there is one; 'previous' is then the stored
      // current CA. Without a new CA, 'previous' is a replaced CA whose key is not kept: the
      // leaf waits for the next phase, which re-issues it with the new CA anyway.
      const signer =
        step.signer === 'current'
          ? newCa
            ? { request: caRequest }
            : ca.current && { stored: ca.current }
          : newCa
            ? ca.current && { stored: ca.current }
            : undefined;
      if (!signer) continue;
      requests.push({
        id: `leaf:${leaf.secret}`,
        kind: 'leaf',
        signer,
        commonName: leaf.commonName,
        sans: leaf.sans,
        usage: leaf.usage,
        validityDays,
      });
    }
  }
  return { force, invalidAnnotation, validityDays, cas, leaves, requests };
}

function readCa(
  secrets: CertificateInput['secrets'],
  caName: string,
  bundleName: string,
): { ca: StoredCa } | { invalid: string } {
  const secret = secrets[caName];
  const bundle = pemBlocks(secrets[bundleName]?.data[CA_CERT] ?? '').filter(isCertificate);
  if (!secret) return { ca: { current: undefined, previous: undefined, bundle } };
  const certPem = secret.data[CA_CERT];
  const keyPem = secret.data[CA_KEY];
  // A CA Secret that lost its contents is not silently replaced: every client trusting the CA
  // would be cut off. Say what is wrong, never what the key holds.
  if (certPem === undefined || !isCertificate(certPem)) {
    return { invalid: `Secret ${caName}: ${CA_CERT} is missing or not a PEM certificate` };
  }
  if (keyPem === undefined || !keyMatches(certPem, keyPem)) {
    return {
      invalid: `Secret ${caName}: ${CA_KEY} is missing, not a PEM private key, or not the key of ${CA_CERT}`,
    };
  }
  const previous = secret.data[CA_PREVIOUS];
  if (previous !== undefined && !isCertificate(previous)) {
    return { invalid: `Secret ${caName}: ${CA_PREVIOUS} is not a PEM certificate` };
  }
  return { ca: { current: { certPem, keyPem }, previous, bundle } };
}

function leafSpecs(input: CertificateInput): LeafSpec[] {
  const { model } = input;
  const { ref, spec } = model;
  const storedLeaf = (secret: string): IssuedCertificate | undefined => {
    const data = input.secrets[secret]?.data;
    const certPem = data?.[NODE_CERT_FILES.certificate];
    const keyPem = data?.[NODE_CERT_FILES.key];
    // An unreadable or mismatched pair is as good as none: it is issued again.
    if (certPem === undefined || keyPem === undefined || !isCertificate(certPem)) return undefined;
    return keyMatches(certPem, keyPem) ? { certPem, keyPem } : undefined;
  };
  const advertisedHosts = spec.listeners.flatMap((l) =>
    l.type === 'nodeport' && l.advertisedHost ? [l.advertisedHost] : [],
  );
  const nodes = model.layouts.map((l): LeafSpec => {
    const secret = securitySecrets.nodeCerts(l.statefulSetName);
    return {
      secret,
      commonName: nodeCommonName(l),
      sans: nodeSans({
        clusterName: ref.name,
        namespace: ref.namespace,
        role: l.role,
        replicas: Math.max(model.desired[l.role] ?? 0, input.currentReplicas[l.role] ?? 0),
        bootstrapService: l.isBroker,
        advertisedHosts: l.isBroker ? advertisedHosts : [],
      }),
      usage: 'both',
      stored: storedLeaf(secret),
    };
  });
  const operatorSecret = securitySecrets.operatorCerts(ref.name);
  return [
    ...nodes,
    {
      secret: operatorSecret,
      commonName: OPERATOR_COMMON_NAME,
      sans: { dnsNames: [], ipAddresses: [] },
      usage: 'client',
      stored: storedLeaf(operatorSecret),
    },
  ];
}

/** Every pod runs what is stored now (its template's hash is that of its role's Secret). */
function isRolledOut(input: CertificateInput): boolean {
  const stored = hashesOf(input.model, (name) => input.secrets[name]?.data);
  return Object.entries(input.podHashes).every(([sts, pods]) =>
    pods.every((h) => h !== undefined && h === stored[sts]),
  );
}

// ---- What to write -------------------------------------------------------------------------

export function planCertificateSecrets(
  input: CertificateInput,
  issued: Issued,
): CertificateSecretsPlan {
  const d = decide(input);
  const storedHashes = hashesOf(input.model, (name) => input.secrets[name]?.data);
  const warnings: CertificateEvent[] = [];
  if (d.invalidAnnotation !== undefined) {
    warnings.push({
      type: 'Warning',
      reason: 'InvalidAnnotation',
      note: invalidAnnotationMessage(d.invalidAnnotation),
    });
  }
  if (d.problem) {
    return {
      writes: [],
      hashes: storedHashes,
      storedHashes,
      removeAnnotation: false,
      condition: {
        type: 'CertificatesReady',
        status: 'False',
        reason: d.problem.reason,
        message: d.problem.message,
      },
      events: [{ type: 'Warning', reason: d.problem.reason, note: d.problem.message }, ...warnings],
    };
  }
  const missing = d.requests.filter((r) => issued[r.id] === undefined).map((r) => r.id);
  if (missing.length > 0) throw new Error(`not issued: ${missing.join(', ')}`);

  // Files end with a newline; a lone CA's ca.crt then equals the bundle holding only it.
  const normalized = Object.fromEntries(
    Object.entries(issued).map(([id, i]) => [
      id,
      { certPem: withNewline(i.certPem), keyPem: withNewline(i.keyPem) },
    ]),
  );
  const desired = desiredSecrets(input, d, normalized);
  const writes = certificateSecretNames(input.model).flatMap((name): SecretWrite[] => {
    const data = desired[name]!;
    const stored = input.secrets[name];
    if (stored && sameData(stored.data, data)) return [];
    return [
      {
        name,
        create: stored === undefined,
        data,
        removeKeys: stored ? Object.keys(stored.data).filter((k) => !(k in data)) : [],
        ...(stored ? { resourceVersion: stored.resourceVersion } : {}),
      },
    ];
  });
  const hashes = hashesOf(input.model, (name) => desired[name]);
  const clusterPlan = d.cas.cluster.plan;
  const honoured =
    d.force === 'ca' ||
    clusterPlan.phase === 'initial' ||
    clusterPlan.phase === 'steady' ||
    clusterPlan.steps.some((s) => s.kind === 'issue-ca');
  return {
    writes,
    hashes,
    storedHashes,
    removeAnnotation: d.force !== undefined && honoured,
    condition: condition(input, d, hashes),
    events: [...warnings, ...progressEvents(d)],
  };
}

function desiredSecrets(
  input: CertificateInput,
  d: Decision,
  issued: Issued,
): Record<string, Record<string, string>> {
  const c = input.model.ref.name;
  const out: Record<string, Record<string, string>> = {};
  const bundles = {} as Record<CaName, string>;
  for (const name of ['cluster', 'clients'] as const) {
    const { stored, plan } = d.cas[name];
    let current = stored.current;
    let previous = stored.previous;
    let bundle = stored.bundle;
    for (const step of plan.steps) {
      if (step.kind === 'issue-ca') {
        previous = current?.certPem;
        current = issued[`ca:${name}`];
      } else if (step.kind === 'drop-previous-ca') {
        previous = undefined;
      } else if (step.kind === 'publish-trust') {
        // The newest first: what a reader shows first is what signs now.
        const pems = { current: current?.certPem, previous };
        bundle = (['current', 'previous'] as const)
          .filter((ref) => step.cas.includes(ref))
          .map((ref) => pems[ref])
          .filter((p): p is string => p !== undefined);
      }
    }
    const [caSecret, caCertSecret] =
      name === 'cluster'
        ? [securitySecrets.clusterCa(c), securitySecrets.clusterCaCert(c)]
        : [securitySecrets.clientsCa(c), securitySecrets.clientsCaCert(c)];
    out[caSecret] = {
      [CA_CERT]: current!.certPem,
      [CA_KEY]: current!.keyPem,
      ...(previous !== undefined ? { [CA_PREVIOUS]: previous } : {}),
    };
    bundles[name] = joinPem(bundle);
    out[caCertSecret] = { [CA_CERT]: bundles[name] };
  }
  for (const leaf of d.leaves) {
    const pair = issued[`leaf:${leaf.secret}`] ?? leaf.stored;
    // A leaf with neither (its signer's key is gone) keeps what is stored, or waits.
    const stored = input.secrets[leaf.secret]?.data;
    if (!pair) {
      if (stored) out[leaf.secret] = { ...stored };
      continue;
    }
    out[leaf.secret] =
      leaf.secret === securitySecrets.operatorCerts(c)
        ? { 'tls.crt': pair.certPem, 'tls.key': pair.keyPem, 'ca.crt': bundles.cluster }
        : {
            [NODE_CERT_FILES.keystore]: joinPem([pair.keyPem, pair.certPem]),
            [NODE_CERT_FILES.certificate]: pair.certPem,
            [NODE_CERT_FILES.key]: pair.keyPem,
            [NODE_CERT_FILES.clusterCa]: bundles.cluster,
            [NODE_CERT_FILES.clientsCa]: bundles.clients,
          };
  }
  return out;
}

/**
 * sha256 over what a role's pods read (its certificate and both CA bundles), short hex: the
 * pod template annotation; a change rolls the role. Keys are left out: a new certificate
 * always comes with a new key.
 */
export function certificatesHash(data: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const key of [
    NODE_CERT_FILES.certificate,
    NODE_CERT_FILES.clusterCa,
    NODE_CERT_FILES.clientsCa,
  ]) {
    h.update(`${key}\0${data[key] ?? ''}\0`);
  }
  return h.digest('hex').slice(0, HASH_HEX_LENGTH);
}

function hashesOf(
  model: ClusterModel,
  dataOf: (secret: string) => Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of model.layouts) {
    const data = dataOf(securitySecrets.nodeCerts(l.statefulSetName));
    if (data?.[NODE_CERT_FILES.certificate] !== undefined) {
      out[l.statefulSetName] = certificatesHash(data);
    }
  }
  return out;
}

// ---- Condition and Events ------------------------------------------------------------------

function condition(
  input: CertificateInput,
  d: Decision,
  hashes: Record<string, string>,
): CertificateCondition {
  const t = 'CertificatesReady' as const;
  if (d.invalidAnnotation !== undefined) {
    return {
      type: t,
      status: 'False',
      reason: 'InvalidAnnotation',
      message: invalidAnnotationMessage(d.invalidAnnotation),
    };
  }
  const replacing = (['cluster', 'clients'] as const).filter((n) => {
    const phase = d.cas[n].plan.phase;
    return phase === 'trust-both' || phase === 'reissue-leaves' || phase === 'drop-old-ca';
  });
  const stale = Object.entries(input.podHashes).filter(([sts, pods]) =>
    pods.some((h) => h !== hashes[sts]),
  );
  if (replacing.length > 0 || stale.length > 0) {
    const parts = [
      ...replacing.map((n) => `${n} CA key replacement: ${d.cas[n].plan.phase}`),
      ...(stale.length > 0
        ? [`pods of ${stale.map(([s]) => s).join(', ')} to restart onto the current certificates`]
        : []),
    ];
    return { type: t, status: 'False', reason: 'CertificatesPending', message: parts.join('; ') };
  }
  const ends = d.leaves
    .map((l) => l.stored?.certPem)
    .filter((p): p is string => p !== undefined)
    .map((p) => new X509Certificate(p).validToDate.getTime());
  const earliest = ends.length > 0 ? new Date(Math.min(...ends)).toISOString() : undefined;
  return {
    type: t,
    status: 'True',
    reason: 'CertificatesCurrent',
    message: earliest
      ? `certificates stored and in use; the first ends at ${earliest}`
      : 'certificates stored and in use',
  };
}

function progressEvents(d: Decision): CertificateEvent[] {
  const events: CertificateEvent[] = [];
  for (const name of ['cluster', 'clients'] as const) {
    const { plan } = d.cas[name];
    const issueCa = plan.steps.find((s) => s.kind === 'issue-ca');
    if (plan.phase === 'initial') continue;
    if (issueCa) {
      events.push({
        type: 'Normal',
        reason: 'CaReplacementStarted',
        note: `${name} CA: new key (${issueCa.reason}); pods are rolled to trust old and new`,
      });
    }
    if (plan.steps.some((s) => s.kind === 'drop-previous-ca')) {
      events.push({
        type: 'Normal',
        reason: 'CaReplacementDone',
        note: `${name} CA: the old CA is no longer trusted`,
      });
    }
  }
  const initial = d.cas.cluster.plan.phase === 'initial';
  const leafSteps = d.cas.cluster.plan.steps.filter((s) => s.kind === 'issue-leaf');
  if (initial) {
    events.push({
      type: 'Normal',
      reason: 'CertificatesIssued',
      note: `issued the cluster CA, the clients CA and ${leafSteps.length} certificate(s)`,
    });
  } else if (leafSteps.length > 0) {
    events.push({
      type: 'Normal',
      reason: 'CertificatesRenewed',
      note: leafSteps.map((s) => `${s.name}: ${s.reason}`).join('; '),
    });
  }
  return events;
}

function invalidAnnotationMessage(value: string): string {
  return `annotation ${RENEW_CERTIFICATES_ANNOTATION} must be "leaves" or "ca", not ${JSON.stringify(value.slice(0, 64))}`;
}

// ---- PEM helpers ---------------------------------------------------------------------------

function caCommonName(cluster: string, ca: CaName, now: Date): string {
  // A new CA gets a new subject: during a replacement two CAs sit in one bundle, and
  // verifiers that look anchors up by subject name must not confuse them.
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '');
  return `${ca} CA ${stamp} ${cluster}`.slice(0, 64);
}

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string): string[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => m[0] + '\n');
}

function joinPem(blocks: readonly string[]): string {
  return blocks.map(withNewline).join('');
}

function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : pem + '\n';
}

function isCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function caFacts(pem: string | undefined): CaFacts | undefined {
  if (pem === undefined) return undefined;
  const cert = new X509Certificate(pem);
  return {
    fingerprint: cert.fingerprint256,
    notBefore: cert.validFromDate,
    notAfter: cert.validToDate,
  };
}

/** The key parses and is the certificate's; no error text (it could quote the key) escapes. */
function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return createPublicKey(createPrivateKey(keyPem)).equals(new X509Certificate(certPem).publicKey);
  } catch {
    return false;
  }
}

function sameData(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** When one stored certificate stops being valid: a CA's own, or a leaf's (not the bundles). */
export interface CertificateExpiry {
  secret: string;
  key: string;
  notAfter: Date;
}

/**
 * The expiry of each CA and leaf certificate in `secrets` (name → decoded data), for the
 * expiry gauge. The CA-cert bundles repeat the CAs and are left out; a value that does not
 * parse is left out too (CertificatesReady already says what is wrong with it).
 */
export function certificateExpiries(
  model: ClusterModel,
  secrets: Readonly<Record<string, Readonly<Record<string, string>> | undefined>>,
): CertificateExpiry[] {
  const c = model.ref.name;
  const cas = [securitySecrets.clusterCa(c), securitySecrets.clientsCa(c)];
  const bundles = [securitySecrets.clusterCaCert(c), securitySecrets.clientsCaCert(c)];
  return certificateSecretNames(model).flatMap((secret): CertificateExpiry[] => {
    if (bundles.includes(secret)) return [];
    const key = cas.includes(secret) ? CA_CERT : NODE_CERT_FILES.certificate;
    const pem = secrets[secret]?.[key];
    if (pem === undefined || !isCertificate(pem)) return [];
    // X509Certificate reads the first certificate of a PEM: the one this Secret is for.
    return [{ secret, key, notAfter: new X509Certificate(pem).validToDate }];
  });
}
