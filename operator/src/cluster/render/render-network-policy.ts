// One NetworkPolicy per cluster narrows who reaches its Kafka pods: the controller port only
// from the cluster's own pods, the replication port from them and from the operator, client
// listeners from anywhere (as declared), nothing else. Plaintext or secured alike: on a
// secured cluster mTLS already refuses strangers, the policy keeps them from the port at all.
// Only a CNI that enforces NetworkPolicy acts on it (docs/security.md).
import type {
  KubernetesObject,
  V1LabelSelector,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
} from '@kubernetes/client-node';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { CLUSTER_LABEL, ROLE_LABEL, clusterLabels, ownerReference } from '../model/labels.ts';
import { CONTROLLER_LISTENER, REPLICATION_LISTENER } from '../model/node-layout.ts';
import { METRICS_PORT } from './kafka-metrics-config.ts';
import { metricsEnabled } from './render-metrics.ts';

/** Where the operator's pods run and labels they all carry (operator configuration). */
export interface OperatorPods {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * The wire shape. client-node's V1NetworkPolicyIngressRule calls `from` `_from` (its serializer
 * renames it); the renderers' objects go to the API server as they are.
 */
export interface NetworkPolicy extends KubernetesObject {
  spec: {
    podSelector: V1LabelSelector;
    policyTypes: ('Ingress' | 'Egress')[];
    ingress: { ports: V1NetworkPolicyPort[]; from?: V1NetworkPolicyPeer[] }[];
  };
}

/** Set on every namespace by the API server (since 1.21): selects one namespace by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function networkPolicyName(clusterName: string): string {
  return `${clusterName}-kafka`;
}

/**
 * The cluster's Kafka pods: its label and a role label, which every pod of its StatefulSets
 * carries and a pod that merely names the cluster (a client, say) does not.
 */
export function kafkaPodSelector(clusterName: string): V1LabelSelector {
  return {
    matchLabels: { [CLUSTER_LABEL]: clusterName },
    matchExpressions: [{ key: ROLE_LABEL, operator: 'Exists' }],
  };
}

/**
 * Without `operator` (an operator running outside the cluster has no pods to name) the
 * replication port admits the cluster's own pods only.
 */
export function renderNetworkPolicy(
  cluster: ClusterRef,
  spec: ClusterSpec,
  operator?: OperatorPods,
): NetworkPolicy {
  const ownPods: V1NetworkPolicyPeer = { podSelector: kafkaPodSelector(cluster.name) };
  const operatorPods: V1NetworkPolicyPeer[] = operator
    ? [
        {
          namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: operator.namespace } },
          podSelector: { matchLabels: { ...operator.labels } },
        },
      ]
    : [];
  const clientPorts = [...new Set(spec.listeners.map((l) => l.port))];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: networkPolicyName(cluster.name),
      namespace: cluster.namespace,
      labels: clusterLabels(cluster.name),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      podSelector: kafkaPodSelector(cluster.name),
      // Ingress only: Kafka's own connections out (to the quorum, to other brokers) are
      // admitted at their destination by this same policy.
      policyTypes: ['Ingress'],
      ingress: [
        { ports: [tcp(CONTROLLER_LISTENER.port)], from: [ownPods] },
        { ports: [tcp(REPLICATION_LISTENER.port)], from: [ownPods, ...operatorPods] },
        // No `from`: any source, in or outside the Kubernetes cluster (node ports included).
        ...(clientPorts.length > 0 ? [{ ports: clientPorts.map(tcp) }] : []),
        // Metrics from any pod in any namespace (wherever Prometheus runs): they carry counts
        // and names (topics, request types), no data or credentials. Not from outside the
        // Kubernetes cluster.
        ...(metricsEnabled(spec)
          ? [{ ports: [tcp(METRICS_PORT)], from: [{ namespaceSelector: {} }] }]
          : []),
      ],
    },
  };
}

function tcp(port: number): V1NetworkPolicyPort {
  return { protocol: 'TCP', port };
}
