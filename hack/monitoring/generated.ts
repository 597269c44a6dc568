// What hack/gen-monitoring.ts writes, as data (path → contents), so the staleness test and the
// script cannot disagree.
import { renderDashboardJson } from './dashboard.ts';

export const RULES_SOURCE = 'deploy/prometheus/kraftwerk-kafka-rules.yaml';
export const DASHBOARD_PATH = 'deploy/grafana/kraftwerk-kafka.json';
export const CHART_RULES_PATH = 'charts/kraftwerk/files/prometheus/kraftwerk-kafka-rules.yaml';
export const CHART_DASHBOARD_PATH = 'charts/kraftwerk/files/grafana/kraftwerk-kafka.json';

/** readSource reads a repository file (the hand-written rules). */
export function generatedFiles(readSource: (path: string) => string): Record<string, string> {
  const dashboard = renderDashboardJson();
  return {
    [DASHBOARD_PATH]: dashboard,
    [CHART_RULES_PATH]: readSource(RULES_SOURCE),
    [CHART_DASHBOARD_PATH]: dashboard,
  };
}
