// Writes everything generated from the TypeScript schema (operator/src/api): the CRD manifests
// (crds/ for kubectl, charts/kraftwerk/crds/ for Helm), the API reference (docs/api.md) and the
// cdk8s imports. Run: node hack/gen-crds.ts
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFileName, renderCrdYaml } from '../operator/src/api/crd.ts';
import { resourceDefinitions } from '../operator/src/api/resources.ts';
import { API_DOCS_PATH, renderApiDocs } from './api-docs.ts';

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

writeFileSync(join(root, API_DOCS_PATH), renderApiDocs(resourceDefinitions));
console.log(`wrote ${API_DOCS_PATH}`);

// The cdk8s typed constructs are generated from these CRDs too; regenerate them in the same
// step so they can never be left stale (a unit test checks both).
const imports = spawnSync(process.execPath, [join(root, 'cdk8s/hack/import-crds.ts')], {
  stdio: 'inherit',
});
if (imports.status !== 0) process.exit(imports.status ?? 1);
