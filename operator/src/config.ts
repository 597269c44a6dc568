// The operator's settings, from its environment (the Helm chart and the cdk8s app set these).
// Pure: takes the environment as a parameter and names the variable in every error.
import { hostname } from 'node:os';
import type { OperatorPods } from './cluster/render/render-network-policy.ts';
import type { LeaderElectionSettings } from './operator.ts';
import { parseLogLevel, type LogLevel } from './runtime/logger.ts';

export interface OperatorConfig {
  /** Namespaces to watch; empty means all. */
  namespaces: string[];
  leaderElection: LeaderElectionSettings | undefined;
  httpPort: number;
  logLevel: LogLevel;
  kubeconfig: string | undefined;
  /** Periodic resync of every resource, to correct drift no event reports. */
  resyncMs: number;
  /** Deadline of one reconcile. */
  reconcileTimeoutMs: number;
  /** The operator's own pods, which each cluster's NetworkPolicy admits; unknown out of a pod. */
  operatorPods: OperatorPods | undefined;
  /** Cache every Node (broker.rack from the node's label); false where RBAC does not allow it. */
  readNodes: boolean;
}

/**
 * Labels on the operator's pods that both the Helm chart and the cdk8s construct set, whatever
 * the release or construct name (the chart passes its own, more precise selector).
 */
export const DEFAULT_OPERATOR_POD_LABELS =
  'app.kubernetes.io/name=kraftwerk,app.kubernetes.io/component=operator';

export function configFromEnv(env: Readonly<Record<string, string | undefined>>): OperatorConfig {
  const namespaces = (env.KRAFTWERK_WATCH_NAMESPACES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const le = (env.KRAFTWERK_LEADER_ELECTION ?? 'true').toLowerCase();
  if (le !== 'true' && le !== 'false') {
    throw new Error(`KRAFTWERK_LEADER_ELECTION must be true or false, got "${le}"`);
  }
  const readNodes = (env.KRAFTWERK_READ_NODES ?? 'true').toLowerCase();
  if (readNodes !== 'true' && readNodes !== 'false') {
    throw new Error(`KRAFTWERK_READ_NODES must be true or false, got "${readNodes}"`);
  }
  const leNamespace = env.KRAFTWERK_LEADER_ELECTION_NAMESPACE ?? env.POD_NAMESPACE;
  if (le === 'true' && !leNamespace) {
    throw new Error(
      'leader election needs a namespace for its Lease: set KRAFTWERK_LEADER_ELECTION_NAMESPACE or POD_NAMESPACE, or KRAFTWERK_LEADER_ELECTION=false',
    );
  }
  return {
    namespaces,
    leaderElection:
      le === 'true'
        ? {
            namespace: leNamespace!,
            leaseName: env.KRAFTWERK_LEASE_NAME ?? 'kraftwerk-operator',
            identity: env.POD_NAME ?? `${hostname()}-${process.pid}`,
            ...leaseTimings(env),
          }
        : undefined,
    httpPort: positiveInt(env, 'KRAFTWERK_HTTP_PORT', 8080, true),
    logLevel: parseLogLevel(env.KRAFTWERK_LOG_LEVEL),
    kubeconfig: env.KUBECONFIG || undefined,
    resyncMs: positiveInt(env, 'KRAFTWERK_RESYNC_SECONDS', 300, false) * 1000,
    reconcileTimeoutMs: positiveInt(env, 'KRAFTWERK_RECONCILE_TIMEOUT_SECONDS', 120, false) * 1000,
    operatorPods: operatorPods(env),
    readNodes: readNodes === 'true',
  };
}

/**
 * KRAFTWERK_OPERATOR_NAMESPACE (default POD_NAMESPACE, from the downward API) and
 * KRAFTWERK_OPERATOR_POD_LABELS (`key=value,...`). No namespace: the operator runs outside
 * the cluster and has no pods to name.
 */
function operatorPods(env: Readonly<Record<string, string | undefined>>): OperatorPods | undefined {
  const namespace = env.KRAFTWERK_OPERATOR_NAMESPACE || env.POD_NAMESPACE;
  if (!namespace) return undefined;
  const raw = env.KRAFTWERK_OPERATOR_POD_LABELS || DEFAULT_OPERATOR_POD_LABELS;
  const labels: Record<string, string> = {};
  for (const pair of raw.split(',').map((s) => s.trim())) {
    const m = /^([^=\s]+)=([^=\s]*)$/.exec(pair);
    if (!m) {
      throw new Error(
        `KRAFTWERK_OPERATOR_POD_LABELS must be key=value pairs separated by commas, got "${raw}"`,
      );
    }
    labels[m[1]!] = m[2]!;
  }
  return { namespace, labels };
}

/** Lease timings in seconds (fractions allowed); unset ones keep client-go's 15/10/2. */
function leaseTimings(env: Readonly<Record<string, string | undefined>>): {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
} {
  const seconds = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`${name} must be a positive number, got "${raw}"`);
    return Math.round(n * 1000);
  };
  const leaseDurationMs = seconds('KRAFTWERK_LEASE_DURATION_SECONDS');
  const renewDeadlineMs = seconds('KRAFTWERK_RENEW_DEADLINE_SECONDS');
  const retryPeriodMs = seconds('KRAFTWERK_RETRY_PERIOD_SECONDS');
  return {
    ...(leaseDurationMs !== undefined ? { leaseDurationMs } : {}),
    ...(renewDeadlineMs !== undefined ? { renewDeadlineMs } : {}),
    ...(retryPeriodMs !== undefined ? { retryPeriodMs } : {}),
  };
}

function positiveInt(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  allowZero: boolean,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new Error(
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${raw}"`,
    );
  }
  return n;
}
