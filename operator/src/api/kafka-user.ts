// KafkaUser: a user of a secured KafkaCluster — its credentials (SCRAM password or client
// certificate), its ACLs and its quotas. The operator writes a Secret of the same name holding
// everything a client needs. Wire-shaped metadata, as the API server sends it.
import type { ObjectMeta } from '../runtime/resource.ts';
import type { ResourceDefinition } from './crd.ts';
import { API_GROUP_VERSION } from './group-version.ts';
import { kinds } from './kinds.ts';
import { DNS_SUBDOMAIN_PATTERN } from './kafka-cluster.ts';
import { conditions } from './kubernetes-types.ts';
import { arr, enm, int, num, obj, optional, str, type Infer } from './schema-dsl.ts';

/** The principal's name as Kafka sees it: `User:<username>`. A client certificate carries it as
 *  its CN (the cluster's ssl.principal.mapping.rules take the CN), and a CN holds 64 characters. */
export const USERNAME_MAX_LENGTH = 64;
/** No ',', '=', '+', ';' or spaces: they would end the CN in the mapping rule, or split
 *  super.users; '@' and '.' are common in user names and safe everywhere. */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]*$';

/** Names that already mean something to Kafka or to kraftwerk: ANONYMOUS is every
 *  unauthenticated client (ACLs for it would open the cluster), kraftwerk-operator is the
 *  operator's own super-user identity. */
export const RESERVED_USERNAMES = ['ANONYMOUS', 'kraftwerk-operator'] as const;

/** Kafka's name of the one cluster resource (ResourcePattern for ResourceType CLUSTER). */
export const KAFKA_CLUSTER_RESOURCE_NAME = 'kafka-cluster';

export const ACL_OPERATIONS = [
  'All',
  'Read',
  'Write',
  'Create',
  'Delete',
  'Alter',
  'Describe',
  'ClusterAction',
  'DescribeConfigs',
  'AlterConfigs',
  'IdempotentWrite',
  'TwoPhaseCommit',
] as const;

/** The operations Kafka's authorizer checks on each resource type (AclEntry.supportedOperations
 *  of Kafka 4.1); an ACL granting another operation on that type never takes effect. `All` fits
 *  every type. Group DescribeConfigs/AlterConfigs (KIP-848 group configs) and transactional-id
 *  TwoPhaseCommit (KIP-939) are 4.x operations a 3.9 broker never checks. CreateTokens and
 *  DescribeTokens exist only on resource type User (delegation tokens), not modelled here. */
export const ACL_OPERATIONS_BY_RESOURCE = {
  topic: [
    'Read',
    'Write',
    'Create',
    'Describe',
    'Delete',
    'Alter',
    'DescribeConfigs',
    'AlterConfigs',
  ],
  group: ['Read', 'Describe', 'Delete', 'DescribeConfigs', 'AlterConfigs'],
  cluster: [
    'Create',
    'ClusterAction',
    'DescribeConfigs',
    'AlterConfigs',
    'IdempotentWrite',
    'Alter',
    'Describe',
  ],
  transactionalId: ['Describe', 'Write', 'TwoPhaseCommit'],
} as const satisfies Record<string, readonly (typeof ACL_OPERATIONS)[number][]>;

const celList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

const aclResourceSchema = obj({
  type: enm('topic', 'group', 'cluster', 'transactionalId').describe(
    'What the ACL is about: a topic, a consumer group, the cluster itself, or a transactional id.',
  ),
  name: optional(
    str()
      .minLength(1)
      .maxLength(255)
      .describe(
        'Name (literal) or name prefix (prefix) of the resource; "*" with patternType literal is every resource of the type. Not set for type cluster.',
      ),
  ),
  patternType: enm('literal', 'prefix')
    .default('literal')
    .describe('literal: exactly this name (or "*"); prefix: every name starting with it.'),
})
  .rule(
    "self.type == 'cluster' || has(self.name)",
    'resource.name is required for topic, group and transactionalId ACLs',
  )
  .rule(
    `self.type != 'cluster' || ((!has(self.name) || self.name == '${KAFKA_CLUSTER_RESOURCE_NAME}') && self.patternType == 'literal')`,
    `a cluster ACL names no resource (Kafka's cluster resource is "${KAFKA_CLUSTER_RESOURCE_NAME}", literal): remove resource.name and patternType`,
  )
  .rule(
    // has(): without a name the rule above speaks; this one must not fail evaluating.
    "self.patternType == 'literal' || !has(self.name) || self.name != '*'",
    'resource.name "*" is the wildcard only with patternType literal; a prefix "*" matches nothing',
  )
  .describe('The resource pattern the ACL applies to.');

const aclSchema = obj({
  resource: aclResourceSchema,
  operations: arr(enm(...ACL_OPERATIONS).describe('A Kafka ACL operation.'))
    .set()
    .minItems(1)
    .maxItems(ACL_OPERATIONS.length)
    .describe(
      'Operations allowed (or denied). topic: Read, Write, Create, Describe, Delete, Alter, DescribeConfigs, AlterConfigs; group: Read, Describe, Delete, DescribeConfigs, AlterConfigs; cluster: Create, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, Alter, Describe; transactionalId: Describe, Write, TwoPhaseCommit; All on any. Each at most once.',
    ),
  type: enm('allow', 'deny')
    .default('allow')
    .describe('allow grants the operations; deny refuses them even where another ACL allows.'),
  host: str()
    .minLength(1)
    .maxLength(45)
    .pattern('^(\\*|[0-9a-fA-F.:]+)$')
    .default('*')
    .describe('Client IP address the ACL applies to; "*" (default) for any.'),
})
  .rule(
    Object.entries(ACL_OPERATIONS_BY_RESOURCE)
      .map(
        ([type, ops]) =>
          `(self.resource.type == '${type}' && self.operations.all(o, o == 'All' || o in ${celList(ops)}))`,
      )
      .join(' || '),
    'an operation does not apply to this resource type (Kafka never checks it there): topic takes Read, Write, Create, Describe, Delete, Alter, DescribeConfigs, AlterConfigs; group Read, Describe, Delete, DescribeConfigs, AlterConfigs; cluster Create, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, Alter, Describe; transactionalId Describe, Write, TwoPhaseCommit; All fits any',
    { fieldPath: '.operations' },
  )
  .describe('One ACL entry of this user.');

export const kafkaUserSpecSchema = obj({
  cluster: str()
    .minLength(1)
    .maxLength(253)
    .immutable('spec.cluster is immutable: create another KafkaUser for another cluster')
    .describe('Name of the KafkaCluster in this namespace the user belongs to. Immutable.'),
  username: optional(
    str()
      .minLength(1)
      .maxLength(USERNAME_MAX_LENGTH)
      .pattern(USERNAME_PATTERN)
      .rule(
        `!(self in ${celList(RESERVED_USERNAMES)})`,
        `spec.username may not be ${RESERVED_USERNAMES.join(' or ')}: ANONYMOUS is every unauthenticated client and kraftwerk-operator is the operator's own identity`,
      )
      .describe(
        `User name in Kafka (principal User:<username>); defaults to metadata.name. Up to ${USERNAME_MAX_LENGTH} characters of [A-Za-z0-9._@-]. Immutable.`,
      ),
  ),
  authentication: obj({
    type: enm('scram-sha-512', 'tls').describe(
      "scram-sha-512: a password (generated, or taken from password.secretKeyRef); tls: a client certificate signed by the cluster's clients CA, renewed before it expires.",
    ),
    password: optional(
      obj({
        secretKeyRef: obj({
          name: str()
            .minLength(1)
            .maxLength(253)
            .pattern(DNS_SUBDOMAIN_PATTERN)
            .describe('A Secret in this namespace.'),
          // A Secret's data keys are [-._a-zA-Z0-9]+: any other key can never exist.
          key: str()
            .minLength(1)
            .maxLength(253)
            .pattern('^[-._a-zA-Z0-9]+$')
            .describe('The key holding the password.'),
        }).describe('Where the password is; changing that Secret rotates the password.'),
      }).describe(
        'Use this password instead of a generated one (scram-sha-512 only). The operator reads it and never writes that Secret.',
      ),
    ),
  })
    .rule(
      "self.type == 'scram-sha-512' || !has(self.password)",
      'authentication.password applies to scram-sha-512 only: a tls user authenticates with its certificate',
      { fieldPath: '.password' },
    )
    .describe('How the user proves who it is; the cluster needs a listener with the same type.'),
  authorization: optional(
    obj({
      acls: arr(aclSchema)
        .maxItems(256)
        .describe(
          'Every ACL of principal User:<username>, exactly: entries added outside are removed, removed entries are removed.',
        ),
    }).describe("The user's ACLs; the cluster needs authorization: {type: simple}."),
  ),
  quotas: optional(
    obj({
      // Kafka refuses a quota value <= 0 (ClientQuotaControlManager: INVALID_REQUEST); to lift
      // a quota, leave it out.
      producerByteRate: optional(
        int().format('int64').min(1).describe('Bytes per second the user may produce, per broker.'),
      ),
      consumerByteRate: optional(
        int().format('int64').min(1).describe('Bytes per second the user may fetch, per broker.'),
      ),
      requestPercentage: optional(
        num()
          .rule('self > 0.0', 'spec.quotas.requestPercentage must be greater than 0')
          .describe(
            'Share of one request handler and network thread the user may use, in percent per broker (100 = one thread).',
          ),
      ),
      controllerMutationRate: optional(
        num()
          .rule('self > 0.0', 'spec.quotas.controllerMutationRate must be greater than 0')
          .describe(
            'Partitions per second the user may create or delete (topic creations, partition additions, topic deletions).',
          ),
      ),
    }).describe('Quotas of the user (Kafka client quotas for entity user=<username>).'),
  ),
}).describe('Desired state of the user.');

export const kafkaUserStatusSchema = obj({
  observedGeneration: optional(
    int().format('int64').describe('The .metadata.generation this status was computed from.'),
  ),
  username: optional(str().describe('User name in Kafka.')),
  principal: optional(str().describe('Kafka principal of the user, User:<username>.')),
  secret: optional(
    str().describe('Secret holding the credentials and client configuration of the user.'),
  ),
  bootstrapServers: optional(
    str().describe('Bootstrap servers of the listener the Secret configures the client for.'),
  ),
  certificateNotAfter: optional(
    str().describe('When the client certificate expires (tls users); renewed before then.'),
  ),
  conditions: optional(conditions()),
}).describe('Observed state of the user, written by the operator.');

export type KafkaUserSpec = Infer<typeof kafkaUserSpecSchema>;
export type KafkaUserStatus = Infer<typeof kafkaUserStatusSchema>;
export type KafkaUserAcl = NonNullable<KafkaUserSpec['authorization']>['acls'][number];
export type KafkaUserQuotas = NonNullable<KafkaUserSpec['quotas']>;

export interface KafkaUser {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'KafkaUser';
  metadata: ObjectMeta;
  spec: KafkaUserSpec;
  status?: KafkaUserStatus;
}

const effectiveUsername = (o: string) =>
  `(has(${o}.spec.username) ? ${o}.spec.username : ${o}.metadata.name)`;

export const kafkaUserDefinition: ResourceDefinition = {
  kind: kinds.KafkaUser.kind,
  plural: kinds.KafkaUser.plural,
  singular: 'kafkauser',
  shortNames: ['ku'],
  description:
    'KafkaUser declares a user of a secured KafkaCluster: its credentials, ACLs and quotas. The operator writes a Secret of the same name with what a client needs, keeps ACLs and quotas exactly as declared, and removes them when the KafkaUser is deleted.',
  spec: kafkaUserSpecSchema,
  status: kafkaUserStatusSchema,
  rootRules: [
    {
      rule: `has(self.spec.username) || (size(self.metadata.name) <= ${USERNAME_MAX_LENGTH} && !(self.metadata.name in ${celList(RESERVED_USERNAMES)}))`,
      message: `metadata.name is longer than ${USERNAME_MAX_LENGTH} characters (a certificate CN's limit) or reserved (${RESERVED_USERNAMES.join(', ')}): set spec.username`,
      fieldPath: '.spec.username',
    },
    {
      rule: `${effectiveUsername('self')} == ${effectiveUsername('oldSelf')}`,
      message:
        'spec.username is immutable (it defaults to metadata.name): create another KafkaUser for another user',
      fieldPath: '.spec.username',
    },
  ],
  printerColumns: [
    {
      name: 'Cluster',
      type: 'string',
      jsonPath: '.spec.cluster',
      description: 'KafkaCluster the user belongs to.',
    },
    {
      name: 'Username',
      type: 'string',
      jsonPath: '.status.username',
      description: 'User name in Kafka.',
    },
    {
      name: 'Authentication',
      type: 'string',
      jsonPath: '.spec.authentication.type',
      description: 'How the user authenticates.',
    },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: 'Whether credentials, ACLs and quotas match the spec.',
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why the user is (not) ready.',
    },
    {
      name: 'Secret',
      type: 'string',
      jsonPath: '.status.secret',
      description: 'Secret with the client configuration.',
      priority: 1,
    },
    {
      name: 'Age',
      type: 'date',
      jsonPath: '.metadata.creationTimestamp',
      description: 'Time since creation.',
    },
  ],
};
