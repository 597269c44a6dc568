// The packaging tests' tools: helm and kubeconform built from their Go modules by
// hack/toolchain (run here, so a missing build happens once, then is cached), the schemas
// kubeconform validates against, kubectl, and a normalized view of manifests for comparing
// the Helm and cdk8s install paths.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadYaml } from '@kubernetes/client-node';
import { crdFileName } from '../../operator/src/api/crd.ts';
import { resourceDefinitions } from '../../operator/src/api/resources.ts';
import { kubernetesBinary, repoRoot, versions } from '../fixtures/toolchain.ts';

export { repoRoot };
export const chartDir = join(repoRoot, 'charts', 'kraftwerk');

/** A cold build of helm takes minutes on 2 cores; later calls only print the cached path. */
export const TOOL_BUILD_TIMEOUT = 30 * 60_000;

function toolBin(script: string): string {
  return execFileSync('bash', [join(repoRoot, 'hack', 'toolchain', script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export interface Tools {
  helm: string;
  kubeconform: string;
  /** Kubernetes schemas (from the k8s.io/kubernetes module's OpenAPI document). */
  kubernetesSchemas: string;
  /** Our CRDs' schemas, regenerated from crds/ for this run. */
  crdSchemas: string;
}

/** Only helm (built once, then cached), for tests that render the chart and nothing else. */
export function helmBinary(): string {
  return join(toolBin('helm.sh'), 'helm');
}

export function buildTools(): Tools {
  const kubeconformBin = toolBin('kubeconform.sh');
  const crdSchemas = mkdtempSync(join(tmpdir(), 'kraftwerk-crd-schemas-'));
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'hack', 'toolchain', 'kubeconform-schemas.ts'),
      'crds',
      crdSchemas,
      // Every kind: an example of a kind without a schema fails kubeconform -strict.
      ...resourceDefinitions.map((d) => join(repoRoot, 'crds', crdFileName(d))),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return {
    helm: helmBinary(),
    kubeconform: join(kubeconformBin, 'kubeconform'),
    kubernetesSchemas: join(dirname(kubeconformBin), 'schemas', versions.KUBERNETES_VERSION!),
    crdSchemas,
  };
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: readonly string[], input?: string): Run {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    input,
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs and throws with the command's own output when it fails. */
export function mustRun(command: string, args: readonly string[], input?: string): string {
  const r = run(command, args, input);
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** `helm template` of the chart as release `kraftwerk` in kraftwerk-system, CRDs included. */
export function helmTemplate(tools: Pick<Tools, 'helm'>, args: readonly string[] = []): Run {
  return run(tools.helm, [
    'template',
    'kraftwerk',
    chartDir,
    '--namespace',
    'kraftwerk-system',
    '--include-crds',
    ...args,
  ]);
}

/**
 * Kubernetes schemas from a running kube-apiserver's /openapi/v2: the same document as the
 * module's, plus the enums the server knows (e.g. a Deployment strategy's type) and minus the
 * alpha APIs it does not serve.
 */
export function schemasFromServer(kubeconfig: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kraftwerk-served-schemas-'));
  const spec = join(dir, 'openapi-v2.json');
  writeFileSync(
    spec,
    mustRun(kubectlBinary(), ['--kubeconfig', kubeconfig, 'get', '--raw', '/openapi/v2']),
  );
  mustRun(process.execPath, [
    join(repoRoot, 'hack', 'toolchain', 'kubeconform-schemas.ts'),
    'openapi',
    spec,
    join(dir, 'schemas'),
  ]);
  return join(dir, 'schemas');
}

/** kubeconform -strict against the Kubernetes schemas and our CRDs' schemas. */
export function kubeconform(
  tools: Tools,
  yaml: string,
  extra: readonly string[] = [],
  kubernetesSchemas: string = tools.kubernetesSchemas,
): Run {
  return run(
    tools.kubeconform,
    [
      '-strict',
      '-summary',
      '-output',
      'text',
      '-kubernetes-version',
      versions.KUBERNETES_VERSION!.replace(/^v/, ''),
      '-schema-location',
      join(kubernetesSchemas, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
      '-schema-location',
      join(tools.crdSchemas, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
      ...extra,
      '-',
    ],
    yaml,
  );
}

export function kubectlBinary(): string {
  return kubernetesBinary('kubectl');
}

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
};

/** Every object of a multi-document YAML stream; empty documents (only comments) are skipped. */
export function manifests(yaml: string): Manifest[] {
  return yaml
    .split(/^---\s*$/m)
    .filter((doc) => doc.split('\n').some((l) => l.trim() !== '' && !l.trimStart().startsWith('#')))
    .map((doc) => loadYaml<Manifest>(doc));
}

export const idOf = (m: Manifest): string =>
  `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
