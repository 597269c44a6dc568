// What must be equal between the Helm chart's render and the cdk8s install manifest: each
// object's identity and the fields that change what the operator can do or how it runs.
// Tool-specific decoration (helm.sh/chart and managed-by labels, cdk8s-plus defaults that
// equal the API server's own defaults) is left out; named ports are resolved to numbers.
import { permissions, type Rule } from '../../cdk8s/lib/operator-rules.ts';
import { idOf, type Manifest } from './packaging-tools.ts';

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

const LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/version',
];

function pick(o: Obj, keys: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** RBAC rules as a sorted "group/resource:verb" list. */
export function rulePermissions(rules: unknown): string[] {
  return permissions(
    asList(rules).map((r): Rule => ({
      groups: (r.apiGroups as string[]) ?? [],
      resources: (r.resources as string[]) ?? [],
      verbs: (r.verbs as string[]) ?? [],
    })),
  );
}

/** Quantities compared by value: "0.5" and "500m" are the same CPU. */
function quantity(v: unknown): string {
  const s = String(v);
  const m = /^([0-9.]+)(m|Ki|Mi|Gi)?$/.exec(s);
  if (!m) return s;
  const scale: Record<string, number> = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return String(Number(m[1]) * (m[2] ? scale[m[2]]! : 1));
}

function resources(r: unknown): Obj {
  const out: Obj = {};
  for (const [kind, list] of Object.entries(asObj(r))) {
    out[kind] = Object.fromEntries(
      Object.entries(asObj(list)).map(([k, v]) => [k, quantity(v)] as const),
    );
  }
  return out;
}

function containerView(c: Obj): Obj {
  const ports = new Map<string, unknown>(
    asList(c.ports).map((p) => [String(p.name), p.containerPort] as const),
  );
  const port = (p: unknown) => (typeof p === 'string' && ports.has(p) ? ports.get(p) : p);
  const probe = (p: unknown) => {
    const o = asObj(p);
    const get = asObj(o.httpGet);
    return {
      path: get.path,
      port: port(get.port),
      periodSeconds: o.periodSeconds,
      failureThreshold: o.failureThreshold,
    };
  };
  const sc = asObj(c.securityContext);
  return {
    ...pick(c, ['name', 'image', 'imagePullPolicy', 'command', 'args', 'workingDir']),
    env: asList(c.env).sort((a, b) => String(a.name).localeCompare(String(b.name))),
    ports: asList(c.ports).map((p) => ({ protocol: 'TCP', ...p })),
    livenessProbe: probe(c.livenessProbe),
    readinessProbe: probe(c.readinessProbe),
    resources: resources(c.resources),
    securityContext: {
      ...pick(sc, ['allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'runAsNonRoot']),
      privileged: sc.privileged ?? false,
      capabilities: sc.capabilities,
    },
    volumeMounts: c.volumeMounts,
  };
}

export function containerPorts(m: Manifest): Map<string, unknown> {
  const pod = asObj(asObj(asObj(m.spec).template).spec);
  return new Map(
    asList(pod.containers).flatMap((c) =>
      asList(c.ports).map((p) => [String(p.name), p.containerPort] as const),
    ),
  );
}

function view(m: Manifest, podPorts: Map<string, unknown>): Obj {
  const head = {
    apiVersion: m.apiVersion,
    kind: m.kind,
    name: m.metadata.name,
    namespace: m.metadata.namespace,
  };
  const spec = asObj(m.spec);
  switch (m.kind) {
    case 'CustomResourceDefinition':
      return { ...head, spec };
    case 'ClusterRole':
    case 'Role':
      return {
        ...head,
        labels: pick(m.metadata.labels ?? {}, LABELS),
        rules: rulePermissions(m.rules),
      };
    case 'ClusterRoleBinding':
    case 'RoleBinding':
      return {
        ...head,
        roleRef: m.roleRef,
        subjects: asList(m.subjects).map((s) => pick(s, ['kind', 'name', 'namespace'])),
      };
    case 'Service':
      return {
        ...head,
        labels: pick(m.metadata.labels ?? {}, LABELS),
        type: spec.type ?? 'ClusterIP',
        selector: spec.selector,
        ports: asList(spec.ports).map((p) => ({
          ...pick(p, ['name', 'port', 'protocol']),
          targetPort: typeof p.targetPort === 'string' ? podPorts.get(p.targetPort) : p.targetPort,
        })),
      };
    case 'PodDisruptionBudget':
      return { ...head, labels: pick(m.metadata.labels ?? {}, LABELS), spec };
    case 'Deployment': {
      const template = asObj(spec.template);
      const pod = asObj(template.spec);
      return {
        ...head,
        labels: pick(m.metadata.labels ?? {}, LABELS),
        replicas: spec.replicas,
        selector: spec.selector,
        podLabels: asObj(template.metadata).labels,
        serviceAccountName: pod.serviceAccountName,
        automountServiceAccountToken: pod.automountServiceAccountToken ?? true,
        securityContext: pick(asObj(pod.securityContext), [
          'runAsNonRoot',
          'runAsUser',
          'runAsGroup',
          'seccompProfile',
        ]),
        containers: asList(pod.containers).map(containerView),
        volumes: pod.volumes,
      };
    }
    default:
      return { ...head, labels: pick(m.metadata.labels ?? {}, LABELS) };
  }
}

/** Normalized objects by id ("Kind/namespace/name"). */
export function normalize(objects: readonly Manifest[]): Map<string, Obj> {
  const deployment = objects.find((m) => m.kind === 'Deployment');
  const podPorts = deployment ? containerPorts(deployment) : new Map<string, unknown>();
  return new Map(objects.map((m) => [idOf(m), view(m, podPorts)] as const));
}
