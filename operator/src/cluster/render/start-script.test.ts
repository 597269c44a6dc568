// Runs the real start script with bash against a fake KAFKA_HOME. The fake kafka-storage.sh
// and kafka-server-start.sh only record their arguments (and, for format, write
// meta.properties like the real tool): the point is to see what the script would run. Real
// Kafka runs the same script in the kind tests.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterRef, ClusterSpec } from '../cluster-spec.ts';
import { JMX_EXPORTER_JAR } from './kafka-metrics-config.ts';
import { renderCluster } from './render-cluster.ts';
import type { Role } from '../model/node-layout.ts';

const cluster: ClusterRef = { name: 'demo', namespace: 'streaming', uid: 'uid-1' };
const clusterId = 'nLp2abcdQZ6dXtk3r1w9Qg';

const dedicated: ClusterSpec = {
  version: '4.1.1',
  controllers: { replicas: 3, storage: { type: 'ephemeral' } },
  brokers: { replicas: 3, storage: { type: 'ephemeral' } },
  listeners: [
    { name: 'internal', port: 9092, type: 'internal' },
    {
      name: 'external',
      port: 9094,
      type: 'nodeport',
      nodePortBase: 30092,
      advertisedHost: 'localhost',
    },
    { name: 'lan', port: 9095, type: 'nodeport', nodePortBase: 31000 },
  ],
  config: { 'num.partitions': '6' },
};

const combined: ClusterSpec = {
  version: '4.1.1',
  brokers: { replicas: 3, storage: { type: 'ephemeral' } },
  listeners: [{ name: 'plain', port: 9092, type: 'internal' }],
};

const FAKE_TOOL = `#!/usr/bin/env bash
# Records its arguments, one per line, so the test can read exactly what it was given.
printf '%s\\n' "$@" > "$FAKE_LOG_DIR/$(basename "$0").args"
printf '%s' "\${KAFKA_OPTS:-}" > "$FAKE_LOG_DIR/$(basename "$0").opts"
if [ "$1" = format ]; then
  dir="$(sed -n 's/^log.dirs=//p' "$3")"
  mkdir -p "$dir" && echo "cluster.id=$5" > "$dir/meta.properties"
fi
`;

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kraftwerk-start-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stderr: string;
  properties: Record<string, string>;
  formatArgs?: string[];
  startArgs?: string[];
  /** KAFKA_OPTS as each tool saw it. */
  formatOpts?: string;
  startOpts?: string;
  /** Where the fake image keeps the agent jar (the rendered path, moved under the root). */
  agentJar: string;
  logDir: string;
}

function runNode(
  spec: ClusterSpec,
  role: Role,
  podName: string,
  opts: {
    quorumFormed?: boolean;
    env?: Record<string, string>;
    preformat?: boolean;
    /** The image has no JMX exporter agent (as the official apache/kafka image). */
    noAgentJar?: boolean;
  } = {},
): Run {
  const objects = renderCluster({
    cluster,
    spec,
    clusterId,
    quorumFormed: opts.quorumFormed ?? false,
  });
  const configDir = join(root, 'config');
  const home = join(root, 'kafka');
  const logs = join(root, 'calls');
  const dataDir = join(root, 'data', podName);
  for (const d of [configDir, join(home, 'bin'), logs]) mkdirSync(d, { recursive: true });
  for (const [key, value] of Object.entries(objects.configMap.data!)) {
    // log.dirs points into the container; redirect it under the temporary root.
    writeFileSync(join(configDir, key), value.replace('/var/lib/kafka/data/kafka-log', dataDir));
  }
  for (const tool of ['kafka-storage.sh', 'kafka-server-start.sh']) {
    writeFileSync(join(home, 'bin', tool), FAKE_TOOL);
    chmodSync(join(home, 'bin', tool), 0o755);
  }
  const agentJar = join(root, 'jmx-exporter', 'agent.jar');
  if (!opts.noAgentJar) {
    mkdirSync(join(root, 'jmx-exporter'), { recursive: true });
    writeFileSync(agentJar, 'a jar');
  }
  if (opts.preformat) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'meta.properties'), `cluster.id=${clusterId}\n`);
  }
  const sts = objects.statefulSets.find((s) => s.metadata!.labels!['kraftwerk.dev/role'] === role)!;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    FAKE_LOG_DIR: logs,
  };
  // Take the pod's literal environment from the rendered StatefulSet, as the kubelet would.
  for (const e of sts.spec!.template.spec!.containers[0]!.env!)
    if (e.value !== undefined) env[e.name] = e.value.replace(JMX_EXPORTER_JAR, agentJar);
  Object.assign(env, {
    KAFKA_HOME: home,
    KRAFTWERK_CONFIG_DIR: configDir,
    KRAFTWERK_WORK_DIR: join(root, 'work'),
    POD_NAME: podName,
    POD_NAMESPACE: 'streaming',
    HOST_IP: '10.0.0.7',
    ...opts.env,
  });
  const result = spawnSync('bash', [join(configDir, 'start.sh')], { env, encoding: 'utf8' });
  const read = (name: string) =>
    existsSync(join(logs, name))
      ? readFileSync(join(logs, name), 'utf8').trimEnd().split('\n')
      : undefined;
  const propsFile = join(root, 'work', 'server.properties');
  const properties: Record<string, string> = {};
  if (existsSync(propsFile)) {
    for (const line of readFileSync(propsFile, 'utf8').split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) properties[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return {
    status: result.status,
    stderr: result.stderr,
    properties,
    formatArgs: read('kafka-storage.sh.args'),
    startArgs: read('kafka-server-start.sh.args'),
    formatOpts: read('kafka-storage.sh.opts')?.join('\n'),
    startOpts: read('kafka-server-start.sh.opts')?.join('\n'),
    agentJar,
    logDir: dataDir,
  };
}

describe('start script', () => {
  it('starts a dedicated controller: node id from the ordinal, formats as an initial controller', () => {
    const run = runNode(dedicated, 'controller', 'demo-controller-2');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.properties['node.id']).toBe('2');
    expect(run.properties['process.roles']).toBe('controller');
    expect(run.properties['advertised.listeners']).toBe(
      'CONTROLLER://demo-controller-2.demo-controller.streaming.svc:9090',
    );
    expect(run.properties['broker.rack']).toBeUndefined();
    expect(run.formatArgs!.slice(0, 6)).toEqual([
      'format',
      '--config',
      join(root, 'work', 'server.properties'),
      '--cluster-id',
      clusterId,
      '--initial-controllers',
    ]);
    expect(run.formatArgs![6]).toMatch(
      /^0@demo-controller-0\.demo-controller\.streaming\.svc:9090:[\w-]{22},1@.*,2@.*$/,
    );
    expect(run.startArgs).toEqual([join(root, 'work', 'server.properties')]);
  });

  it('formats a controller added after the quorum formed with --no-initial-controllers', () => {
    const run = runNode(
      { ...dedicated, controllers: { replicas: 4, storage: { type: 'ephemeral' } } },
      'controller',
      'demo-controller-3',
      { quorumFormed: true },
    );
    expect(run.status).toBe(0);
    expect(run.properties['node.id']).toBe('3');
    expect(run.formatArgs!.slice(5)).toEqual(['--no-initial-controllers']);
  });

  it('formats a controller missing from the initial list with --no-initial-controllers', () => {
    const run = runNode(dedicated, 'controller', 'demo-controller-5');
    expect(run.formatArgs!.slice(5)).toEqual(['--no-initial-controllers']);
  });

  it('starts a broker: ids from 100, pod DNS and per-broker node ports advertised, rack set', () => {
    const run = runNode(dedicated, 'broker', 'demo-broker-1', { env: { KAFKA_RACK: 'zone-b' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.properties['node.id']).toBe('101');
    expect(run.properties['process.roles']).toBe('broker');
    expect(run.properties['num.partitions']).toBe('6');
    expect(run.properties['advertised.listeners']).toBe(
      'REPLICATION://demo-broker-1.demo-broker.streaming.svc:9091,INTERNAL://demo-broker-1.demo-broker.streaming.svc:9092,EXTERNAL://localhost:30093,LAN://10.0.0.7:31001',
    );
    expect(run.properties['broker.rack']).toBe('zone-b');
    // Brokers carry no quorum flag: they never hold a bootstrap voter set.
    expect(run.formatArgs).toEqual([
      'format',
      '--config',
      join(root, 'work', 'server.properties'),
      '--cluster-id',
      clusterId,
    ]);
    expect(run.startArgs).toEqual([join(root, 'work', 'server.properties')]);
  });

  it('starts a combined node with both roles, ids from 0, controller listener advertised', () => {
    const run = runNode(combined, 'combined', 'demo-kafka-1', { env: { KAFKA_RACK: 'zone-a' } });
    expect(run.status).toBe(0);
    expect(run.properties['node.id']).toBe('1');
    expect(run.properties['process.roles']).toBe('broker,controller');
    expect(run.properties['advertised.listeners']).toBe(
      'CONTROLLER://demo-kafka-1.demo-kafka.streaming.svc:9090,REPLICATION://demo-kafka-1.demo-kafka.streaming.svc:9091,PLAIN://demo-kafka-1.demo-kafka.streaming.svc:9092',
    );
    expect(run.properties['controller.quorum.bootstrap.servers']).toBe(
      'demo-kafka-0.demo-kafka.streaming.svc:9090,demo-kafka-1.demo-kafka.streaming.svc:9090,demo-kafka-2.demo-kafka.streaming.svc:9090',
    );
    expect(run.properties['broker.rack']).toBe('zone-a');
    expect(run.formatArgs![5]).toBe('--initial-controllers');
  });

  describe('broker.rack from the pod-info files (spec.rack)', () => {
    const ZONE = 'topology.kubernetes.io/zone';
    const racked: ClusterSpec = { ...dedicated, rack: { topologyKey: ZONE } };
    const podInfo = (files: { labels?: string; annotations?: string }) => {
      const dir = join(root, 'pod-info');
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return dir;
    };

    it("takes the pod's own topology label when Kubernetes copied it (>= 1.35)", () => {
      const dir = podInfo({
        labels: `app.kubernetes.io/name="kafka"\n${ZONE}="zone-l"\n`,
        annotations: 'kraftwerk.dev/rack="zone-a"\n',
      });
      const run = runNode(racked, 'broker', 'demo-broker-0', {
        env: { KRAFTWERK_POD_INFO_DIR: dir },
      });
      expect(run.status).toBe(0);
      expect(run.properties['broker.rack']).toBe('zone-l');
    });

    it("else the operator's stamp", () => {
      const dir = podInfo({ labels: '', annotations: 'kraftwerk.dev/rack="zone-a"' });
      const run = runNode(racked, 'broker', 'demo-broker-0', {
        env: { KRAFTWERK_POD_INFO_DIR: dir },
      });
      expect(run.stderr).toBe('');
      expect(run.properties['broker.rack']).toBe('zone-a');
    });

    it('waits for the stamp, saying why, and starts Kafka only with it', () => {
      const dir = podInfo({ labels: '', annotations: '' });
      // The stamp arrives while the script sleeps: a `sleep` first on PATH writes it, as the
      // kubelet refreshes the downward API file after the operator annotated the pod.
      const bin = join(root, 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(
        join(bin, 'sleep'),
        `#!/usr/bin/env bash\necho 'kraftwerk.dev/rack="zone-late"' > "${dir}/annotations"\n`,
      );
      chmodSync(join(bin, 'sleep'), 0o755);
      const run = runNode(racked, 'broker', 'demo-broker-0', {
        env: { KRAFTWERK_POD_INFO_DIR: dir, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(`waiting for this pod's rack (label ${ZONE}`);
      expect(run.properties['broker.rack']).toBe('zone-late');
      expect(run.startArgs).toBeDefined();
    });

    it('a controller neither waits nor gets a rack', () => {
      const run = runNode(racked, 'controller', 'demo-controller-0');
      expect(run.status).toBe(0);
      expect(run.properties['broker.rack']).toBeUndefined();
    });
  });

  it('skips formatting when meta.properties is already there', () => {
    const run = runNode(dedicated, 'broker', 'demo-broker-0', { preformat: true });
    expect(run.status).toBe(0);
    expect(run.formatArgs).toBeUndefined();
    expect(run.startArgs).toEqual([join(root, 'work', 'server.properties')]);
    expect(run.properties['node.id']).toBe('100');
  });

  it('falls back to HOSTNAME when POD_NAME is not set', () => {
    const run = runNode(dedicated, 'broker', '', {
      env: { POD_NAME: '', HOSTNAME: 'demo-broker-2' },
    });
    expect(run.status).toBe(0);
    expect(run.properties['node.id']).toBe('102');
  });

  it('refuses a pod name without an ordinal and starts nothing', () => {
    const run = runNode(dedicated, 'broker', 'demo-broker');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('no ordinal');
    expect(run.startArgs).toBeUndefined();
  });

  it("adds the JMX exporter agent to the server's KAFKA_OPTS only, not to kafka-storage's", () => {
    const run = runNode(dedicated, 'broker', 'demo-broker-0', { env: { KAFKA_OPTS: '-Dmine=1' } });
    expect(run.status).toBe(0);
    expect(run.startOpts).toBe(
      `-Dmine=1 -javaagent:${run.agentJar}=9404:/etc/kraftwerk-metrics/config.yaml`,
    );
    // A second agent in the format run (or in a tool run by hand) would bind the same port.
    expect(run.formatOpts).toBe('-Dmine=1');
  });

  it('starts Kafka without metrics, saying so, on an image without the agent', () => {
    const run = runNode(dedicated, 'controller', 'demo-controller-0', { noAgentJar: true });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('no JMX exporter agent at');
    expect(run.startOpts).toBe('');
    expect(run.startArgs).toEqual([join(root, 'work', 'server.properties')]);
  });

  it('runs no agent with metrics.enabled false', () => {
    const run = runNode({ ...dedicated, metrics: { enabled: false } }, 'broker', 'demo-broker-0');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.startOpts).toBe('');
  });

  it('needs HOST_IP for a nodeport listener without advertisedHost', () => {
    const run = runNode(dedicated, 'broker', 'demo-broker-0', { env: { HOST_IP: '' } });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('HOST_IP');
  });
});
