// Runs the copy-paste blocks of docs/install.md (those after a `<!-- tested: name -->` marker)
// with bash in the repository root, against the real kube-apiserver, with the helm and kubectl
// this project builds first on PATH. Without a kubelet the operator pods never start, so the
// blocks check the objects exist rather than waiting for rollouts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOL_BUILD_TIMEOUT, buildTools, kubectlBinary, repoRoot } from './packaging-tools.ts';

const doc = readFileSync(join(repoRoot, 'docs', 'install.md'), 'utf8');

/** name → shell text of each tested block, in document order. */
export function testedBlocks(markdown: string): [string, string][] {
  const re = /<!-- tested: ([\w-]+) -->\s*```sh\n([\s\S]*?)```/g;
  return [...markdown.matchAll(re)].map((m) => [m[1]!, m[2]!] as [string, string]);
}

let env: NodeJS.ProcessEnv;

function bash(script: string): { status: number; output: string } {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  const tools = buildTools();
  env = {
    ...process.env,
    KUBECONFIG: inject('kubeconfig'),
    PATH: [
      dirname(tools.helm),
      dirname(kubectlBinary()),
      dirname(process.execPath),
      process.env.PATH,
    ].join(':'),
    // helm keeps its caches and config out of the user's home during tests.
    HELM_CACHE_HOME: join(repoRoot, '.tmp', 'helm', 'cache'),
    HELM_CONFIG_HOME: join(repoRoot, '.tmp', 'helm', 'config'),
    HELM_DATA_HOME: join(repoRoot, '.tmp', 'helm', 'data'),
  };
}, TOOL_BUILD_TIMEOUT);

afterAll(() => {
  // Waits for the namespaces to go: the next suite may install into kraftwerk-system again.
  // Everything but the CRDs, which other suites share.
  bash(
    [
      'kubectl delete namespace kraftwerk-system team-a team-b shop --ignore-not-found --timeout=90s',
      // install-team-a.ts also makes the cluster-wide StorageClass reader; left behind, it
      // made packaging-helm's server-side apply of the same names conflict when it ran later.
      'kubectl delete clusterrole,clusterrolebinding kraftwerk kraftwerk-storageclasses kraftwerk-nodes --ignore-not-found',
    ].join('\n'),
  );
});

describe('docs/install.md', () => {
  const blocks = testedBlocks(doc);

  it('has the blocks for the three install ways', () => {
    expect(blocks.map(([name]) => name)).toEqual([
      'helm-install',
      'helm-upgrade',
      'helm-uninstall',
      'install-yaml',
      'cdk8s-construct',
      'cdk8s-stack',
      'kubeconform',
    ]);
  });

  it("README's install blocks are exactly blocks this suite runs", () => {
    const readme = testedBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    expect(readme.map(([name]) => name)).toEqual([
      'helm-install',
      'install-yaml',
      'cdk8s-construct',
    ]);
    for (const [name, body] of readme) {
      expect(body, `README block ${name}`).toBe(blocks.find(([n]) => n === name)?.[1]);
    }
  });

  it('shows cdk8s/examples/install-team-a.ts as it is', () => {
    const file = readFileSync(join(repoRoot, 'cdk8s', 'examples', 'install-team-a.ts'), 'utf8');
    const body = file.slice(file.indexOf('import '));
    expect(doc).toContain(body);
  });

  it.each(blocks)('runs the %s block', (_name, script) => {
    const r = bash(script);
    expect(r.status, r.output).toBe(0);
  });
});
