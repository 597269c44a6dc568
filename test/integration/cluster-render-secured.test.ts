// Real Kafka (4.1.1 and 3.9.1) runs what the renderer makes of a secured cluster: one dedicated
// controller and one broker start from the rendered ConfigMap (start.sh, <role>.properties,
// <role>.listeners, initial-controllers) with the rendered container environment, and with node
// certificates issued by operator/src/pki written as the <sts>-certs Secret would be mounted.
//
// What differs from a pod, and why: the host is shared, so the rendered ports (9089-9094) are
// mapped to free ones and the paths (/etc/kafka/tls, the data dir) to a temporary directory,
// in the files as mounted; and pod DNS names do not resolve here, so a KAFKA_HOME wrapper's
// kafka-server-start.sh replaces them with `localhost` (the certificates' SAN) in the
// server.properties the start script wrote, then runs the real one. Everything else — the
// listeners, TLS and SASL settings, authorizer, the format step and the probe — is as rendered.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRef, ClusterSpec } from '../../operator/src/cluster/cluster-spec.ts';
import { roleLayouts, type RoleLayout } from '../../operator/src/cluster/model/node-layout.ts';
import {
  NODE_CERT_FILES,
  OPERATOR_COMMON_NAME,
  TLS_MOUNT_DIR,
} from '../../operator/src/cluster/model/security.ts';
import {
  renderCluster,
  type DesiredObjects,
} from '../../operator/src/cluster/render/render-cluster.ts';
import { KafkaRequestError, KafkaUnavailableError } from '../../operator/src/kafka/errors.ts';
import { KafkaAdmin } from '../../operator/src/kafka/kafka-admin.ts';
import type { KafkaSecurity } from '../../operator/src/kafka/security.ts';
import { issueCa, issueLeaf, type IssuedCertificate } from '../../operator/src/pki/certificates.ts';
import { newClusterId } from '../fixtures/kafka.ts';
import { freePorts } from '../fixtures/ports.ts';
import { ManagedProcess, logRoot, waitFor } from '../fixtures/process.ts';
import { kafkaHome, kafkaVersions } from '../fixtures/toolchain.ts';

const execFileP = promisify(execFile);

const cluster: ClusterRef = { name: 'demo', namespace: 'secured', uid: 'uid-secured' };
const PORTS = { CONTROLLER: 9090, REPLICATION: 9091, MTLS: 9093, SCRAM: 9094, PROBE: 9089 };
type PortName = keyof typeof PORTS;
/** A pod DNS name of this cluster (<sts>-<i>.<sts>.<namespace>.svc); ERE and JS alike. */
const POD_DNS = new RegExp(`[a-z0-9-]+-[0-9]+\\.[a-z0-9-]+\\.${cluster.namespace}\\.svc`, 'g');

function securedSpec(version: string): ClusterSpec {
  return {
    version,
    controllers: { replicas: 1, storage: { type: 'ephemeral' } },
    brokers: { replicas: 1, storage: { type: 'ephemeral' } },
    listeners: [
      {
        name: 'mtls',
        port: PORTS.MTLS,
        type: 'internal',
        tls: true,
        authentication: { type: 'tls' },
      },
      {
        name: 'scram',
        port: PORTS.SCRAM,
        type: 'internal',
        tls: true,
        authentication: { type: 'scram-sha-512' },
      },
    ],
    config: { 'offsets.topic.replication.factor': '1', 'num.partitions': '1' },
    authorization: { type: 'simple' },
  };
}

/**
 * PEM blocks one after the other. issueCa/issueLeaf's PEM has no final newline, and Kafka's PEM
 * key store finds no key in `-----END PRIVATE KEY----------BEGIN CERTIFICATE-----` ("No
 * matching PRIVATE KEY entries in PEM file"): the key store Secret must join them with one.
 */
function pemBundle(...blocks: string[]): string {
  return blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');
}

interface Pki {
  clusterCa: IssuedCertificate;
  clientsCa: IssuedCertificate;
  operator: IssuedCertificate;
  /** A client of the mTLS listener, signed by the clients CA: principal User:app, no ACLs. */
  app: IssuedCertificate;
  nodes: Map<string, IssuedCertificate>;
}

async function issuePki(layouts: readonly RoleLayout[]): Promise<Pki> {
  const now = new Date();
  const clusterCa = await issueCa({ commonName: 'demo-cluster-ca', validityDays: 30, now });
  const clientsCa = await issueCa({ commonName: 'demo-clients-ca', validityDays: 30, now });
  const leaf = (ca: IssuedCertificate, commonName: string, usage: 'client' | 'both') =>
    issueLeaf({
      ca,
      commonName,
      // The test runs on the host: the nodes advertise localhost (see the wrapper below).
      dnsNames: usage === 'both' ? ['localhost'] : [],
      ipAddresses: usage === 'both' ? ['127.0.0.1'] : [],
      validityDays: 30,
      now,
      usage,
    });
  const nodes = new Map<string, IssuedCertificate>();
  for (const l of layouts)
    nodes.set(l.statefulSetName, await leaf(clusterCa, l.statefulSetName, 'both'));
  return {
    clusterCa,
    clientsCa,
    operator: await leaf(clusterCa, OPERATOR_COMMON_NAME, 'client'),
    app: await leaf(clientsCa, 'app', 'client'),
    nodes,
  };
}

/** A rendered, running cluster of one controller and one broker. */
class RenderedCluster {
  readonly processes: ManagedProcess[] = [];
  readonly version: string;
  readonly dir: string;
  readonly objects: DesiredObjects;
  readonly pki: Pki;
  readonly ports: Record<PortName, number>;

  constructor(
    version: string,
    dir: string,
    objects: DesiredObjects,
    pki: Pki,
    ports: Record<PortName, number>,
  ) {
    this.version = version;
    this.dir = dir;
    this.objects = objects;
    this.pki = pki;
    this.ports = ports;
  }

  static async start(version: string): Promise<RenderedCluster> {
    const dir = join(logRoot, `rendered-secured-${version}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const spec = securedSpec(version);
    const layouts = roleLayouts(cluster, spec);
    const objects = renderCluster({
      cluster,
      spec,
      clusterId: newClusterId(),
      quorumFormed: false,
    });
    const pki = await issuePki(layouts);
    const free = await freePorts(5);
    const ports = Object.fromEntries(
      (Object.keys(PORTS) as PortName[]).map((name, i) => [name, free[i]!]),
    ) as Record<PortName, number>;
    const c = new RenderedCluster(version, dir, objects, pki, ports);

    // KAFKA_HOME wrapper: the real tools, but kafka-server-start.sh first points the pod DNS
    // names the start script advertised at localhost.
    const real = kafkaHome(version);
    const home = join(dir, 'kafka-home');
    mkdirSync(join(home, 'bin'), { recursive: true });
    const wrapper = (tool: string, body: string) => {
      const file = join(home, 'bin', tool);
      writeFileSync(file, `#!/usr/bin/env bash\n${body}exec ${real}/bin/${tool} "$@"\n`);
      chmodSync(file, 0o755);
    };
    wrapper('kafka-storage.sh', '');
    wrapper('kafka-server-start.sh', `sed -i -E 's/${POD_DNS.source}/localhost/g' "$1"\n`);

    for (const layout of layouts) c.startNode(layout, home);
    return c;
  }

  /** The rendered ConfigMap and Secret as the pod would mount them, ports and paths mapped. */
  private startNode(layout: RoleLayout, home: string): void {
    const sts = layout.statefulSetName;
    const nodeDir = join(this.dir, sts);
    const configDir = join(nodeDir, 'config');
    const tlsDir = join(nodeDir, 'tls');
    mkdirSync(configDir, { recursive: true });
    mkdirSync(tlsDir, { recursive: true });
    for (const [key, text] of Object.entries(this.objects.configMap.data!)) {
      let out = text
        .replaceAll(TLS_MOUNT_DIR, tlsDir)
        .replaceAll('/var/lib/kafka/data', join(nodeDir, 'data'));
      if (key !== 'start.sh') {
        out = out.replace(POD_DNS, 'localhost');
        for (const name of Object.keys(PORTS) as PortName[]) {
          // `:9090` in listeners and host:port lists; ` 9090` in the listener table.
          out = out.replace(new RegExp(`([: ])${PORTS[name]}\\b`, 'g'), `$1${this.ports[name]}`);
        }
        expect(out, key).not.toMatch(/\/etc\/kafka|\/var\/lib\/kafka|\.svc|[: ]90(89|9[0-4])\b/);
      }
      writeFileSync(join(configDir, key), out);
    }
    const node = this.pki.nodes.get(sts)!;
    const files: Record<string, string> = {
      [NODE_CERT_FILES.keystore]: pemBundle(node.keyPem, node.certPem),
      [NODE_CERT_FILES.certificate]: node.certPem,
      [NODE_CERT_FILES.key]: node.keyPem,
      [NODE_CERT_FILES.clusterCa]: this.pki.clusterCa.certPem,
      [NODE_CERT_FILES.clientsCa]: this.pki.clientsCa.certPem,
    };
    for (const [name, pem] of Object.entries(files)) {
      writeFileSync(join(tlsDir, name), pem, { mode: 0o440 });
    }

    const sset = this.objects.statefulSets.find((s) => s.metadata!.name === sts)!;
    const env: Record<string, string> = {};
    for (const e of sset.spec!.template.spec!.containers[0]!.env!) {
      if (e.value !== undefined) env[e.name] = e.value;
    }
    const proc = new ManagedProcess({
      name: `rendered-secured-${this.version}-${sts}`,
      command: 'bash',
      args: [join(configDir, 'start.sh')],
      env: {
        ...env,
        KAFKA_HOME: home,
        KRAFTWERK_CONFIG_DIR: configDir,
        KRAFTWERK_WORK_DIR: join(nodeDir, 'work'),
        LOG_DIR: join(nodeDir, 'logs'),
        POD_NAME: `${sts}-0`,
        POD_NAMESPACE: cluster.namespace,
        KAFKA_HEAP_OPTS: '-Xmx320m -Xms64m',
        KAFKA_JVM_PERFORMANCE_OPTS: '-XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true',
      },
    });
    proc.start();
    this.processes.push(proc);
  }

  get broker(): ManagedProcess {
    return this.processes[1]!;
  }

  address(name: PortName): string {
    return `localhost:${this.ports[name]}`;
  }

  /** Our client as the operator: its certificate of the cluster CA, over REPLICATION. */
  operatorSecurity(): KafkaSecurity {
    const { certPem, keyPem } = this.pki.operator;
    return { tls: { ca: this.pki.clusterCa.certPem, cert: certPem, key: keyPem } };
  }

  /** The rendered readiness probe, as the kubelet would exec it, on the mapped PROBE port. */
  probe(): Promise<{ code: number | null; output: string }> {
    const sset = this.objects.statefulSets.find((s) => s.metadata!.name === 'demo-broker')!;
    const command = [...sset.spec!.template.spec!.containers[0]!.readinessProbe!.exec!.command!];
    expect(command.at(-1)).toBe(String(PORTS.PROBE));
    command[command.length - 1] = String(this.ports.PROBE);
    return new Promise((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  /** Writes a Kafka client properties file (and a PEM key store for a certificate). */
  clientConfig(name: string, props: Record<string, string>, cert?: IssuedCertificate): string {
    const file = join(this.dir, `${name}.properties`);
    const all = { ...props };
    if (cert) {
      const store = join(this.dir, `${name}-keystore.pem`);
      writeFileSync(store, pemBundle(cert.keyPem, cert.certPem));
      all['ssl.keystore.type'] = 'PEM';
      all['ssl.keystore.location'] = store;
    }
    const ca = join(this.dir, 'cluster-ca.crt');
    writeFileSync(ca, this.pki.clusterCa.certPem);
    all['ssl.truststore.type'] = 'PEM';
    all['ssl.truststore.location'] = ca;
    writeFileSync(
      file,
      Object.entries(all)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    return file;
  }

  /** One of Kafka's own command-line tools of this version. */
  async tool(script: string, args: string[]): Promise<string> {
    const { stdout } = await execFileP(join(kafkaHome(this.version), 'bin', script), args, {
      env: { ...process.env, KAFKA_HEAP_OPTS: '-Xmx128m' },
      timeout: 90_000,
    });
    return stdout;
  }

  async stop(): Promise<void> {
    // Broker first, so it does not wait for a controller that is gone.
    for (const p of [...this.processes].reverse()) await p.stop(15_000);
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe.each(kafkaVersions)('Kafka %s runs the rendered secured cluster', (version) => {
  let c: RenderedCluster;
  let operator: KafkaAdmin;
  const admins: KafkaAdmin[] = [];
  const admin = (address: string, security?: KafkaSecurity) => {
    const a = new KafkaAdmin({
      bootstrap: address,
      clientId: 'kraftwerk-test',
      connectTimeoutMs: 5_000,
      requestTimeoutMs: 15_000,
      ...(security ? { security } : {}),
    });
    admins.push(a);
    return a;
  };

  beforeAll(async () => {
    const started = Date.now();
    c = await RenderedCluster.start(version);
    operator = admin(c.address('REPLICATION'), c.operatorSecurity());
    // Ready = the broker registered with the quorum (over mutual TLS on CONTROLLER, with the
    // authorizer on the controller) and answers the operator over REPLICATION.
    await waitFor(
      `the rendered ${version} broker`,
      async () => (await operator.describeCluster()).brokers.length === 1,
      { timeoutMs: 150_000, intervalMs: 1_000, process: c.broker },
    );
    console.log(`[secured ${version}] controller + broker ready in ${Date.now() - started} ms`);
  });
  afterAll(async () => {
    for (const a of admins) await a.close();
    await c?.stop();
  });

  it('passes the readiness probe on the loopback PROBE listener, with the authorizer on and no certificate', async () => {
    const props = readFileSync(join(c.dir, 'demo-broker/work/server.properties'), 'utf8');
    expect(props).toMatch(/^authorizer\.class\.name=.*StandardAuthorizer$/m);
    expect(props).not.toMatch(/ANONYMOUS/);
    // Not advertised: PROBE is in listeners but not in advertised.listeners.
    expect(props).toMatch(new RegExp(`^listeners=.*PROBE://127\\.0\\.0\\.1:${c.ports.PROBE}`, 'm'));
    expect(props).toMatch(/^advertised\.listeners=(?!.*PROBE).*$/m);
    const r = await c.probe();
    expect(r.code, r.output).toBe(0);
  });

  it('lets the operator identity (cluster CA, CN kraftwerk-operator) create a topic over REPLICATION', async () => {
    const created = await operator.createTopic({
      name: 'made-by-operator',
      partitions: 1,
      replicationFactor: 1,
      config: {},
    });
    expect(created?.name).toBe('made-by-operator');
  });

  it('accepts a clients-CA certificate on the mTLS listener, and denies that non-super user a topic', async () => {
    const app = admin(c.address('MTLS'), {
      tls: { ca: c.pki.clusterCa.certPem, cert: c.pki.app.certPem, key: c.pki.app.keyPem },
    });
    expect((await app.describeCluster()).brokers).toHaveLength(1);
    const denied = await rejection(
      app.createTopic({ name: 'made-by-app', partitions: 1, replicationFactor: 1, config: {} }),
    );
    expect(denied).toBeInstanceOf(KafkaRequestError);
    expect((denied as KafkaRequestError).code).toBe('TOPIC_AUTHORIZATION_FAILED');
    // Kafka's own client with the same certificate connects too.
    const config = c.clientConfig('app', { 'security.protocol': 'SSL' }, c.pki.app);
    expect(
      await c
        .tool('kafka-topics.sh', [
          '--bootstrap-server',
          c.address('MTLS'),
          '--command-config',
          config,
          '--list',
        ])
        .then((out) => out.trim()),
    ).toBe('');
  });

  it('refuses on the mTLS listener: no certificate, a cluster-CA certificate, plaintext', async () => {
    const ca = c.pki.clusterCa.certPem;
    const cases: [string, KafkaSecurity | undefined, RegExp][] = [
      // TLS alert 42: a certificate was required and none came.
      ['no certificate', { tls: { ca } }, /alert bad certificate/],
      // The operator's certificate is of the cluster CA, which client listeners do not trust
      // (TLS alert 46).
      [
        'cluster-CA certificate',
        { tls: { ca, cert: c.pki.operator.certPem, key: c.pki.operator.keyPem } },
        /alert certificate unknown/,
      ],
      ['plaintext', undefined, /start of a TLS record/],
    ];
    for (const [what, security, reason] of cases) {
      const e = await rejection(admin(c.address('MTLS'), security).describeCluster());
      expect(e, what).toBeInstanceOf(KafkaUnavailableError);
      expect(String(e), what).toMatch(reason);
    }
  });

  it('takes a SCRAM-SHA-512 user created over REPLICATION, and refuses a wrong password', async () => {
    const opConfig = c.clientConfig('operator', { 'security.protocol': 'SSL' }, c.pki.operator);
    await c.tool('kafka-configs.sh', [
      '--bootstrap-server',
      c.address('REPLICATION'),
      '--command-config',
      opConfig,
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'alice',
      '--add-config',
      'SCRAM-SHA-512=[iterations=8192,password=alice-secret]',
    ]);
    const scram = (password: string): KafkaSecurity => ({
      tls: { ca: c.pki.clusterCa.certPem },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password },
    });
    // The credential reaches the broker through the metadata log: wait until it is there.
    await waitFor('alice to authenticate', async () => {
      await admin(c.address('SCRAM'), scram('alice-secret')).describeCluster();
      return true;
    });
    const wrong = await rejection(admin(c.address('SCRAM'), scram('wrong')).describeCluster());
    expect(wrong).toBeInstanceOf(KafkaRequestError);
    expect((wrong as KafkaRequestError).code).toBe('SASL_AUTHENTICATION_FAILED');
    // Kafka's own SASL_SSL client (librdkafka before 2.6.1 cannot do SCRAM against Kafka 4).
    const config = c.clientConfig('alice', {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
    });
    expect(
      await c
        .tool('kafka-topics.sh', [
          '--bootstrap-server',
          c.address('SCRAM'),
          '--command-config',
          config,
          '--list',
        ])
        .then((out) => out.trim()),
    ).toBe('');
    // Plaintext to the SASL_SSL port is refused as well.
    const plain = await rejection(admin(c.address('SCRAM')).describeCluster());
    expect(plain).toBeInstanceOf(KafkaUnavailableError);
    expect(String(plain)).toMatch(/start of a TLS record/);
  });

  it('refuses a client without a certificate on CONTROLLER and REPLICATION', async () => {
    for (const name of ['CONTROLLER', 'REPLICATION'] as const) {
      const e = await rejection(
        admin(c.address(name), { tls: { ca: c.pki.clusterCa.certPem } }).describeCluster(),
      );
      expect(e, name).toBeInstanceOf(KafkaUnavailableError);
      // TLS alert 42: Kafka asked for a certificate and got none.
      expect(String(e), name).toMatch(/alert bad certificate/);
    }
  });
});
