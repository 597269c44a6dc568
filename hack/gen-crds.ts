// Writes the CRD manifests from the TypeScript schema (operator/src/api): crds/ for kubectl
// and charts/kraftwerk/crds/ for Helm. Run: node hack/gen-crds.ts
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFileName, renderCrdYaml } from '../operator/src/api/crd.ts';
import { resourceDefinitions } from '../operator/src/api/resources.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const targets = ['crds', join('charts', 'kraftwerk', 'crds')];

for (const target of targets) mkdirSync(join(root, target), { recursive: true });
for (const def of resourceDefinitions) {
  const yaml = renderCrdYaml(def);
  for (const target of targets) {
    const path = join(target, crdFileName(def));
    writeFileSync(join(root, path), yaml);
    console.log(`wrote ${path}`);
  }
}

// The cdk8s typed constructs are generated from these CRDs too; regenerate them in the same
// step so they can never be left stale (a unit test checks both).
const imports = spawnSync(process.execPath, [join(root, 'cdk8s/hack/import-crds.ts')], {
  stdio: 'inherit',
});
if (imports.status !== 0) process.exit(imports.status ?? 1);
