// Every request the operator sends, with the version it sends (README "Who sends what" says
// why each one). The name is what kraftwerk_kafka_requests_total{api} and `requests` count.

import type { Api } from './client.ts';
import {
  ACLS_VERSION,
  CREATE_ACLS_API_KEY,
  DELETE_ACLS_API_KEY,
  DESCRIBE_ACLS_API_KEY,
} from './wire-acls.ts';
import {
  ADD_RAFT_VOTER_API_KEY,
  API_VERSIONS_API_KEY,
  API_VERSIONS_VERSION,
  DESCRIBE_CLUSTER_API_KEY,
  DESCRIBE_QUORUM_API_KEY,
  DESCRIBE_QUORUM_VERSION,
  INCREMENTAL_ALTER_CONFIGS_API_KEY,
  INCREMENTAL_ALTER_CONFIGS_VERSION,
  RAFT_VOTER_VERSION,
  REMOVE_RAFT_VOTER_API_KEY,
  UNREGISTER_BROKER_API_KEY,
  UNREGISTER_BROKER_VERSION,
  UPDATE_FEATURES_API_KEY,
  UPDATE_FEATURES_VERSION,
} from './wire-cluster.ts';
import {
  ALTER_CLIENT_QUOTAS_API_KEY,
  CLIENT_QUOTAS_VERSION,
  DESCRIBE_CLIENT_QUOTAS_API_KEY,
} from './wire-client-quotas.ts';
import { DESCRIBE_CONFIGS_API_KEY, DESCRIBE_CONFIGS_VERSION } from './wire-describe-configs.ts';
import {
  DESCRIBE_GROUPS_API_KEY,
  DESCRIBE_GROUPS_VERSION,
  FIND_COORDINATOR_API_KEY,
  FIND_COORDINATOR_VERSION,
  OFFSET_FETCH_API_KEY,
  OFFSET_FETCH_VERSION,
} from './wire-groups.ts';
import { LIST_OFFSETS_API_KEY, LIST_OFFSETS_VERSION } from './wire-list-offsets.ts';
import { DESCRIBE_LOG_DIRS_API_KEY, DESCRIBE_LOG_DIRS_VERSION } from './wire-log-dirs.ts';
import { METADATA_API_KEY, METADATA_VERSION } from './wire-metadata.ts';
import {
  ALTER_PARTITION_REASSIGNMENTS_API_KEY,
  LIST_PARTITION_REASSIGNMENTS_API_KEY,
  PARTITION_REASSIGNMENTS_VERSION,
} from './wire-reassignments.ts';
import {
  ALTER_USER_SCRAM_CREDENTIALS_API_KEY,
  DESCRIBE_USER_SCRAM_CREDENTIALS_API_KEY,
  USER_SCRAM_CREDENTIALS_VERSION,
} from './wire-scram-credentials.ts';
import {
  ALTER_CONFIGS_API_KEY,
  ALTER_CONFIGS_VERSION,
  CREATE_PARTITIONS_API_KEY,
  CREATE_PARTITIONS_VERSION,
  CREATE_TOPICS_API_KEY,
  CREATE_TOPICS_VERSION,
  DELETE_TOPICS_API_KEY,
  DELETE_TOPICS_VERSION,
} from './wire-topic-writes.ts';

const api = (name: string, key: number, version: number, flexible: boolean): Api => ({
  name,
  key,
  version,
  flexible,
});

export const METADATA = api('Metadata', METADATA_API_KEY, METADATA_VERSION, true);
export const DESCRIBE_CONFIGS = api(
  'DescribeConfigs',
  DESCRIBE_CONFIGS_API_KEY,
  DESCRIBE_CONFIGS_VERSION,
  false,
);
export const CREATE_TOPICS = api(
  'CreateTopics',
  CREATE_TOPICS_API_KEY,
  CREATE_TOPICS_VERSION,
  true,
);
export const CREATE_PARTITIONS = api(
  'CreatePartitions',
  CREATE_PARTITIONS_API_KEY,
  CREATE_PARTITIONS_VERSION,
  false,
);
export const ALTER_CONFIGS = api(
  'AlterConfigs',
  ALTER_CONFIGS_API_KEY,
  ALTER_CONFIGS_VERSION,
  false,
);
export const DELETE_TOPICS = api(
  'DeleteTopics',
  DELETE_TOPICS_API_KEY,
  DELETE_TOPICS_VERSION,
  true,
);
export const LIST_OFFSETS = api('ListOffsets', LIST_OFFSETS_API_KEY, LIST_OFFSETS_VERSION, false);
export const FIND_COORDINATOR = api(
  'FindCoordinator',
  FIND_COORDINATOR_API_KEY,
  FIND_COORDINATOR_VERSION,
  true,
);
export const DESCRIBE_GROUPS = api(
  'DescribeGroups',
  DESCRIBE_GROUPS_API_KEY,
  DESCRIBE_GROUPS_VERSION,
  true,
);
export const OFFSET_FETCH = api('OffsetFetch', OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION, true);
export const ALTER_PARTITION_REASSIGNMENTS = api(
  'AlterPartitionReassignments',
  ALTER_PARTITION_REASSIGNMENTS_API_KEY,
  PARTITION_REASSIGNMENTS_VERSION,
  true,
);
export const LIST_PARTITION_REASSIGNMENTS = api(
  'ListPartitionReassignments',
  LIST_PARTITION_REASSIGNMENTS_API_KEY,
  PARTITION_REASSIGNMENTS_VERSION,
  true,
);
export const DESCRIBE_QUORUM = api(
  'DescribeQuorum',
  DESCRIBE_QUORUM_API_KEY,
  DESCRIBE_QUORUM_VERSION,
  true,
);
/** DescribeCluster's version is picked per cluster (v2 lists fenced brokers, 4.0+). */
export const describeCluster = (version: number): Api =>
  api('DescribeCluster', DESCRIBE_CLUSTER_API_KEY, version, true);
export const INCREMENTAL_ALTER_CONFIGS = api(
  'IncrementalAlterConfigs',
  INCREMENTAL_ALTER_CONFIGS_API_KEY,
  INCREMENTAL_ALTER_CONFIGS_VERSION,
  false,
);
/** The response header of ApiVersions is v0 even for this flexible request. */
export const API_VERSIONS: Api = {
  ...api('ApiVersions', API_VERSIONS_API_KEY, API_VERSIONS_VERSION, true),
  responseHeaderFlexible: false,
};
export const UPDATE_FEATURES = api(
  'UpdateFeatures',
  UPDATE_FEATURES_API_KEY,
  UPDATE_FEATURES_VERSION,
  true,
);
export const ADD_RAFT_VOTER = api('AddRaftVoter', ADD_RAFT_VOTER_API_KEY, RAFT_VOTER_VERSION, true);
export const REMOVE_RAFT_VOTER = api(
  'RemoveRaftVoter',
  REMOVE_RAFT_VOTER_API_KEY,
  RAFT_VOTER_VERSION,
  true,
);
export const UNREGISTER_BROKER = api(
  'UnregisterBroker',
  UNREGISTER_BROKER_API_KEY,
  UNREGISTER_BROKER_VERSION,
  true,
);
export const DESCRIBE_USER_SCRAM_CREDENTIALS = api(
  'DescribeUserScramCredentials',
  DESCRIBE_USER_SCRAM_CREDENTIALS_API_KEY,
  USER_SCRAM_CREDENTIALS_VERSION,
  true,
);
export const ALTER_USER_SCRAM_CREDENTIALS = api(
  'AlterUserScramCredentials',
  ALTER_USER_SCRAM_CREDENTIALS_API_KEY,
  USER_SCRAM_CREDENTIALS_VERSION,
  true,
);
export const DESCRIBE_ACLS = api('DescribeAcls', DESCRIBE_ACLS_API_KEY, ACLS_VERSION, true);
export const CREATE_ACLS = api('CreateAcls', CREATE_ACLS_API_KEY, ACLS_VERSION, true);
export const DELETE_ACLS = api('DeleteAcls', DELETE_ACLS_API_KEY, ACLS_VERSION, true);
export const DESCRIBE_CLIENT_QUOTAS = api(
  'DescribeClientQuotas',
  DESCRIBE_CLIENT_QUOTAS_API_KEY,
  CLIENT_QUOTAS_VERSION,
  true,
);
export const ALTER_CLIENT_QUOTAS = api(
  'AlterClientQuotas',
  ALTER_CLIENT_QUOTAS_API_KEY,
  CLIENT_QUOTAS_VERSION,
  true,
);
/** Sent to each broker: it answers for its own log directories only. */
export const DESCRIBE_LOG_DIRS = api(
  'DescribeLogDirs',
  DESCRIBE_LOG_DIRS_API_KEY,
  DESCRIBE_LOG_DIRS_VERSION,
  true,
);
