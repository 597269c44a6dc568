// KafkaCluster: an Apache Kafka cluster in KRaft mode (dedicated or combined controllers).
// Wire-shaped metadata (timestamps are RFC 3339 strings), as the API server sends it.
import type { ObjectMeta } from '../runtime/resource.ts';
import type { ResourceDefinition } from './crd.ts';
import { API_GROUP_VERSION } from './group-version.ts';
import { kinds } from './kinds.ts';
import {
  CLUSTER_NAME_PATTERN,
  clusterNameLimit,
  type NameBounds,
} from '../cluster/model/derived-names.ts';
import { METRICS_PORT } from '../cluster/render/kafka-metrics-config.ts';
import { conditions, podTemplate, quantity, resourceRequirements } from './kubernetes-types.ts';
import {
  CONFIG_KEY_PATTERN,
  configKeySyntaxMessage,
  OWNED_CONFIG_KEY_PATTERNS,
  OWNED_CONFIG_KEY_PREFIXES,
  OWNED_CONFIG_KEYS,
  RESERVED_LISTENER_NAMES,
  RESERVED_LISTENER_PORTS,
  ownedConfigKeyMessage,
} from './owned-config-keys.ts';
import {
  arr,
  bool,
  enm,
  int,
  intOrStr,
  map,
  obj,
  optional,
  str,
  type Infer,
} from './schema-dsl.ts';

export const DEFAULT_KAFKA_VERSION = '4.1.1';

/** The schema's size limits that derived object names depend on (see CLUSTER_NAME_LIMIT). */
const NAME_BOUNDS: NameBounds = { maxBrokers: 1000, maxControllers: 9, maxListenerNameLength: 11 };
/** How long metadata.name may be so that every object derived from it is a valid name. */
export const CLUSTER_NAME_LIMIT = clusterNameLimit(NAME_BOUNDS);

export function clusterNameLengthMessage(name: string): string {
  const l = CLUSTER_NAME_LIMIT;
  return `metadata.name must be at most ${l.maxLength} characters: ${l.what} '${l.before}${name}${l.after}' would exceed ${l.limit}`;
}

export const CLUSTER_NAME_PATTERN_MESSAGE =
  "metadata.name must be lower-case letters, digits and '-', starting with a letter and ending with a letter or digit: it names Services (RFC 1035 labels)";

export const ADVERTISED_HOST_MESSAGE =
  'advertisedHost must be a DNS name (lower-case RFC 1123 subdomain, labels of at most 63 characters) or an IPv4 address';

/** RFC 1123 subdomain with labels of at most 63 characters (an IPv4 address is one too). */
export const DNS_SUBDOMAIN_PATTERN =
  '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?([.][a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$';

export const MTLS_NEEDS_TLS_MESSAGE =
  'authentication type tls (client certificates) needs tls: true on the same listener: set tls: true, or use authentication type scram-sha-512';

export const NODEPORT_TLS_NEEDS_HOST_MESSAGE =
  "a nodeport listener with tls: true needs advertisedHost: the brokers' certificates must name the host clients dial, and node IPs are not known when certificates are issued; set advertisedHost to the DNS name or IP address clients use";

export const AUTHORIZATION_NEEDS_AUTHENTICATION_MESSAGE =
  'authorization needs a listener with authentication: without it every client is User:ANONYMOUS and no ACL can tell them apart; add authentication to a listener, or remove authorization';

export const RENEWAL_BEFORE_VALIDITY_MESSAGE =
  'certificates.renewalDays must be smaller than certificates.validityDays: otherwise a certificate would be due for renewal as soon as it is issued';

export const CA_OUTLIVES_LEAF_MESSAGE =
  'certificates.caValidityDays must be greater than certificates.validityDays: a certificate never outlives the CA that signs it, so a CA that lives no longer than its certificates cuts them short and turns every renewal into a CA key replacement (three rolls instead of one)';

export const CA_RENEWAL_BEFORE_VALIDITY_MESSAGE =
  'certificates.caRenewalDays must be smaller than certificates.caValidityDays: otherwise a CA would be due for replacement as soon as it is issued';

export const CA_RENEWAL_AFTER_LEAF_MESSAGE =
  'certificates.caRenewalDays must be at least certificates.renewalDays: a certificate that ends with its CA is renewed by the CA key replacement (three rolls), which must not start later than a certificate renewal (one roll) would';

export const ROLL_BY_RACK_NEEDS_RACK_MESSAGE =
  'roll.strategy RackAtATime needs rack.topologyKey: without racks there is nothing to roll by; set rack.topologyKey (e.g. topology.kubernetes.io/zone) or use OneAtATime';

/** A Kafka principal as super.users takes it: no whitespace, no ';' (the list separator). */
export const SUPER_USER_PATTERN = '^User:[^;\\s]+$';

export const SUPER_USER_MESSAGE =
  "authorization.superUsers entries are Kafka principals 'User:<name>' (no whitespace or ';'), e.g. User:admin";

export const SECURITY_IN_PLACE_MESSAGE =
  'a running cluster cannot be secured or made plaintext in place: the controller and replication listeners would switch between PLAINTEXT and TLS in one roll, and pods on the two sides of the roll could not reach each other (the quorum would split); create a new cluster with the security you want and move clients to it (migration in place is a later feature). Adding or changing secured listeners of a secured cluster is fine';

export const METRICS_PORT_TAKEN_MESSAGE = `listener port ${METRICS_PORT} is the metrics port (the JMX exporter of spec.metrics, on by default): choose another port, or set metrics.enabled to false`;

const celString = (s: string) => `'${s}'`;
/** A regular expression as the body of a CEL string literal (CEL reads `\\` as `\`). */
const celEscape = (s: string) => s.replaceAll('\\', '\\\\');
/** "a, b and c" */
const words = (items: readonly (string | number)[]) =>
  items.length < 2
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${String(items[items.length - 1])}`;
const celList = (items: readonly (string | number)[]) =>
  `[${items.map((i) => (typeof i === 'string' ? celString(i) : String(i))).join(', ')}]`;

/** CEL: whether the spec `s` is secured, as isSecured(spec) says. */
const securedCel = (s: string) =>
  `${s}.listeners.exists(l, (has(l.tls) && l.tls) || has(l.authentication))`;

const storage = () =>
  obj({
    type: enm('persistent-claim', 'ephemeral').describe(
      'persistent-claim keeps data on a PersistentVolumeClaim per node; ephemeral uses an emptyDir that dies with the pod. Immutable.',
    ),
    size: optional(
      quantity().describe(
        'Size of each PersistentVolumeClaim (persistent-claim); may grow, never shrink.',
      ),
    ),
    storageClassName: optional(
      str()
        .maxLength(253)
        .describe(
          'StorageClass of the claims (persistent-claim); default: the cluster default. Immutable.',
        ),
    ),
    deleteClaim: optional(
      bool().describe(
        "persistent-claim: kraftwerk deletes a node's claim once the node is scaled away (drained and unregistered first), and every claim once the deleted KafkaCluster's pods are gone. Default false: claims outlive scale-downs and the resource.",
      ),
    ),
    sizeLimit: optional(quantity().describe('Limit of the emptyDir volume (ephemeral).')),
  })
    .rule(
      "self.type != 'persistent-claim' || has(self.size)",
      'storage.size is required for persistent-claim storage',
      {
        fieldPath: '.size',
      },
    )
    .rule(
      "self.type == 'persistent-claim' || (!has(self.size) && !has(self.storageClassName) && !has(self.deleteClaim))",
      'size, storageClassName and deleteClaim apply only to persistent-claim storage (use sizeLimit for ephemeral)',
    )
    .rule(
      "self.type == 'ephemeral' || !has(self.sizeLimit)",
      'storage.sizeLimit applies only to ephemeral storage',
      {
        fieldPath: '.sizeLimit',
      },
    )
    .rule(
      'self.type == oldSelf.type',
      'storage.type is immutable: changing it would replace every volume',
      {
        fieldPath: '.type',
      },
    )
    .rule(
      '!has(self.size) || !has(oldSelf.size) || quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0',
      'storage.size may not shrink: PersistentVolumeClaims cannot be made smaller',
      { fieldPath: '.size' },
    )
    .rule(
      "(has(self.storageClassName) ? self.storageClassName : '') == (has(oldSelf.storageClassName) ? oldSelf.storageClassName : '')",
      'storage.storageClassName is immutable: existing claims cannot move to another class',
      { fieldPath: '.storageClassName' },
    )
    .describe('Where each node keeps its log and metadata directories.');

const jvm = () =>
  obj({
    heap: optional(
      str()
        .pattern('^[0-9]+[kKmMgG]?$')
        .maxLength(16)
        .describe(
          'JVM heap (-Xms and -Xmx), e.g. 512m or 2g; default: derived from the memory request.',
        ),
    ),
  }).describe('JVM settings of the Kafka process.');

const nodePool = (role: 'controllers' | 'brokers', defaultReplicas: number, maxReplicas: number) =>
  obj({
    replicas: int()
      .format('int32')
      .min(1)
      .max(maxReplicas)
      .default(defaultReplicas)
      .describe(
        role === 'controllers'
          ? 'Number of KRaft controllers (an odd number tolerates the most failures); scaled with dynamic quorum membership.'
          : 'Number of brokers; also the scale subresource (kubectl scale kc/<name> --replicas=N). Scale-down drains partitions first.',
      ),
    storage: storage(),
    resources: optional(resourceRequirements()),
    jvm: optional(jvm()),
  });

const listener = () =>
  obj({
    name: str()
      .maxLength(NAME_BOUNDS.maxListenerNameLength)
      .pattern(`^[a-z][a-z0-9]{0,${NAME_BOUNDS.maxListenerNameLength - 1}}$`)
      .describe(
        'Listener name: lowercase letters and digits, starting with a letter, at most 11 characters.',
      )
      .rule(
        `!(self in ${celList(RESERVED_LISTENER_NAMES)})`,
        `listener names ${words(RESERVED_LISTENER_NAMES)} are reserved for kraftwerk's own listeners`,
      ),
    port: int()
      .min(1024)
      .max(65535)
      .describe('Container port the listener binds.')
      .rule(
        `!(self in ${celList(RESERVED_LISTENER_PORTS)})`,
        `listener ports ${words(RESERVED_LISTENER_PORTS)} are reserved for kraftwerk's own listeners`,
      ),
    type: enm('internal', 'nodeport').describe(
      'internal: reachable inside the Kubernetes cluster through the bootstrap Service; nodeport: one NodePort Service per broker.',
    ),
    nodePortBase: optional(
      int()
        .min(30000)
        .max(32767)
        .describe('nodeport only: broker i is exposed on node port nodePortBase + i.'),
    ),
    advertisedHost: optional(
      str()
        .minLength(1)
        .maxLength(253)
        .describe(
          'nodeport only: host name (RFC 1123, lower case) or IPv4 address clients use to reach the nodes, e.g. localhost on kind; default: the IP of the node each broker pod runs on.',
        )
        .rule(`self.matches('${DNS_SUBDOMAIN_PATTERN}')`, ADVERTISED_HOST_MESSAGE),
    ),
    tls: optional(
      bool().describe(
        'Encrypt this listener with TLS; brokers present a certificate of the cluster CA (Secret <cluster>-cluster-ca-cert holds the CA clients trust). Default false.',
      ),
    ),
    authentication: optional(
      obj({
        type: enm('scram-sha-512', 'tls').describe(
          'scram-sha-512: SASL SCRAM-SHA-512 user name and password; tls: a client certificate signed by the clients CA (needs tls: true).',
        ),
      }).describe('How clients of this listener prove who they are. Default: not at all.'),
    ),
  })
    .rule(
      "self.type == 'nodeport' || (!has(self.nodePortBase) && !has(self.advertisedHost))",
      'nodePortBase and advertisedHost apply only to nodeport listeners',
    )
    .rule(
      "self.type != 'nodeport' || has(self.nodePortBase)",
      'a nodeport listener needs nodePortBase',
      {
        fieldPath: '.nodePortBase',
      },
    )
    .rule(
      "!has(self.authentication) || self.authentication.type != 'tls' || (has(self.tls) && self.tls)",
      MTLS_NEEDS_TLS_MESSAGE,
      { fieldPath: '.authentication.type' },
    )
    .rule(
      "self.type != 'nodeport' || !has(self.tls) || !self.tls || has(self.advertisedHost)",
      NODEPORT_TLS_NEEDS_HOST_MESSAGE,
      { fieldPath: '.tls' },
    )
    .describe('A listener clients connect to.');

// Kafka pod fields beyond the placement pieces every kraftwerk pod template has.
export const DEFAULT_TERMINATION_GRACE_SECONDS = 120;
export const POD_SPREAD_MODES = ['required', 'preferred', 'none'] as const;
export type PodSpreadMode = (typeof POD_SPREAD_MODES)[number];
const kafkaPodTemplate = () =>
  obj({
    ...podTemplate().shape,
    terminationGracePeriodSeconds: optional(
      int()
        .format('int64')
        .min(10)
        .max(3600)
        .describe(
          `Seconds a Kafka pod gets to stop after SIGTERM (default ${DEFAULT_TERMINATION_GRACE_SECONDS}): a broker's controlled shutdown moves its partition leadership away first. Too short and the kill is unclean: the next start recovers its logs, which can take long.`,
        ),
    ),
    spread: optional(
      enm(...POD_SPREAD_MODES).describe(
        "How kraftwerk spreads each role's pods over nodes (kubernetes.io/hostname) and, with rack.topologyKey, over its values: required (default) lets the scheduler place at most one pod more on a node than on any other eligible node and leaves the rest Pending; preferred asks the same but packs pods when nodes are short; none adds no constraint. A topologySpreadConstraints entry of your own wins for its topologyKey.",
      ),
    ),
  }).describe('Customisations of the Kafka pods kraftwerk renders.');

const configValue = () => intOrStr().describe('A configuration value.');

/** server.properties overrides, refusing the keys the operator writes itself. */
const serverConfig = () => {
  // The syntax check comes first: the owned-key rules compare exact keys, so a key with
  // trailing whitespace (which Java's Properties would read as the owned key) must never pass.
  const malformed = `!k.matches(${celString(CONFIG_KEY_PATTERN)})`;
  let config = map(configValue())
    .maxProperties(256)
    .ruleWithMessageExpression(
      `!self.exists(k, ${malformed})`,
      // The shared message with the key spliced in (its text holds no double quote).
      `"${configKeySyntaxMessage('" + self.filter(k, ' + malformed + ')[0] + "')}"`,
    )
    .describe(
      `server.properties overrides, e.g. {min.insync.replicas: "2"}. Keys kraftwerk manages itself (${OWNED_CONFIG_KEYS.join(', ')}, ${OWNED_CONFIG_KEY_PREFIXES.map((p) => `${p}*`).join(', ')}, and the ssl.* and sasl.* settings of any listener: listener.name.<listener>.ssl.*, listener.name.<listener>.<mechanism>.sasl.*) are refused; ssl.enabled.protocols and ssl.cipher.suites are yours to tune.`,
    );
  for (const key of OWNED_CONFIG_KEYS) {
    config = config.rule(`!(${celString(key)} in self)`, ownedConfigKeyMessage(key));
  }
  for (const prefix of OWNED_CONFIG_KEY_PREFIXES) {
    const owned = `k.startsWith(${celString(prefix)})`;
    config = config.ruleWithMessageExpression(
      `!self.exists(k, ${owned})`,
      `"config key '" + self.filter(k, ${owned})[0] + "' is managed by kraftwerk; remove it"`,
    );
  }
  for (const pattern of OWNED_CONFIG_KEY_PATTERNS) {
    const owned = `k.matches(${celString(pattern)})`;
    config = config.ruleWithMessageExpression(
      `!self.exists(k, ${owned})`,
      `"config key '" + self.filter(k, ${owned})[0] + "' is managed by kraftwerk; remove it"`,
    );
  }
  return config;
};

export const kafkaClusterSpecSchema = obj({
  version: str()
    .pattern('^[0-9]+\\.[0-9]+\\.[0-9]+$')
    .maxLength(32)
    .default(DEFAULT_KAFKA_VERSION)
    .rule(
      "self.matches('^(3\\\\.9|[4-9]\\\\.[0-9]+|[1-9][0-9]+\\\\.[0-9]+)\\\\.[0-9]+$')",
      'kraftwerk supports Kafka 3.9 and later (KRaft with dynamic quorum)',
    )
    .describe('Apache Kafka version, e.g. 4.1.1. The image defaults to apache/kafka:<version>.'),
  image: optional(
    str()
      .minLength(1)
      .maxLength(512)
      .describe(
        'Container image override (air-gapped registries, local builds); must contain the given version.',
      ),
  ),
  controllers: optional(
    nodePool('controllers', 3, NAME_BOUNDS.maxControllers).describe(
      'Dedicated KRaft controller quorum. Omit for combined mode, where brokers also act as controllers.',
    ),
  ),
  brokers: nodePool('brokers', 3, NAME_BOUNDS.maxBrokers).describe(
    'The brokers that store data and serve clients.',
  ),
  listeners: arr(listener())
    .mapKeys('name')
    .minItems(1)
    .maxItems(8)
    .default([{ name: 'internal', port: 9092, type: 'internal' }])
    .rule('self.all(l, self.exists_one(m, m.port == l.port))', 'listener ports must be unique')
    .rule("self.exists(l, l.type == 'internal')", 'at least one internal listener is required')
    .describe(
      'Listeners clients connect to; names and ports unique. Default: one internal listener on 9092.',
    ),
  config: optional(serverConfig()),
  certificates: optional(
    obj({
      validityDays: int()
        .min(2)
        .max(3650)
        .default(365)
        .describe(
          'How long the node and operator certificates the operator issues are valid, in days (default 365); smaller than caValidityDays.',
        ),
      renewalDays: int()
        .min(1)
        .max(3649)
        .default(30)
        .describe(
          'Re-issue a node or operator certificate this many days before it expires (default 30; one roll); smaller than validityDays.',
        ),
      caValidityDays: int()
        .min(2)
        .max(7300)
        .default(1825)
        .describe(
          'How long the cluster CA and the clients CA are valid, in days (default 1825, five years); greater than validityDays. Applies to CAs issued from now on.',
        ),
      caRenewalDays: int()
        .min(1)
        .max(7299)
        .default(90)
        .describe(
          'Start replacing a CA key this many days before the CA expires (default 90): three rolls (trust both CAs, re-issue the certificates, drop the old CA); at least renewalDays, smaller than caValidityDays.',
        ),
    })
      .rule(
        '!has(self.renewalDays) || !has(self.validityDays) || self.renewalDays < self.validityDays',
        RENEWAL_BEFORE_VALIDITY_MESSAGE,
        { fieldPath: '.renewalDays' },
      )
      .rule(
        '!has(self.caValidityDays) || !has(self.validityDays) || self.caValidityDays > self.validityDays',
        CA_OUTLIVES_LEAF_MESSAGE,
        { fieldPath: '.caValidityDays' },
      )
      .rule(
        '!has(self.caRenewalDays) || !has(self.caValidityDays) || self.caRenewalDays < self.caValidityDays',
        CA_RENEWAL_BEFORE_VALIDITY_MESSAGE,
        { fieldPath: '.caRenewalDays' },
      )
      .rule(
        '!has(self.caRenewalDays) || !has(self.renewalDays) || self.caRenewalDays >= self.renewalDays',
        CA_RENEWAL_AFTER_LEAF_MESSAGE,
        { fieldPath: '.caRenewalDays' },
      )
      .describe(
        'Certificates the operator issues for TLS listeners and cluster-internal traffic: a cluster CA and a clients CA, renewed before they expire.',
      ),
  ),
  authorization: optional(
    obj({
      type: enm('simple').describe("simple: Kafka's StandardAuthorizer (ACLs in KRaft metadata)."),
      superUsers: optional(
        arr(
          str()
            .minLength(6)
            .maxLength(256)
            .describe('A Kafka principal, e.g. User:admin.')
            .rule(`self.matches(${celString(celEscape(SUPER_USER_PATTERN))})`, SUPER_USER_MESSAGE),
        )
          .maxItems(64)
          .describe(
            "Principals allowed everything; the operator's own identity and the cluster's nodes are always super-users.",
          ),
      ),
    }).describe('Authorization of client requests. Default: none (every client may do anything).'),
  ),
  rack: optional(
    obj({
      topologyKey: str()
        .minLength(1)
        .maxLength(316)
        .describe(
          "Node label whose value becomes broker.rack, e.g. topology.kubernetes.io/zone. The operator copies it from each broker's node; the pods are also spread over its values (template.pod.spread).",
        ),
    }).describe('Rack awareness: spread pods and replicas across the values of a node label.'),
  ),
  roll: optional(
    obj({
      strategy: enm('OneAtATime', 'RackAtATime')
        .default('OneAtATime')
        .describe(
          'OneAtATime (default): one pod at a time. RackAtATime: the outdated brokers of one rack restart together when every partition keeps min.insync.replicas in-sync replicas outside that rack (else that rack goes one at a time); controllers, combined nodes and brokers without a rack still go one at a time. Needs rack.topologyKey.',
        ),
    }).describe('How rolling restarts proceed.'),
  ),
  metrics: optional(
    obj({
      enabled: bool()
        .default(true)
        .describe(
          'Run the Prometheus JMX exporter agent in every broker and controller: /metrics on port 9404 (named metrics), with prometheus.io/* pod annotations and the port on the headless Services. Default true; false removes the agent from the pods (one roll).',
        ),
      exporter: optional(
        obj({
          configMapKeyRef: obj({
            name: str()
              .minLength(1)
              .maxLength(253)
              .pattern(DNS_SUBDOMAIN_PATTERN)
              .describe("A ConfigMap in the KafkaCluster's namespace."),
            // A ConfigMap's data keys are [-._a-zA-Z0-9]+: any other key can never exist.
            key: str()
              .minLength(1)
              .maxLength(253)
              .pattern('^[-._a-zA-Z0-9]+$')
              .describe('The key holding the JMX exporter configuration (YAML).'),
          }).describe(
            "Your own JMX exporter configuration (rules, includeObjectNames, ...) instead of kraftwerk's. The pods mount that ConfigMap; the agent reloads the file when it changes, without a restart. Alert rules and dashboards written for kraftwerk's metric names need those names.",
          ),
        }).describe("What the exporter exports. Default: kraftwerk's rules (docs/metrics.md)."),
      ),
    })
      .rule(
        '!has(self.exporter) || !has(self.enabled) || self.enabled',
        'metrics.exporter applies only when metrics.enabled is true',
        { fieldPath: '.exporter' },
      )
      .describe(
        "Prometheus metrics of the Kafka pods (docs/metrics.md). Default: enabled, with kraftwerk's rules.",
      ),
  ),
  template: optional(
    obj({
      pod: optional(kafkaPodTemplate()),
      podDisruptionBudget: optional(
        obj({
          maxUnavailable: int()
            .min(0)
            .default(1)
            .describe(
              'Brokers that may be voluntarily evicted at once (node drains). KRaft voters (controllers, combined nodes) get at most floor((n-1)/2), so a drain never takes the quorum majority; a single voter gets 0 and a drain waits for it. Above 1 it must be smaller than brokers.replicas.',
            ),
        }).describe('The PodDisruptionBudget rendered for each role.'),
      ),
    }).describe('Customisations of the rendered Kubernetes objects.'),
  ),
})
  .rule(
    'self.listeners.all(l, !has(l.nodePortBase) || l.nodePortBase + self.brokers.replicas - 1 <= 32767)',
    'a nodeport listener needs one node port per broker: nodePortBase + brokers.replicas - 1 must not exceed 32767',
    { fieldPath: '.listeners' },
  )
  .rule(
    'self.listeners.all(a, self.listeners.all(b, a.name == b.name || !has(a.nodePortBase) || !has(b.nodePortBase) || a.nodePortBase + self.brokers.replicas <= b.nodePortBase || b.nodePortBase + self.brokers.replicas <= a.nodePortBase))',
    'the node port ranges (nodePortBase .. nodePortBase + brokers.replicas - 1) of nodeport listeners overlap',
    { fieldPath: '.listeners' },
  )
  .rule(
    '!has(self.template) || !has(self.template.podDisruptionBudget) || self.template.podDisruptionBudget.maxUnavailable <= 1 || self.template.podDisruptionBudget.maxUnavailable < self.brokers.replicas',
    'template.podDisruptionBudget.maxUnavailable above 1 must be smaller than brokers.replicas: a node drain may never evict every broker',
    { fieldPath: '.template.podDisruptionBudget.maxUnavailable' },
  )
  .rule(
    "!has(self.roll) || !has(self.roll.strategy) || self.roll.strategy != 'RackAtATime' || has(self.rack)",
    ROLL_BY_RACK_NEEDS_RACK_MESSAGE,
    { fieldPath: '.roll.strategy' },
  )
  .rule(
    '!has(self.authorization) || self.listeners.exists(l, has(l.authentication))',
    AUTHORIZATION_NEEDS_AUTHENTICATION_MESSAGE,
    { fieldPath: '.authorization' },
  )
  // Secured = any listener with tls or authentication (isSecured in cluster/model/security.ts).
  .rule(`${securedCel('self')} == ${securedCel('oldSelf')}`, SECURITY_IN_PLACE_MESSAGE, {
    fieldPath: '.listeners',
  })
  .rule(
    `(has(self.metrics) && has(self.metrics.enabled) && !self.metrics.enabled) || !self.listeners.exists(l, l.port == ${METRICS_PORT})`,
    METRICS_PORT_TAKEN_MESSAGE,
    { fieldPath: '.listeners' },
  )
  .rule(
    'has(self.controllers) == has(oldSelf.controllers)',
    'spec.controllers cannot be added or removed: switching between combined and dedicated controllers is not supported',
    { fieldPath: '.controllers' },
  )
  .describe('Desired state of the Kafka cluster.');

const poolStatus = (role: 'controllers' | 'brokers') =>
  obj({
    replicas: optional(int().format('int32').describe(`${role} that exist now.`)),
    readyReplicas: optional(int().format('int32').describe(`${role} whose pods are ready.`)),
    nodeIds: optional(
      arr(int().describe('A Kafka node.id.'))
        .maxItems(1000)
        .describe(`Kafka node IDs of the ${role}.`),
    ),
    ...(role === 'controllers'
      ? {
          leaderId: optional(int().describe('node.id of the active controller (quorum leader).')),
          lag: optional(
            int()
              .format('int64')
              .describe(
                "Records the furthest-behind voter's log is behind the quorum leader's (0: all caught up).",
              ),
          ),
        }
      : {}),
    ...(role === 'brokers'
      ? {
          selector: optional(
            str().describe('Label selector of the broker pods (for the scale subresource).'),
          ),
        }
      : {}),
  }).describe(`Observed state of the ${role}.`);

export const kafkaClusterStatusSchema = obj({
  observedGeneration: optional(
    int().format('int64').describe('The .metadata.generation this status was computed from.'),
  ),
  clusterId: optional(
    str()
      .immutable('status.clusterId never changes once generated')
      .describe('KRaft cluster ID, generated once when the cluster is first created.'),
  ),
  kafkaVersion: optional(str().describe('Kafka version every node runs now.')),
  metadataVersion: optional(str().describe('Finalized metadata.version of the cluster.')),
  listeners: optional(
    arr(
      obj({
        name: str().describe('Listener name.'),
        bootstrapServers: str().describe(
          'host:port list clients use to connect through this listener.',
        ),
        securityProtocol: optional(
          enm('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL').describe(
            "Kafka's security.protocol for clients of this listener.",
          ),
        ),
        saslMechanism: optional(
          str().describe('sasl.mechanism for clients of this listener, e.g. SCRAM-SHA-512.'),
        ),
        caSecret: optional(
          str().describe(
            'TLS listeners: the Secret (key ca.crt) holding the CA certificates clients trust.',
          ),
        ),
      }).describe('How to reach one listener.'),
    )
      .mapKeys('name')
      .maxItems(8)
      .describe('Bootstrap addresses per listener.'),
  ),
  controllers: optional(poolStatus('controllers')),
  brokers: optional(poolStatus('brokers')),
  partitions: optional(
    obj({
      total: int().format('int32').describe('Partitions of all topics, internal ones included.'),
      underReplicated: int()
        .format('int32')
        .describe('Partitions with fewer in-sync replicas than replicas.'),
      underMinIsr: int()
        .format('int32')
        .describe(
          'Partitions with fewer in-sync replicas than min.insync.replicas: acks=all writes to them fail.',
        ),
      offline: int()
        .format('int32')
        .describe('Partitions without a leader: neither readable nor writable.'),
    }).describe(
      'Partition health as Kafka reported it at the last reconcile; absent while Kafka cannot be asked.',
    ),
  ),
  conditions: optional(conditions()),
}).describe('Observed state of the cluster, written by the operator.');

export type KafkaClusterSpec = Infer<typeof kafkaClusterSpecSchema>;
export type KafkaClusterStatus = Infer<typeof kafkaClusterStatusSchema>;
export type KafkaListener = KafkaClusterSpec['listeners'][number];
export type KafkaNodePool = KafkaClusterSpec['brokers'];
export type KafkaStorage = KafkaNodePool['storage'];

export interface KafkaCluster {
  apiVersion: typeof API_GROUP_VERSION;
  kind: 'KafkaCluster';
  metadata: ObjectMeta;
  spec: KafkaClusterSpec;
  status?: KafkaClusterStatus;
}

const ready = '.status.conditions[?(@.type=="Ready")]';

export const kafkaClusterDefinition: ResourceDefinition = {
  kind: kinds.KafkaCluster.kind,
  plural: kinds.KafkaCluster.plural,
  singular: 'kafkacluster',
  shortNames: ['kc'],
  description:
    'KafkaCluster runs an Apache Kafka cluster in KRaft mode: a controller quorum and brokers as StatefulSets, with listeners, configuration and safe rolling restarts managed by kraftwerk.',
  spec: kafkaClusterSpecSchema,
  status: kafkaClusterStatusSchema,
  rootRules: [
    {
      rule: `size(self.metadata.name) <= ${CLUSTER_NAME_LIMIT.maxLength}`,
      // The shared message with the user's name spliced in (its text holds no double quote).
      messageExpression: `"${clusterNameLengthMessage('" + self.metadata.name + "')}"`,
    },
    {
      rule: `self.metadata.name.matches(${celString(CLUSTER_NAME_PATTERN)})`,
      message: CLUSTER_NAME_PATTERN_MESSAGE,
    },
  ],
  printerColumns: [
    {
      name: 'Version',
      type: 'string',
      jsonPath: '.spec.version',
      description: 'Desired Kafka version.',
    },
    {
      name: 'Controllers',
      type: 'integer',
      jsonPath: '.spec.controllers.replicas',
      description: 'Desired controllers (empty: combined mode).',
    },
    {
      name: 'Brokers',
      type: 'integer',
      jsonPath: '.spec.brokers.replicas',
      description: 'Desired brokers.',
    },
    {
      name: 'Ready Brokers',
      type: 'integer',
      jsonPath: '.status.brokers.readyReplicas',
      description: 'Brokers whose pods are ready.',
    },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: `${ready}.status`,
      description: 'Whether the cluster matches its spec and serves clients.',
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: `${ready}.reason`,
      description: 'Why the cluster is (not) ready.',
    },
    {
      name: 'Under-Replicated',
      type: 'integer',
      jsonPath: '.status.partitions.underReplicated',
      description: 'Partitions with replicas out of sync.',
    },
    {
      name: 'Offline',
      type: 'integer',
      jsonPath: '.status.partitions.offline',
      description: 'Partitions without a leader.',
    },
    {
      name: 'Quorum Leader',
      type: 'integer',
      jsonPath: '.status.controllers.leaderId',
      description: 'node.id of the active controller.',
      priority: 1,
    },
    {
      name: 'Quorum Lag',
      type: 'integer',
      jsonPath: '.status.controllers.lag',
      description: 'Records the furthest-behind voter is behind the leader.',
      priority: 1,
    },
    {
      name: 'Cluster ID',
      type: 'string',
      jsonPath: '.status.clusterId',
      description: 'KRaft cluster ID.',
      priority: 1,
    },
    {
      name: 'Metadata',
      type: 'string',
      jsonPath: '.status.metadataVersion',
      description: 'Finalized metadata.version.',
      priority: 1,
    },
    {
      name: 'Age',
      type: 'date',
      jsonPath: '.metadata.creationTimestamp',
      description: 'Time since creation.',
    },
  ],
  scale: {
    specReplicasPath: '.spec.brokers.replicas',
    statusReplicasPath: '.status.brokers.replicas',
    labelSelectorPath: '.status.brokers.selector',
  },
};
