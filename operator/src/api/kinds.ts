// The registry of kraftwerk's resource kinds: where each is served (group, version, plural) and
// its kind, for the informers, the controllers and the reconcilers, so no path or kind is
// spelled out twice. The resource definitions the CRDs are generated from take their names from here.
import type { ResourceInfo } from '../runtime/resource.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION } from './group-version.ts';

export interface KindInfo<K extends string = string> extends ResourceInfo {
  kind: K;
  /** group/version, as objects carry it in apiVersion. */
  apiVersion: typeof API_GROUP_VERSION;
}

function kindInfo<K extends string>(kind: K, plural: string): KindInfo<K> {
  return {
    group: API_GROUP,
    version: API_VERSION,
    apiVersion: API_GROUP_VERSION,
    kind,
    plural,
    namespaced: true,
  };
}

export const kinds = {
  KafkaCluster: kindInfo('KafkaCluster', 'kafkaclusters'),
  KafkaTopic: kindInfo('KafkaTopic', 'kafkatopics'),
  KafkaConsumerGroup: kindInfo('KafkaConsumerGroup', 'kafkaconsumergroups'),
  KafkaUser: kindInfo('KafkaUser', 'kafkausers'),
} as const;

export type KindName = keyof typeof kinds;
