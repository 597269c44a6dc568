// Installs the operator from your own cdk8s app: here watching only the namespace team-a,
// with a Role there instead of a ClusterRole (cluster-wide only `get` on StorageClasses;
// readStorageClasses: false drops that too). Prints the manifests:
//   node cdk8s/examples/install-team-a.ts | kubectl apply --server-side -f -
import { App, Chart } from 'cdk8s';
import { KraftwerkOperator } from '../lib/operator.ts';

const app = new App();
const chart = new Chart(app, 'kraftwerk');
new KraftwerkOperator(chart, 'operator', {
  version: '0.1.0',
  namespace: 'kraftwerk-system',
  watchNamespaces: ['team-a'],
  crdsDir: 'crds',
});
process.stdout.write(app.synthYaml());
