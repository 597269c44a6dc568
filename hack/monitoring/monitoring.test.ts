// The alert rules and the Grafana dashboard without running anything: the generated copies are
// current, the dashboard has the shape Grafana loads, every rule and panel uses only known
// metric names, every alert is documented and has a promtool test that fires it and one that
// does not. (promtool itself runs in test/integration/monitoring.test.ts.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderDashboard, rows } from './dashboard.ts';
import { generatedFiles, RULES_SOURCE } from './generated.ts';
import { kafkaMetrics, knownMetrics, metricNames } from './metric-names.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const ruleFile = load(read(RULES_SOURCE)) as { groups: { name: string; rules: Rule[] }[] };
const alerts = ruleFile.groups.flatMap((g) => g.rules);
const alertNames = [...new Set(alerts.map((r) => r.alert!))];

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { refId: string; expr: string; legendFormat: string; datasource: unknown }[];
  panels?: unknown[];
}
const dashboard = renderDashboard() as {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = panels.flatMap((p) => p.targets!.map((t) => t.expr));

describe('generated files', () => {
  it.each(Object.entries(generatedFiles(read)))('%s is current', (path, text) => {
    // toBe would print a huge diff; the instruction matters more than the diff.
    expect(read(path) === text, `${path} is stale: run node hack/gen-monitoring.ts`).toBe(true);
  });
});

describe('alert rules', () => {
  it('has every alert the runbook promises', () => {
    expect(alertNames.sort()).toEqual(
      [
        'KafkaBrokerDown',
        'KafkaCertificateExpiringSoon',
        'KafkaControllerLagging',
        'KafkaLogDirFilling',
        'KafkaLogDirFullIn24h',
        'KafkaMultipleActiveControllers',
        'KafkaNetworkProcessorSaturated',
        'KafkaNoActiveController',
        'KafkaOfflinePartitions',
        'KafkaProduceLatencyHigh',
        'KafkaQuorumCommitLatencyHigh',
        'KafkaQuorumNoLeader',
        'KafkaRequestHandlerSaturated',
        'KafkaUnderMinIsrPartitions',
        'KafkaUnderReplicatedPartitions',
        'KraftwerkConsumerGroupLagGrowing',
        'KraftwerkReconcileErrors',
      ].sort(),
    );
  });

  it.each(alerts.map((r) => [`${r.alert} (${r.labels?.severity})`, r] as const))(
    '%s has a severity, a for:, a summary and a description that points at its runbook',
    (_, rule) => {
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.for).toMatch(/^\d+[mh]$/);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toContain(
        `docs/alerts.md#${rule.alert!.toLowerCase()}`,
      );
    },
  );

  it.each(alertNames)('docs/alerts.md has a section for %s', (name) => {
    expect(read('docs/alerts.md')).toMatch(new RegExp(`^### ${name}$`, 'm'));
  });

  const testDir = 'deploy/prometheus/tests';
  const cases = readdirSync(join(root, testDir)).flatMap((f) => {
    const file = load(read(join(testDir, f))) as {
      tests: {
        alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
      }[];
    };
    return file.tests.flatMap((t) => t.alert_rule_test ?? []);
  });

  it.each(alertNames)('%s has a promtool test where it fires and one where it does not', (name) => {
    const mine = cases.filter((c) => c.alertname === name);
    expect(mine.some((c) => c.exp_alerts.length > 0)).toBe(true);
    expect(mine.some((c) => c.exp_alerts.length === 0)).toBe(true);
  });
});

describe('metric names', () => {
  it('reads names, not functions, labels, strings or numbers', () => {
    expect(
      metricNames(
        'sum by (pod) (rate(a_total{x="y", b!~"c|d"}[$__rate_interval])) / on (pod) b_bytes offset 5m > 1e9',
      ),
    ).toEqual(['a_total', 'b_bytes']);
    expect(
      metricNames('histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) and time() - c'),
    ).toEqual(['h_bucket', 'c']);
  });

  it.each(alerts.map((r) => [r.alert!, r.expr] as const))(
    'rule %s uses only known metric names',
    (_, expr) => {
      const names = metricNames(expr);
      expect(names.length).toBeGreaterThan(0);
      expect(names.filter((n) => !knownMetrics.has(n))).toEqual([]);
    },
  );

  it.each(panels.map((p) => [p.title, p] as const))(
    'panel "%s" uses only known metric names',
    (_, panel) => {
      for (const t of panel.targets!) {
        expect(metricNames(t.expr).filter((n) => !knownMetrics.has(n))).toEqual([]);
      }
    },
  );

  // A scrape of a real broker and controller recorded by the exporter's tests, when present:
  // every Kafka name the rules and panels use must be in it.
  const fixtureDir = join(root, 'test/fixtures/metrics');
  const fixtures = existsSync(fixtureDir)
    ? readdirSync(fixtureDir).filter((f) => f.endsWith('.prom'))
    : [];
  it.skipIf(fixtures.length === 0)(
    'every Kafka metric used is in the recorded scrapes (test/fixtures/metrics/*.prom)',
    () => {
      const scraped = new Set(
        fixtures.flatMap((f) =>
          readFileSync(join(fixtureDir, f), 'utf8')
            .split('\n')
            .filter((l) => l !== '' && !l.startsWith('#'))
            .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
        ),
      );
      const used = new Set([...alerts.map((r) => r.expr), ...exprs].flatMap(metricNames));
      const kafka: readonly string[] = kafkaMetrics;
      expect([...used].filter((n) => kafka.includes(n) && !scraped.has(n))).toEqual([]);
    },
  );
});

describe('Grafana dashboard', () => {
  it('has a uid, a schema version and the rows asked for', () => {
    expect(dashboard.uid).toBe('kraftwerk-kafka');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(
      rows.map((r) => r.title),
    );
    expect(rows.map((r) => r.title)).toEqual(
      expect.arrayContaining(['Cluster', 'Brokers', 'Topics', 'Consumer groups']),
    );
  });

  it('has the datasource, namespace and cluster variables, and panels use no other', () => {
    const vars = dashboard.templating.list.map((v) => v.name);
    expect(vars).toEqual(['datasource', 'namespace', 'cluster']);
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\$(\w+)/g)].map((m) => m[1]!)));
    expect([...used].filter((v) => !vars.includes(v) && !v.startsWith('__'))).toEqual([]);
  });

  it('gives every panel a unique id, the datasource variable and at least one target', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(['stat', 'timeseries']).toContain(p.type);
      expect(p.title).toBeTruthy();
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets!.length).toBeGreaterThan(0);
      const refIds = p.targets!.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets!) {
        expect(t.expr).toBeTruthy();
        expect(t.datasource).toEqual(p.datasource);
      }
    }
  });

  it('lays panels on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const { h, w, x, y } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
    }
  });
});
