// Writes the monitoring files generated from their one source: the Grafana dashboard
// (hack/monitoring/dashboard.ts) to deploy/grafana/, and copies of it and of the alert rules
// (deploy/prometheus/kraftwerk-kafka-rules.yaml, written by hand) into the Helm chart, whose
// templates read them with .Files.Get. Run: node hack/gen-monitoring.ts
// hack/monitoring/generated.test.ts fails when a committed copy differs from this output.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './monitoring/generated.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, text] of Object.entries(
  generatedFiles((p) => readFileSync(join(root, p), 'utf8')),
)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  console.log(`wrote ${path}`);
}
