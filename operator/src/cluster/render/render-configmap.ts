// The ConfigMap every pod mounts: the start script plus each role's shared properties and
// listener table, and (until the quorum forms) the initial controller list.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { configHash } from './config-hash.ts';
import { clusterLabels, ownerReference } from '../model/labels.ts';
import { configMapName, quorumBootstrapServers } from '../model/node-layout.ts';
import type { RoleLayout } from '../model/node-layout.ts';
import { initialControllers } from '../model/quorum-bootstrap.ts';
import {
  renderListenerTable,
  renderProperties,
  roleListeners,
  roleProperties,
} from './server-properties.ts';
import { metricsHashPart } from './render-metrics.ts';
import { START_SCRIPT } from './start-script.ts';

export const START_SCRIPT_KEY = 'start.sh';
export const INITIAL_CONTROLLERS_KEY = 'initial-controllers';

export function propertiesKey(layout: RoleLayout): string {
  return `${layout.role}.properties`;
}

export function listenersKey(layout: RoleLayout): string {
  return `${layout.role}.listeners`;
}

export function renderConfigMap(
  cluster: ClusterRef,
  spec: ClusterSpec,
  layouts: readonly RoleLayout[],
  clusterId: string,
  quorumFormed: boolean,
): V1ConfigMap {
  const data: Record<string, string> = { [START_SCRIPT_KEY]: START_SCRIPT };
  const bootstrapServers = quorumBootstrapServers(cluster, layouts);
  for (const layout of layouts) {
    data[propertiesKey(layout)] = renderProperties({
      ...roleProperties(spec, layout, layouts),
      'controller.quorum.bootstrap.servers': bootstrapServers,
    });
    data[listenersKey(layout)] = renderListenerTable(roleListeners(spec, layout));
  }
  data[INITIAL_CONTROLLERS_KEY] = initialControllers(cluster, layouts, clusterId, quorumFormed);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(cluster.name),
      namespace: cluster.namespace,
      labels: clusterLabels(cluster.name),
      ownerReferences: [ownerReference(cluster)],
    },
    data,
  };
}

/**
 * The restart-relevant digest of a role's configuration. Left out on purpose: the initial
 * controller list (only read when formatting) and controller.quorum.bootstrap.servers (only
 * used to find the quorum at start-up, so a controller scale must not roll every node).
 */
export function roleConfigHash(
  spec: ClusterSpec,
  layout: RoleLayout,
  layouts: readonly RoleLayout[],
): string {
  return configHash({
    script: START_SCRIPT,
    properties: renderProperties(roleProperties(spec, layout, layouts)),
    listeners: renderListenerTable(roleListeners(spec, layout)),
    ...metricsHashPart(spec),
  });
}
