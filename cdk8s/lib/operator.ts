// The kraftwerk operator's install as a cdk8s construct: the same objects as the Helm chart's
// default render (the drift test in operator.test.ts holds them together), built with
// cdk8s-plus-28 where it has a construct and escape hatches where it lacks a field.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, Duration, Include, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { operatorNodeOptions } from '../../operator/src/node-options.ts';
import {
  leaseRules,
  nodeRules,
  storageClassRules,
  watchRules,
  type Rule,
  type ScaleTarget,
} from './operator-rules.ts';

export interface KraftwerkOperatorProps {
  /** Namespace the operator runs in (created unless `createNamespace` is false). */
  readonly namespace?: string;
  readonly createNamespace?: boolean;
  /** Name of the Deployment, ServiceAccount and roles; default `kraftwerk`. */
  readonly name?: string;
  /** Operator version: the image tag and the app.kubernetes.io/version label. */
  readonly version: string;
  readonly imageRepository?: string;
  readonly replicas?: number;
  /** Namespaces to watch; empty (the default) watches all of them with a ClusterRole. */
  readonly watchNamespaces?: readonly string[];
  readonly leaderElection?: boolean;
  readonly leaseName?: string;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** V8 heap limits; default operator/src/node-options.ts. */
  readonly nodeOptions?: string;
  readonly httpPort?: number;
  readonly extraScaleTargets?: readonly ScaleTarget[];
  /** A ClusterRole to get StorageClasses (allowVolumeExpansion); default true. */
  readonly readStorageClasses?: boolean;
  /** A ClusterRole to list and watch Nodes (broker.rack from the node); default true. */
  readonly readNodes?: boolean;
  /** A PodDisruptionBudget (maxUnavailable 1) when replicas > 1; default true. */
  readonly podDisruptionBudget?: boolean;
  /** Directory of the CRD manifests to include; omit to leave CRDs out. */
  readonly crdsDir?: string;
}

/** Pod security of the restricted profile: the same numbers as the chart. */
const UID = 65532;

export class KraftwerkOperator extends Construct {
  readonly deployment: kplus.Deployment;
  readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: KraftwerkOperatorProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'kraftwerk-system';
    const name = props.name ?? 'kraftwerk';
    const watch = props.watchNamespaces ?? [];
    const leaderElection = props.leaderElection ?? true;
    const replicas = props.replicas ?? 2;
    const httpPort = props.httpPort ?? 8080;
    if (replicas > 1 && !leaderElection) {
      throw new Error('replicas > 1 needs leader election: two active operators would fight');
    }
    const selector = {
      'app.kubernetes.io/name': 'kraftwerk',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/component': 'operator',
    };
    const labels = {
      ...selector,
      'app.kubernetes.io/part-of': 'kraftwerk',
      'app.kubernetes.io/version': props.version,
      'app.kubernetes.io/managed-by': 'cdk8s',
    };
    // null: a cluster-scoped object.
    const meta = (objectName: string, ns: string | null = namespace) => ({
      name: objectName,
      ...(ns === null ? {} : { namespace: ns }),
      labels,
    });

    if (props.createNamespace ?? true) {
      new kplus.Namespace(this, 'namespace', { metadata: { name: namespace, labels } });
    }
    if (props.crdsDir !== undefined) {
      const dir = props.crdsDir;
      for (const file of readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()) {
        new Include(this, `crd-${file}`, { url: join(dir, file) });
      }
    }

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: meta(name),
      automountToken: true,
    });
    const subject = this.serviceAccount;
    const rules = watchRules(props.extraScaleTargets);
    if (watch.length === 0) {
      const role = new kplus.ClusterRole(this, 'cluster-role', { metadata: meta(name, null) });
      allow(role, rules);
      new kplus.ClusterRoleBinding(this, 'cluster-role-binding', {
        metadata: meta(name, null),
        role,
      }).addSubjects(subject);
    } else {
      for (const ns of watch) {
        const role = new kplus.Role(this, `role-${ns}`, { metadata: meta(name, ns) });
        allow(role, rules);
        new kplus.RoleBinding(this, `role-binding-${ns}`, {
          metadata: meta(name, ns),
          role,
        }).addSubjects(subject);
      }
    }
    if (props.readStorageClasses ?? true) {
      // Cluster-scoped: no Role in a watched namespace can grant it.
      const role = new kplus.ClusterRole(this, 'storageclasses-role', {
        metadata: meta(`${name}-storageclasses`, null),
      });
      allow(role, storageClassRules);
      new kplus.ClusterRoleBinding(this, 'storageclasses-binding', {
        metadata: meta(`${name}-storageclasses`, null),
        role,
      }).addSubjects(subject);
    }
    const readNodes = props.readNodes ?? true;
    if (readNodes) {
      const role = new kplus.ClusterRole(this, 'nodes-role', {
        metadata: meta(`${name}-nodes`, null),
      });
      allow(role, nodeRules);
      new kplus.ClusterRoleBinding(this, 'nodes-binding', {
        metadata: meta(`${name}-nodes`, null),
        role,
      }).addSubjects(subject);
    }
    if (leaderElection) {
      const role = new kplus.Role(this, 'leader-election-role', {
        metadata: meta(`${name}-leader-election`),
      });
      allow(role, leaseRules);
      new kplus.RoleBinding(this, 'leader-election-binding', {
        metadata: meta(`${name}-leader-election`),
        role,
      }).addSubjects(subject);
    }

    const tmp = kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(64) });
    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: meta(name),
      replicas,
      select: false,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: true, user: UID, group: UID },
      podMetadata: { labels: selector },
      volumes: [tmp],
      containers: [
        {
          name: 'operator',
          image: `${props.imageRepository ?? 'kraftwerk/operator'}:${props.version}`,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          workingDir: '/app',
          command: ['node', 'operator/src/main.ts'],
          envVariables: {
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
            // Each KafkaCluster's NetworkPolicy admits these pods to the replication port.
            KRAFTWERK_OPERATOR_POD_LABELS: kplus.EnvValue.fromValue(
              Object.entries(selector)
                .map(([k, v]) => `${k}=${v}`)
                .join(','),
            ),
            KRAFTWERK_WATCH_NAMESPACES: kplus.EnvValue.fromValue(watch.join(',')),
            KRAFTWERK_LEADER_ELECTION: kplus.EnvValue.fromValue(String(leaderElection)),
            KRAFTWERK_LEADER_ELECTION_NAMESPACE: kplus.EnvValue.fromValue(namespace),
            KRAFTWERK_LEASE_NAME: kplus.EnvValue.fromValue(props.leaseName ?? 'kraftwerk-operator'),
            KRAFTWERK_HTTP_PORT: kplus.EnvValue.fromValue(String(httpPort)),
            KRAFTWERK_LOG_LEVEL: kplus.EnvValue.fromValue(props.logLevel ?? 'info'),
            KRAFTWERK_READ_NODES: kplus.EnvValue.fromValue(String(readNodes)),
            NODE_OPTIONS: kplus.EnvValue.fromValue(props.nodeOptions ?? operatorNodeOptions),
          },
          ports: [{ name: 'http', number: httpPort, protocol: kplus.Protocol.TCP }],
          // Liveness is for a hung process, not a busy or paused one: a throttled event loop
          // gets 5 s per probe, and a leader paused past its Lease must live long enough to
          // find itself fenced and exit by itself (about a minute of silence before a kill).
          liveness: kplus.Probe.fromHttpGet('/healthz', {
            port: httpPort,
            periodSeconds: Duration.seconds(20),
            timeoutSeconds: Duration.seconds(5),
            failureThreshold: 3,
          }),
          readiness: kplus.Probe.fromHttpGet('/readyz', {
            port: httpPort,
            periodSeconds: Duration.seconds(5),
            failureThreshold: 2,
          }),
          resources: {
            cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
            memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
          },
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: [kplus.Capability.ALL] },
          },
          volumeMounts: [{ path: '/tmp', volume: tmp }],
        },
      ],
    });
    // cdk8s-plus-28 writes its own selector label unless told otherwise, and has no pod-level
    // seccompProfile: set both the way the chart does.
    this.deployment.select(kplus.LabelSelector.of({ labels: selector }));
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', {
        type: 'RuntimeDefault',
      }),
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
    );

    if ((props.podDisruptionBudget ?? true) && replicas > 1) {
      // cdk8s-plus-28 has no PodDisruptionBudget construct.
      new ApiObject(this, 'pod-disruption-budget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta(name),
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
      });
    }

    new kplus.Service(this, 'metrics-service', {
      metadata: meta(`${name}-metrics`),
      type: kplus.ServiceType.CLUSTER_IP,
      selector: kplus.Pods.select(this, 'operator-pods', { labels: selector }),
      ports: [
        {
          name: 'http-metrics',
          port: httpPort,
          targetPort: httpPort,
          protocol: kplus.Protocol.TCP,
        },
      ],
    });
  }
}

function allow(role: kplus.Role | kplus.ClusterRole, rules: readonly Rule[]): void {
  for (const rule of rules) {
    const resources = rule.groups.flatMap((apiGroup) =>
      rule.resources.map((resourceType) => kplus.ApiResource.custom({ apiGroup, resourceType })),
    );
    role.allow([...rule.verbs], ...resources);
  }
}
