// One StatefulSet per role. Pods roll only when the operator deletes them (OnDelete), and
// start in parallel because the initial controllers can only become ready together.
import type {
  V1Affinity,
  V1Container,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1PodSpec,
  V1Probe,
  V1ResourceRequirements,
  V1StatefulSet,
  V1Toleration,
  V1Volume,
} from '@kubernetes/client-node';
import { DEFAULT_TERMINATION_GRACE_SECONDS } from '../../api/kafka-cluster.ts';
import type { ClusterRef, ClusterSpec, QuantityMap, RoleSpec } from '../cluster-spec.ts';
import {
  BROKER_LABEL,
  CONFIG_HASH_ANNOTATION,
  KAFKA_VERSION_ANNOTATION,
  ownerReference,
  roleLabels,
  roleSelector,
} from '../model/labels.ts';
import { parseQuantity } from '../model/quantity.ts';
import {
  CONFIG_MOUNT,
  DATA_MOUNT,
  PROBE_LISTENER,
  REPLICATION_LISTENER,
  configMapName,
  roleLayouts,
} from '../model/node-layout.ts';
import type { RoleLayout } from '../model/node-layout.ts';
import {
  CERTIFICATES_HASH_ANNOTATION,
  TLS_MOUNT_DIR,
  isSecured,
  securitySecrets,
} from '../model/security.ts';
import { podSpread } from './pod-spread.ts';
import { kafkaReadinessProbe } from './readiness-probe.ts';
import { START_SCRIPT_KEY, roleConfigHash } from './render-configmap.ts';
import {
  metricsContainerPorts,
  metricsEnv,
  metricsPodAnnotations,
  metricsVolumeMounts,
  metricsVolumes,
} from './render-metrics.ts';
import { roleListeners } from './server-properties.ts';

/** The uid/gid of the apache/kafka image's appuser. */
const KAFKA_UID = 1000;
/** Broker pods with spec.rack: their labels and annotations as files, for the start script. */
const POD_INFO_VOLUME = 'pod-info';
const POD_INFO_MOUNT = '/etc/kraftwerk-pod';
/**
 * Requests a Kafka container gets when spec.<role>.resources names neither a request nor a
 * limit for that resource: without any, the scheduler would pack JVMs onto one node. A
 * dedicated controller holds only the metadata log and needs less than a broker.
 */
export const DEFAULT_REQUESTS = {
  broker: { cpu: '250m', memory: '1Gi' },
  controller: { cpu: '100m', memory: '512Mi' },
} as const;
/** Where Kafka's own log files go (LOG_DIR): on the writable /tmp emptyDir. */
const KAFKA_LOG_DIR = '/tmp/kafka-logs';

export interface StatefulSetOptions {
  /**
   * The claim size of an existing StatefulSet. volumeClaimTemplates are immutable, so an
   * existing StatefulSet keeps its size here and PVCs are expanded one by one instead.
   */
  existingClaimSize?: string;
  /**
   * Secured clusters: the hash of the role's node certificate and CA bundles, computed by the
   * certificate step from the Secret it stored. On the pod template, so new certificates make
   * a new revision and the roller restarts the role's pods. Absent: no annotation.
   */
  certificatesHash?: string;
}

/** The node certificate Secret's volume: readable by the kafka group (fsGroup), nobody else. */
const TLS_VOLUME = 'tls';
const TLS_FILE_MODE = 0o440;

export function kafkaImage(spec: ClusterSpec): string {
  return spec.image || `apache/kafka:${spec.version}`;
}

export function renderStatefulSet(
  cluster: ClusterRef,
  spec: ClusterSpec,
  clusterId: string,
  layout: RoleLayout,
  options: StatefulSetOptions = {},
): V1StatefulSet {
  const labels = roleLabels(cluster.name, layout.role);
  const extra = spec.template?.pod;
  // Operator-owned labels and annotations win over the template's.
  const podLabels = {
    ...extra?.labels,
    ...labels,
    ...(layout.isBroker ? { [BROKER_LABEL]: 'true' } : {}),
  };
  const storage = layout.spec.storage;
  const claims: V1PersistentVolumeClaim[] =
    storage.type === 'persistent-claim' && storage.size
      ? [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: 'data', labels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: options.existingClaimSize ?? storage.size } },
              ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
            },
          },
        ]
      : [];
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: layout.statefulSetName,
      namespace: cluster.namespace,
      labels,
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      replicas: layout.spec.replicas,
      serviceName: layout.headlessServiceName,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: roleSelector(cluster.name, layout.role) },
      ...(claims.length > 0
        ? {
            volumeClaimTemplates: claims,
            // Never Delete, whatever deleteClaim says: the StatefulSet controller would drop a
            // claim on any scale-down or StatefulSet deletion, also one the operator did not
            // order (a StatefulSet deleted by hand to change an immutable field). The operator
            // deletes claims itself, after a node is drained and unregistered, or once the
            // deleted cluster's pods are gone (plan/scale-plan.ts planClaimDeletion, teardown-plan.ts).
            persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          }
        : {}),
      template: {
        metadata: {
          labels: podLabels,
          annotations: {
            // The template's annotations may override the scrape annotations (scrape: "false").
            ...metricsPodAnnotations(spec),
            ...extra?.annotations,
            [CONFIG_HASH_ANNOTATION]: roleConfigHash(spec, layout, roleLayouts(cluster, spec)),
            [KAFKA_VERSION_ANNOTATION]: spec.version,
            ...(isSecured(spec) && options.certificatesHash
              ? { [CERTIFICATES_HASH_ANNOTATION]: options.certificatesHash }
              : {}),
          },
        },
        spec: podSpec(cluster, spec, clusterId, layout),
      },
    },
  };
}

function podSpec(
  cluster: ClusterRef,
  spec: ClusterSpec,
  clusterId: string,
  layout: RoleLayout,
): V1PodSpec {
  const storage = layout.spec.storage;
  const volumes: V1Volume[] = [
    { name: 'config', configMap: { name: configMapName(cluster.name) } },
    { name: 'tmp', emptyDir: {} },
  ];
  if (storage.type === 'ephemeral') {
    volumes.push({
      name: 'data',
      emptyDir: storage.sizeLimit ? { sizeLimit: storage.sizeLimit } : {},
    });
  }
  if (spec.rack?.topologyKey && layout.isBroker) {
    // Labels too: Kubernetes >= 1.35 copies zone/region onto the pod (PodTopologyLabels), so
    // the broker need not wait for the operator's stamp. The kubelet refreshes these files
    // when the annotations change, without restarting the container.
    volumes.push({
      name: POD_INFO_VOLUME,
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        ],
      },
    });
  }
  volumes.push(...metricsVolumes(cluster, spec));
  if (isSecured(spec)) {
    // Not optional: a pod without its certificate could not join the quorum anyway, so it
    // waits in ContainerCreating until the certificate step has stored the Secret.
    volumes.push({
      name: TLS_VOLUME,
      secret: {
        secretName: securitySecrets.nodeCerts(layout.statefulSetName),
        defaultMode: TLS_FILE_MODE,
      },
    });
  }
  const pod = spec.template?.pod;
  const spread = podSpread(spec, roleSelector(cluster.name, layout.role));
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: KAFKA_UID,
      runAsGroup: KAFKA_UID,
      fsGroup: KAFKA_UID,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // Kafka's controlled shutdown moves leadership away first; give it time.
    terminationGracePeriodSeconds: terminationGraceSeconds(spec),
    // Service environment variables would only add noise to a JVM's environment.
    enableServiceLinks: false,
    // Kafka never talks to the Kubernetes API: no token in the pod to steal.
    automountServiceAccountToken: false,
    containers: [kafkaContainer(spec, clusterId, layout)],
    volumes,
    // The template's Kubernetes objects are passed through as written; the API server checks them.
    ...(pod?.affinity ? { affinity: pod.affinity as unknown as V1Affinity } : {}),
    ...(pod?.tolerations?.length
      ? { tolerations: pod.tolerations as unknown as V1Toleration[] }
      : {}),
    ...(pod?.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}),
    ...(pod?.priorityClassName ? { priorityClassName: pod.priorityClassName } : {}),
    ...(spread.length > 0 ? { topologySpreadConstraints: spread } : {}),
  };
}

function kafkaContainer(spec: ClusterSpec, clusterId: string, layout: RoleLayout): V1Container {
  const listeners = roleListeners(spec, layout);
  const probePort = layout.isBroker ? 'replication' : 'controller';
  return {
    name: 'kafka',
    image: kafkaImage(spec),
    command: ['bash', `${CONFIG_MOUNT}/${START_SCRIPT_KEY}`],
    env: containerEnv(spec, clusterId, layout),
    ports: [
      ...listeners.map((l) => ({
        name: l.name.toLowerCase().replace(/_/g, '-').slice(0, 15),
        containerPort: l.port,
      })),
      ...metricsContainerPorts(spec),
    ],
    resources: resources(layout),
    // A crash-looping Kafka writes no termination message itself: the kubelet then keeps the
    // log's tail (Kafka's exception), which the status reports (observe-pod.ts).
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: {
      // Every path Kafka writes is a volume: data, /tmp (the generated server.properties,
      // LOG_DIR, JVM perf data, native libraries the compression codecs unpack).
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'data', mountPath: DATA_MOUNT },
      { name: 'config', mountPath: CONFIG_MOUNT, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      ...metricsVolumeMounts(spec),
      ...(isSecured(spec) ? [{ name: TLS_VOLUME, mountPath: TLS_MOUNT_DIR, readOnly: true }] : []),
      ...(spec.rack?.topologyKey && layout.isBroker
        ? [{ name: POD_INFO_VOLUME, mountPath: POD_INFO_MOUNT, readOnly: true }]
        : []),
    ],
    // Log recovery after an unclean stop can take long: the startup probe allows 30 minutes
    // before liveness starts counting. Startup and liveness stay TCP checks: cheap, and a
    // broker still catching up must not be killed for it.
    startupProbe: tcpProbe(probePort, { periodSeconds: 10, failureThreshold: 180 }),
    // A broker is ready once it answers Kafka requests (it binds its port earlier, before it
    // has caught up with the metadata log). A controller keeps the TCP check: the roller asks
    // the quorum whether it caught up.
    // On a secured cluster REPLICATION demands a client certificate the probe does not have: it
    // asks the loopback PROBE listener instead. It sends ApiVersions only, which Kafka answers
    // before and without any authorization (clients need it to negotiate, even before SASL),
    // so with an authorizer the probe's User:ANONYMOUS needs no ACL and is no super-user.
    readinessProbe: layout.isBroker
      ? kafkaReadinessProbe(isSecured(spec) ? PROBE_LISTENER.port : REPLICATION_LISTENER.port, {
          periodSeconds: 5,
          failureThreshold: 3,
        })
      : tcpProbe(probePort, { periodSeconds: 5, failureThreshold: 3 }),
    livenessProbe: tcpProbe(probePort, { periodSeconds: 10, failureThreshold: 6 }),
  };
}

function tcpProbe(
  port: string,
  timing: { periodSeconds: number; failureThreshold: number },
): V1Probe {
  return { tcpSocket: { port }, timeoutSeconds: 5, ...timing };
}

function containerEnv(spec: ClusterSpec, clusterId: string, layout: RoleLayout): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'KRAFTWERK_ROLE', value: layout.role },
    { name: 'KRAFTWERK_NODE_ID_BASE', value: String(layout.idBase) },
    { name: 'KRAFTWERK_CLUSTER_ID', value: clusterId },
    { name: 'KRAFTWERK_HEADLESS_SERVICE', value: layout.headlessServiceName },
    { name: 'KRAFTWERK_CONFIG_DIR', value: CONFIG_MOUNT },
    { name: 'KRAFTWERK_WORK_DIR', value: '/tmp/kraftwerk' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    // Kafka's own log files go to the writable emptyDir, not into the image.
    { name: 'LOG_DIR', value: KAFKA_LOG_DIR },
    ...metricsEnv(spec),
  ];
  const heap = heapSize(layout.spec, layout.isBroker);
  if (heap) env.push({ name: 'KAFKA_HEAP_OPTS', value: `-Xms${heap} -Xmx${heap}` });
  const key = spec.rack?.topologyKey;
  if (key && layout.isBroker) {
    // Node labels are not in the downward API: the start script waits for the rack in the
    // pod-info files (the operator stamps it from the node; see plan/rack-plan.ts).
    env.push(
      { name: 'KRAFTWERK_RACK_KEY', value: key },
      { name: 'KRAFTWERK_POD_INFO_DIR', value: POD_INFO_MOUNT },
    );
  }
  return env;
}

export function terminationGraceSeconds(spec: ClusterSpec): number {
  return spec.template?.pod?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
}

/**
 * The JVM heap: spec.jvm.heap, else half the memory request (or limit, or the default
 * request), leaving the rest to the page cache Kafka relies on.
 */
export function heapSize(role: RoleSpec, isBroker = true): string | undefined {
  if (role.jvm?.heap) return role.jvm.heap;
  const r = effectiveResources(role, isBroker);
  const memory = r.requests?.['memory'] ?? r.limits?.['memory'];
  const bytes = memory === undefined ? undefined : parseQuantity(memory);
  if (bytes === undefined || bytes <= 0) return undefined;
  return `${Math.max(128, Math.floor(bytes / 2 / 2 ** 20))}m`;
}

/**
 * spec.<role>.resources with DEFAULT_REQUESTS for each resource it names neither a request
 * nor a limit for (a default request above a user's limit would be refused).
 */
export function effectiveResources(role: RoleSpec, isBroker: boolean): V1ResourceRequirements {
  const strings = (m: QuantityMap | undefined) =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, String(v)]));
  const requests = strings(role.resources?.requests);
  const limits = strings(role.resources?.limits);
  for (const [name, value] of Object.entries(
    DEFAULT_REQUESTS[isBroker ? 'broker' : 'controller'],
  )) {
    if (!(name in requests) && !(name in limits)) requests[name] = value;
  }
  return {
    requests,
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

function resources(layout: RoleLayout): V1ResourceRequirements {
  return effectiveResources(layout.spec, layout.isBroker);
}
