// The certificate step of a secured KafkaCluster: read its Secrets (GET by name: the operator
// may not list or watch Secrets), issue what certificate-plan.ts asks for, write the Secrets,
// remove the renew annotation once they are stored, and report. Not pure: API writes, random
// keys. A plaintext cluster does nothing here and reads nothing.
import type { KafkaCluster } from '../../api/kafka-cluster.ts';
import { kinds } from '../../api/kinds.ts';
import { issueCa, issueLeaf, type IssuedCertificate } from '../../pki/certificates.ts';
import { isConflict, isStalePatch } from '../../runtime/kube-client.ts';
import { resourcePath } from '../../runtime/resource.ts';
import type { KubeObject } from '../../runtime/resource.ts';
import { resources } from '../deps.ts';
import { clusterRef, type ClusterModel } from '../model/cluster-model.ts';
import { ROLE_LABEL, ownerReference } from '../model/labels.ts';
import {
  CERTIFICATES_HASH_ANNOTATION,
  RENEW_CERTIFICATES_ANNOTATION,
  isSecured,
  securitySecrets,
} from '../model/security.ts';
import type { PodObject } from '../observe/cluster-resource.ts';
import { ownedBy } from '../observe/cluster-resource.ts';
import {
  certificateExpiries,
  certificateRequests,
  certificateSecretNames,
  type CertificateExpiry,
  planCertificateSecrets,
  type CertificateCondition,
  type CertificateInput,
  type IssueRequest,
  type Issued,
  type ObservedSecret,
  type SecretWrite,
} from '../plan/certificate-plan.ts';
import type { StepContext } from './kube.ts';

export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** What the rest of the reconcile needs from the certificate step. */
export interface CertificatesOutcome {
  /** Per StatefulSet name: the certificates hash its pod template carries. */
  hashes: Record<string, string>;
  condition: CertificateCondition;
  /** Each CA's and leaf's notAfter as stored after this step, for the expiry gauge. */
  expiries: CertificateExpiry[];
}

/** undefined for a plaintext cluster: no Secrets, no hashes, no condition. */
export async function ensureCertificates(
  ctx: StepContext,
  model: ClusterModel,
  currentReplicas: CertificateInput['currentReplicas'],
  podObjects: readonly PodObject[],
  now: Date,
): Promise<CertificatesOutcome | undefined> {
  if (!isSecured(model.spec)) return undefined;
  const { kc, deps } = ctx;
  const input: CertificateInput = {
    model,
    currentReplicas,
    secrets: await readSecrets(ctx, model),
    now,
    renewAnnotation: await renewAnnotation(ctx),
    podHashes: podHashes(model, podObjects),
  };
  const issued = await issueRequested(certificateRequests(input), now);
  const plan = planCertificateSecrets(input, issued);
  for (const e of plan.events.filter((e) => e.type === 'Warning')) {
    void deps.events.warning(kc, e.reason, 'Certificates', e.note);
  }
  const hashes = { ...plan.storedHashes };
  const stored: Record<string, Record<string, string> | undefined> = Object.fromEntries(
    Object.entries(input.secrets).map(([name, s]) => [name, s?.data]),
  );
  for (const write of plan.writes) {
    if (!(await writeSecret(ctx, write))) {
      // Someone else wrote it since we read it: plan again from what is there next time.
      ctx.log.info('certificate Secret changed while written; reading it again', {
        secret: write.name,
      });
      return {
        hashes,
        expiries: certificateExpiries(model, stored),
        condition: {
          type: 'CertificatesReady',
          status: 'False',
          reason: 'CertificatesPending',
          message: `Secret ${write.name} changed while it was being written; it is read again`,
        },
      };
    }
    stored[write.name] = write.data;
    // Each role's pods roll onto its node Secret only once that Secret is stored.
    for (const [sts, hash] of Object.entries(plan.hashes)) {
      if (write.name === securitySecrets.nodeCerts(sts)) hashes[sts] = hash;
    }
  }
  for (const [sts, hash] of Object.entries(plan.hashes)) {
    if (!plan.writes.some((w) => w.name === securitySecrets.nodeCerts(sts))) hashes[sts] = hash;
  }
  if (plan.writes.length > 0) {
    ctx.log.info('certificate Secrets written', { secrets: plan.writes.map((w) => w.name) });
  }
  for (const e of plan.events.filter((e) => e.type === 'Normal')) {
    void deps.events.normal(kc, e.reason, 'Certificates', e.note);
  }
  if (plan.removeAnnotation) await removeRenewAnnotation(ctx, input.renewAnnotation);
  return { hashes, condition: plan.condition, expiries: certificateExpiries(model, stored) };
}

/** Issues in order: CAs first, then the leaves (some signed by a CA of the same batch). */
export async function issueRequested(
  requests: readonly IssueRequest[],
  now: Date,
): Promise<Issued> {
  const issued: Record<string, IssuedCertificate> = {};
  for (const r of requests) {
    if (r.kind === 'ca') {
      issued[r.id] = await issueCa({ commonName: r.commonName, validityDays: r.validityDays, now });
    }
  }
  for (const r of requests) {
    if (r.kind !== 'leaf') continue;
    const ca = 'stored' in r.signer ? r.signer.stored : issued[r.signer.request];
    if (!ca) throw new Error(`${r.id}: its CA (${JSON.stringify(r.signer)}) was not issued`);
    issued[r.id] = await issueLeaf({
      ca,
      commonName: r.commonName,
      dnsNames: r.sans.dnsNames,
      ipAddresses: r.sans.ipAddresses,
      validityDays: r.validityDays,
      now,
      usage: r.usage,
    });
  }
  return issued;
}

async function readSecrets(
  ctx: StepContext,
  model: ClusterModel,
): Promise<Record<string, ObservedSecret>> {
  const out: Record<string, ObservedSecret> = {};
  for (const name of certificateSecretNames(model)) {
    const s = await ctx.deps.client.get<SecretObject>(resources.Secret, ctx.namespace, name);
    if (!s) continue;
    out[name] = {
      owned: ownedBy(s, model.ref.uid),
      data: Object.fromEntries(
        Object.entries(s.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      ),
      resourceVersion: s.metadata?.resourceVersion ?? '',
    };
  }
  return out;
}

function podHashes(
  model: ClusterModel,
  podObjects: readonly PodObject[],
): CertificateInput['podHashes'] {
  const out: Record<string, (string | undefined)[]> = {};
  for (const l of model.layouts) {
    out[l.statefulSetName] = podObjects
      .filter((p) => p.metadata?.labels?.[ROLE_LABEL] === l.role)
      .map((p) => p.metadata?.annotations?.[CERTIFICATES_HASH_ANNOTATION]);
  }
  return out;
}

/**
 * create for a new Secret (409: someone made it meanwhile; never overwritten), merge patch
 * guarded by the resourceVersion read for ours. False on a conflict.
 */
async function writeSecret(ctx: StepContext, write: SecretWrite): Promise<boolean> {
  const { client } = ctx.deps;
  const data = (values: Record<string, string | null>) =>
    Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        k,
        v === null ? null : Buffer.from(v).toString('base64'),
      ]),
    );
  try {
    if (write.create) {
      const secret: SecretObject = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: write.name,
          namespace: ctx.namespace,
          labels: {
            'kraftwerk.dev/cluster': ctx.kc.metadata.name ?? '',
            'app.kubernetes.io/managed-by': 'kraftwerk',
          },
          ownerReferences: [ownerReference(clusterRef(ctx.kc))],
        },
        type: 'Opaque',
        data: data(write.data) as Record<string, string>,
      };
      await client.create(resources.Secret, secret);
    } else {
      await client.mergePatch(resources.Secret, ctx.namespace, write.name, {
        metadata: { resourceVersion: write.resourceVersion },
        data: data({
          ...write.data,
          ...Object.fromEntries(write.removeKeys.map((k) => [k, null])),
        }),
      });
    }
    return true;
  } catch (e) {
    if (isConflict(e)) return false;
    throw e;
  }
}

/**
 * The renew annotation as the API server has it: the cache may still show one our own patch
 * removed a moment ago, and honouring it again would renew (and roll) twice.
 */
async function renewAnnotation(ctx: StepContext): Promise<string | undefined> {
  if (ctx.kc.metadata.annotations?.[RENEW_CERTIFICATES_ANNOTATION] === undefined) return undefined;
  const fresh = await ctx.deps.client.get<KafkaCluster>(
    kinds.KafkaCluster,
    ctx.namespace,
    ctx.kc.metadata.name ?? '',
  );
  return fresh?.metadata.annotations?.[RENEW_CERTIFICATES_ANNOTATION];
}

/** A JSON patch with a test: a value someone changed meanwhile is theirs, left alone. */
async function removeRenewAnnotation(ctx: StepContext, value: string | undefined): Promise<void> {
  if (value === undefined) return;
  const path = `/metadata/annotations/${RENEW_CERTIFICATES_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  try {
    await ctx.deps.client.request(
      'PATCH',
      resourcePath(kinds.KafkaCluster, ctx.namespace, ctx.kc.metadata.name ?? ''),
      {
        body: [
          { op: 'test', path, value },
          { op: 'remove', path },
        ],
        contentType: 'application/json-patch+json',
      },
    );
  } catch (e) {
    if (!isStalePatch(e)) throw e;
  }
}
