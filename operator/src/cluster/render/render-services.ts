// Services: a headless one per role (stable pod DNS names), one bootstrap Service for
// in-cluster clients, and one NodePort Service per broker and nodeport listener.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import {
  BROKER_LABEL,
  CLUSTER_LABEL,
  clusterLabels,
  ownerReference,
  roleLabels,
  roleSelector,
} from '../model/labels.ts';
import { bootstrapServiceName, brokerLayout, podName } from '../model/node-layout.ts';
import type { RoleLayout } from '../model/node-layout.ts';
import { metricsServicePorts } from './render-metrics.ts';
import { roleListeners } from './server-properties.ts';
import type { AdvertisedListener } from './server-properties.ts';

export function portName(listener: AdvertisedListener): string {
  return listener.name.toLowerCase().replace(/_/g, '-').slice(0, 15);
}

function servicePort(l: AdvertisedListener): V1ServicePort {
  return { name: portName(l), port: l.port, targetPort: portName(l), protocol: 'TCP' };
}

export function renderHeadlessService(
  cluster: ClusterRef,
  spec: ClusterSpec,
  layout: RoleLayout,
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: layout.headlessServiceName,
      namespace: cluster.namespace,
      labels: roleLabels(cluster.name, layout.role),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      clusterIP: 'None',
      // Controllers must resolve each other before any is ready: the quorum forms only then.
      publishNotReadyAddresses: true,
      selector: roleSelector(cluster.name, layout.role),
      // The metrics port too, so a ServiceMonitor can select these Services.
      ports: [...roleListeners(spec, layout).map(servicePort), ...metricsServicePorts(spec)],
    },
  };
}

export function renderBootstrapService(
  cluster: ClusterRef,
  spec: ClusterSpec,
  layouts: readonly RoleLayout[],
): V1Service {
  const brokers = brokerLayout(layouts);
  const ports = roleListeners(spec, brokers)
    .filter((l) => l.kind === 'pod' && l.name !== 'CONTROLLER')
    .map(servicePort);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: bootstrapServiceName(cluster.name),
      namespace: cluster.namespace,
      labels: clusterLabels(cluster.name),
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      type: 'ClusterIP',
      selector: { [CLUSTER_LABEL]: cluster.name, [BROKER_LABEL]: 'true' },
      ports,
    },
  };
}

/** One Service per broker and nodeport listener, so each broker has its own advertised port. */
export function renderNodePortServices(
  cluster: ClusterRef,
  spec: ClusterSpec,
  layouts: readonly RoleLayout[],
): V1Service[] {
  const brokers = brokerLayout(layouts);
  const nodePortListeners = roleListeners(spec, brokers).filter((l) => l.kind === 'nodeport');
  const services: V1Service[] = [];
  for (let ordinal = 0; ordinal < brokers.spec.replicas; ordinal++) {
    const pod = podName(brokers, ordinal);
    for (const l of nodePortListeners) {
      services.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: `${pod}-${portName(l)}`,
          namespace: cluster.namespace,
          labels: roleLabels(cluster.name, brokers.role),
          ownerReferences: [ownerReference(cluster)],
        },
        spec: {
          type: 'NodePort',
          selector: { 'statefulset.kubernetes.io/pod-name': pod },
          ports: [{ ...servicePort(l), nodePort: l.nodePortBase! + ordinal }],
        },
      });
    }
  }
  return services;
}
