// The admission limit on metadata.name is computed from the naming helpers; these tests check
// it against what the renderers really produce, so a renamed object or a longer suffix that
// the computation misses fails here instead of as a 422 in someone's cluster.
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CLUSTER_NAME_LIMIT, kafkaClusterDefinition } from '../../api/kafka-cluster.ts';
import type { ClusterSpec } from '../cluster-spec.ts';
import {
  DNS_LABEL_MAX_LENGTH,
  DNS_SUBDOMAIN_MAX_LENGTH,
  REVISION_HASH_MAX_LENGTH,
  clusterNameLimit,
} from './derived-names.ts';
import { desiredObjectList, renderCluster } from '../render/render-cluster.ts';

/** The largest cluster the schema admits (replica maxima, an 11-character nodeport listener). */
function largest(controllers: boolean): ClusterSpec {
  const pool = (replicas: number) => ({
    replicas,
    storage: { type: 'persistent-claim' as const, size: '1Gi' },
  });
  return {
    version: '4.1.1',
    ...(controllers ? { controllers: pool(9) } : {}),
    brokers: pool(1000),
    listeners: [
      { name: 'internal', port: 9092, type: 'internal' },
      { name: 'abcdefghijk', port: 9094, type: 'nodeport', nodePortBase: 30000 },
    ],
  };
}

interface Checked {
  what: string;
  name: string;
  limit: number;
}

// Services must be DNS labels; pod names are host names and label values; label values ≤ 63.
const serviceKinds = new Set(['Service']);

/** Every name and label value the rendered objects carry or make Kubernetes derive. */
function namesOf(clusterName: string, spec: ClusterSpec): Checked[] {
  const objects = renderCluster({
    cluster: { name: clusterName, namespace: 'ns', uid: 'uid' },
    spec,
    clusterId: 'nLp2abcdQZ6dXtk3r1w9Qg',
    quorumFormed: false,
  });
  const out: Checked[] = [];
  const labels = (what: string, l: Record<string, string> | undefined) => {
    for (const [k, v] of Object.entries(l ?? {})) {
      out.push({ what: `${what} label ${k}`, name: v, limit: DNS_LABEL_MAX_LENGTH });
    }
  };
  for (const o of desiredObjectList(objects) as KubernetesObject[]) {
    const name = o.metadata!.name!;
    const limit = serviceKinds.has(o.kind!) ? DNS_LABEL_MAX_LENGTH : DNS_SUBDOMAIN_MAX_LENGTH;
    out.push({ what: `${o.kind} ${name}`, name, limit });
    labels(`${o.kind} ${name}`, o.metadata!.labels);
  }
  for (const sts of objects.statefulSets as V1StatefulSet[]) {
    const stsName = sts.metadata!.name!;
    const lastPod = `${stsName}-${sts.spec!.replicas! - 1}`;
    out.push({ what: `pod ${lastPod}`, name: lastPod, limit: DNS_LABEL_MAX_LENGTH });
    const hash = 'h'.repeat(REVISION_HASH_MAX_LENGTH);
    out.push({
      what: `controller-revision-hash of ${stsName}`,
      name: `${stsName}-${hash}`,
      limit: DNS_LABEL_MAX_LENGTH,
    });
    labels(`pod of ${stsName}`, sts.spec!.template.metadata?.labels);
    for (const claim of sts.spec!.volumeClaimTemplates ?? []) {
      const claimName = `${claim.metadata!.name}-${lastPod}`;
      out.push({ what: `claim ${claimName}`, name: claimName, limit: DNS_SUBDOMAIN_MAX_LENGTH });
    }
  }
  return out;
}

const tooLong = (names: Checked[]) => names.filter((n) => n.name.length > n.limit);

describe('the metadata.name limit', () => {
  const max = CLUSTER_NAME_LIMIT.maxLength;
  const nameOf = (length: number) => 'a'.repeat(length);

  it.each([
    ['dedicated', true],
    ['combined', false],
  ])('every name of the largest %s cluster fits with a name of the limit', (_, controllers) => {
    expect(tooLong(namesOf(nameOf(max), largest(controllers)))).toEqual([]);
  });

  it('is the tightest limit: one character more and some rendered name is too long', () => {
    const over = [true, false].flatMap((c) => tooLong(namesOf(nameOf(max + 1), largest(c))));
    expect(over.length).toBeGreaterThan(0);
  });

  it('is 40 today: the NodePort Service of broker 999 on an 11-character listener', () => {
    // A tripwire for reviewers: a change here changes which names existing users may keep.
    expect(CLUSTER_NAME_LIMIT).toEqual({
      maxLength: 40,
      what: 'the broker NodePort Service',
      before: '',
      after: '-broker-999-<listener>',
      limit: 63,
    });
    // With short listener names, the controller pods' revision hash label would decide.
    expect(
      clusterNameLimit({ maxBrokers: 10, maxControllers: 3, maxListenerNameLength: 5 }),
    ).toMatchObject({
      maxLength: 63 - '-controller-'.length - REVISION_HASH_MAX_LENGTH,
      what: "the controller pods' controller-revision-hash label",
    });
  });

  it('is what the CRD enforces, with the derived name in the message', () => {
    expect(kafkaClusterDefinition.rootRules).toContainEqual({
      rule: `size(self.metadata.name) <= ${max}`,
      messageExpression: `"metadata.name must be at most ${max} characters: the broker NodePort Service '" + self.metadata.name + "-broker-999-<listener>' would exceed 63"`,
    });
  });
});
