// spec.metrics: the Prometheus JMX exporter in every Kafka pod (docs/metrics.md). Everything the
// StatefulSets, Services, NetworkPolicy and the `<cluster>-metrics` ConfigMap need to say about
// it, so the other renderers only ask these functions.
import type { V1ConfigMap, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { clusterLabels, ownerReference } from '../model/labels.ts';
import { configHash } from './config-hash.ts';
import {
  KAFKA_METRICS_CONFIG,
  METRICS_CONFIG_KEY,
  METRICS_CONFIG_MOUNT,
  METRICS_PATH,
  METRICS_PORT,
  METRICS_PORT_NAME,
  javaAgentOption,
} from './kafka-metrics-config.ts';

/**
 * The agent's JVM option, for the start script. Not KAFKA_OPTS itself: every Kafka tool run in
 * the pod (kafka-storage.sh when formatting, kafka-topics.sh by hand) reads KAFKA_OPTS and would
 * start a second agent on the same port; the start script adds it for the server alone.
 */
export const METRICS_AGENT_ENV = 'KRAFTWERK_METRICS_AGENT';
const METRICS_VOLUME = 'metrics-config';

export function metricsEnabled(spec: ClusterSpec): boolean {
  return spec.metrics?.enabled !== false;
}

export function metricsConfigMapName(clusterName: string): string {
  return `${clusterName}-metrics`;
}

/** The user's own exporter configuration (spec.metrics.exporter), if any. */
export function userConfig(spec: ClusterSpec): { name: string; key: string } | undefined {
  return metricsEnabled(spec) ? spec.metrics?.exporter?.configMapKeyRef : undefined;
}

/** kraftwerk's rules, when metrics are on and the user brings none. */
export function renderMetricsConfigMap(
  cluster: ClusterRef,
  spec: ClusterSpec,
): V1ConfigMap | undefined {
  if (!metricsEnabled(spec) || userConfig(spec)) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: metricsConfigMapName(cluster.name),
      namespace: cluster.namespace,
      labels: clusterLabels(cluster.name),
      ownerReferences: [ownerReference(cluster)],
    },
    data: { [METRICS_CONFIG_KEY]: KAFKA_METRICS_CONFIG },
  };
}

/**
 * The part of the pod template's config hash that metrics add: switching them on or off, to
 * other rules or to a new version of kraftwerk's rolls the pods through the safe roller. The
 * agent would reload a changed file by itself, but a roll is how every other setting changes
 * too. The content of a user's ConfigMap is not hashed: the operator never reads it, and the
 * agent reloads it in place.
 */
export function metricsHashPart(spec: ClusterSpec): Record<string, string> {
  if (!metricsEnabled(spec)) return {};
  const ref = userConfig(spec);
  return {
    metrics: ref ? `configmap:${ref.name}/${ref.key}` : configHash({ rules: KAFKA_METRICS_CONFIG }),
  };
}

/** Scrape annotations for Prometheus setups that discover pods by annotation. */
export function metricsPodAnnotations(spec: ClusterSpec): Record<string, string> {
  if (!metricsEnabled(spec)) return {};
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(METRICS_PORT),
    'prometheus.io/path': METRICS_PATH,
  };
}

export function metricsVolumes(cluster: ClusterRef, spec: ClusterSpec): V1Volume[] {
  if (!metricsEnabled(spec)) return [];
  const ref = userConfig(spec);
  return [
    {
      name: METRICS_VOLUME,
      configMap: ref
        ? { name: ref.name, items: [{ key: ref.key, path: METRICS_CONFIG_KEY }] }
        : { name: metricsConfigMapName(cluster.name) },
    },
  ];
}

export function metricsVolumeMounts(spec: ClusterSpec): V1VolumeMount[] {
  if (!metricsEnabled(spec)) return [];
  return [{ name: METRICS_VOLUME, mountPath: METRICS_CONFIG_MOUNT, readOnly: true }];
}

export function metricsEnv(spec: ClusterSpec): V1EnvVar[] {
  if (!metricsEnabled(spec)) return [];
  return [
    {
      name: METRICS_AGENT_ENV,
      value: javaAgentOption(`${METRICS_CONFIG_MOUNT}/${METRICS_CONFIG_KEY}`),
    },
  ];
}

export function metricsContainerPorts(
  spec: ClusterSpec,
): { name: string; containerPort: number }[] {
  return metricsEnabled(spec) ? [{ name: METRICS_PORT_NAME, containerPort: METRICS_PORT }] : [];
}

export function metricsServicePorts(
  spec: ClusterSpec,
): { name: string; port: number; targetPort: string; protocol: string }[] {
  return metricsEnabled(spec)
    ? [
        {
          name: METRICS_PORT_NAME,
          port: METRICS_PORT,
          targetPort: METRICS_PORT_NAME,
          protocol: 'TCP',
        },
      ]
    : [];
}
