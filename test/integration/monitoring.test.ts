// The alert rules and the Grafana dashboard through the real promtool (Debian's Prometheus,
// hack/toolchain/prometheus.sh): the rules load, every promtool test passes (alerts fire when
// they should and stay quiet on blips), every dashboard expression is valid PromQL, the
// chart's PrometheusRule and dashboard ConfigMap carry exactly those files, and they, the
// ServiceMonitor and the documented PodMonitor pass kubeconform -strict against the Prometheus
// Operator's CRDs. Needs no control plane or Kafka: only the tools.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDashboard } from '../../hack/monitoring/dashboard.ts';
import { RULES_SOURCE } from '../../hack/monitoring/generated.ts';
import {
  TOOL_BUILD_TIMEOUT,
  buildTools,
  helmTemplate,
  kubeconform,
  manifests,
  repoRoot,
  run,
  type Tools,
} from './packaging-tools.ts';

const rulesPath = join(repoRoot, RULES_SOURCE);
const testDir = join(repoRoot, 'deploy', 'prometheus', 'tests');
let promtool: string;

beforeAll(() => {
  const bin = execFileSync('bash', [join(repoRoot, 'hack', 'toolchain', 'prometheus.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  promtool = join(bin, 'promtool');
}, TOOL_BUILD_TIMEOUT);

/** Runs promtool and fails with everything it printed. */
function mustPromtool(args: string[]): string {
  const out = run(promtool, args);
  expect(out.status, `promtool ${args.join(' ')}:\n${out.stdout}${out.stderr}`).toBe(0);
  return out.stdout;
}

describe('alert rules', () => {
  it('pass promtool check rules', () => {
    expect(mustPromtool(['check', 'rules', rulesPath])).toMatch(/SUCCESS: \d+ rules found/);
  });

  const files = readdirSync(testDir).filter((f) => f.endsWith('.test.yaml'));
  it.each(files)('pass promtool test rules %s', (file) => {
    expect(mustPromtool(['test', 'rules', join(testDir, file)])).toContain('SUCCESS');
  });

  it('fail promtool test rules when an alert does not behave as a test says', () => {
    // The harness must be able to fail: a copy of a test expecting an alert that never fires.
    const dir = mkdtempSync(join(tmpdir(), 'kraftwerk-promtool-'));
    const broken = join(dir, 'broken.test.yaml');
    writeFileSync(
      broken,
      dump({
        rule_files: [rulesPath],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              {
                series:
                  'kafka_server_replicamanager_underreplicatedpartitions{namespace="kafka",kraftwerk_dev_cluster="prod",pod="prod-broker-0"}',
                values: '1x5',
              },
            ],
            alert_rule_test: [
              {
                eval_time: '5m', // under the alert's for: 15m
                alertname: 'KafkaUnderReplicatedPartitions',
                exp_alerts: [{ exp_labels: { severity: 'warning' } }],
              },
            ],
          },
        ],
      }),
    );
    const out = run(promtool, ['test', 'rules', broken]);
    expect(out.status).not.toBe(0);
    expect(out.stdout + out.stderr).toContain('FAILED');
  });
});

describe('docs/alerts.md', () => {
  it('has a scrape configuration promtool accepts, with the rules file as it says to load it', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'alerts.md'), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    // The blocks are indented inside a list item; dedent by the first line's indentation.
    const dedent = (b: string): string => {
      const indent = /^ */.exec(b)![0].length;
      return b
        .split('\n')
        .map((l) => l.slice(indent))
        .join('\n');
    };
    const scrape = blocks.map(dedent).find((b) => b.startsWith('scrape_configs:'))!;
    const ruleFiles = blocks.map(dedent).find((b) => b.startsWith('rule_files:'))!;
    expect(scrape).toBeDefined();
    expect(ruleFiles).toContain('kraftwerk-kafka-rules.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'kraftwerk-prometheus-config-'));
    writeFileSync(join(dir, 'kraftwerk-kafka-rules.yaml'), readFileSync(rulesPath, 'utf8'));
    // Debian builds Prometheus without Kubernetes service discovery (its client libraries are not
    // packaged), so a static target stands in for it: the relabelling and rule_files are checked.
    const sdLine = '    kubernetes_sd_configs: [{ role: pod }]';
    expect(scrape).toContain(sdLine);
    const checkable = scrape.replace(sdLine, "    static_configs: [{ targets: ['kafka-0:9404'] }]");
    writeFileSync(join(dir, 'prometheus.yml'), `${ruleFiles}\n${checkable}`);
    const out = mustPromtool(['check', 'config', join(dir, 'prometheus.yml')]);
    expect(out).toContain('SUCCESS');
  });
});

describe('Grafana dashboard', () => {
  // Grafana substitutes these before Prometheus sees a query.
  const substitute = (expr: string): string =>
    expr
      .replaceAll('$namespace', 'kafka')
      .replaceAll('$cluster', 'prod')
      .replaceAll('$__rate_interval', '2m');

  it('has only valid PromQL (every panel query as a recording rule, promtool check rules)', () => {
    const dashboard = renderDashboard() as {
      panels: { id: number; type: string; targets?: { refId: string; expr: string }[] }[];
    };
    const rules = dashboard.panels
      .filter((p) => p.type !== 'row')
      .flatMap((p) =>
        p.targets!.map((t) => ({
          record: `kraftwerk_dashboard:panel_${p.id}_${t.refId}`,
          expr: substitute(t.expr),
        })),
      );
    expect(rules.length).toBeGreaterThan(30);
    for (const r of rules) expect(r.expr).not.toContain('$');
    const dir = mkdtempSync(join(tmpdir(), 'kraftwerk-dashboard-rules-'));
    const path = join(dir, 'dashboard-rules.yaml');
    writeFileSync(path, dump({ groups: [{ name: 'kraftwerk-dashboard', rules }] }));
    expect(mustPromtool(['check', 'rules', path])).toContain(
      `SUCCESS: ${rules.length} rules found`,
    );
  });

  it('promtool check rules refuses a broken expression (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kraftwerk-dashboard-rules-'));
    const path = join(dir, 'broken.yaml');
    writeFileSync(
      path,
      dump({ groups: [{ name: 'g', rules: [{ record: 'r', expr: 'sum by (pod (up)' }] }] }),
    );
    expect(run(promtool, ['check', 'rules', path]).status).not.toBe(0);
  });
});

describe('Kubernetes objects', () => {
  let tools: Tools;
  // kubeconform also knows the Prometheus Operator's kinds, from its CRDs.
  let monitoringSchemas: string[];
  beforeAll(() => {
    tools = buildTools();
    const dir = execFileSync(
      'bash',
      [join(repoRoot, 'hack', 'toolchain', 'prometheus-operator-crds.sh')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    ).trim();
    monitoringSchemas = [
      '-schema-location',
      join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
    ];
  }, TOOL_BUILD_TIMEOUT);

  const valuesDir = mkdtempSync(join(tmpdir(), 'kraftwerk-monitoring-values-'));
  function render(values: unknown): { yaml: string; objects: ReturnType<typeof manifests> } {
    const path = join(valuesDir, `values-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(values));
    const out = helmTemplate(tools, ['-f', path]);
    expect(out.status, out.stderr).toBe(0);
    return { yaml: out.stdout, objects: manifests(out.stdout) };
  }

  it('renders no PrometheusRule and no dashboard by default', () => {
    const { objects } = render({});
    expect(objects.filter((m) => m.kind === 'PrometheusRule')).toEqual([]);
    expect(objects.filter((m) => m.metadata.labels?.grafana_dashboard)).toEqual([]);
  });

  it('renders the rules file as a PrometheusRule and the dashboard for the Grafana sidecar', () => {
    const { yaml, objects } = render({
      metrics: {
        serviceMonitor: { enabled: true },
        prometheusRule: { enabled: true, labels: { release: 'prometheus' } },
        grafanaDashboard: {
          enabled: true,
          namespace: 'monitoring',
          annotations: { grafana_folder: 'Kafka' },
        },
      },
    });
    const rule = objects.find((m) => m.kind === 'PrometheusRule')!;
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.namespace).toBe('kraftwerk-system');
    expect(rule.metadata.labels?.release).toBe('prometheus');
    expect(rule.spec).toEqual(load(readFileSync(rulesPath, 'utf8')));

    const configMap = objects.find((m) => m.kind === 'ConfigMap')! as unknown as {
      metadata: {
        namespace: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
      };
      data: Record<string, string>;
    };
    expect(configMap.metadata.namespace).toBe('monitoring');
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(configMap.metadata.annotations.grafana_folder).toBe('Kafka');
    expect(JSON.parse(configMap.data['kraftwerk-kafka.json']!)).toEqual(renderDashboard());
    // The operator's series name the resource's namespace; the target's must not replace it.
    const monitor = objects.find((m) => m.kind === 'ServiceMonitor')!;
    expect(monitor.spec).toMatchObject({ endpoints: [{ honorLabels: true }] });

    const out = kubeconform(tools, yaml, monitoringSchemas);
    expect(out.status, out.stdout).toBe(0);
    expect(out.stdout).toMatch(/Valid: \d+, Invalid: 0, Errors: 0, Skipped: 0/);
  });

  it('validates the PodMonitor docs/alerts.md gives (kubeconform -strict)', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'alerts.md'), 'utf8');
    const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((b) => b.includes('kind: PodMonitor'))!;
    const out = kubeconform(tools, block.replace(/^ {2}/gm, ''), monitoringSchemas);
    expect(out.status, out.stdout).toBe(0);
    expect(out.stdout).toMatch(/Valid: 1, Invalid: 0, Errors: 0, Skipped: 0/);
  });
});
