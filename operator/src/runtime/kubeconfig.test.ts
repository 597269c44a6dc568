// Real files in a temp dir: kubeconfigs, PEM files, token files and a service account dir.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileToken, inCluster, loadKubeConfig, mergeKubeconfigFiles } from './kubeconfig.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (rel: string, text: string) => {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const noEnv = { env: {}, home: '/nonexistent-home' };

describe('kubeconfig files', () => {
  it('reads a client-certificate user, resolving relative paths against the file', async () => {
    write('conf/pki/ca.crt', 'CA PEM');
    write('conf/pki/client.crt', 'CERT PEM');
    write('conf/client.key', 'KEY PEM');
    const path = write(
      'conf/kubeconfig',
      `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority: pki/ca.crt
    tls-server-name: kubernetes.default
contexts:
- name: dev
  context: { cluster: c1, user: u1 }
users:
- name: u1
  user:
    client-certificate: pki/client.crt
    client-key: ${join(dir, 'conf/client.key')}
`,
    );
    const conn = loadKubeConfig(path, noEnv);
    expect(conn.server).toBe('https://10.0.0.1:6443');
    expect(conn.ca?.toString()).toBe('CA PEM');
    expect(conn.cert?.toString()).toBe('CERT PEM');
    expect(conn.key?.toString()).toBe('KEY PEM');
    expect(conn.servername).toBe('kubernetes.default');
    expect(conn.insecureSkipTlsVerify).toBeUndefined();
    expect(await conn.credentials()).toEqual({});
    expect(conn.source).toContain('context dev');
  });

  it('prefers -data over files, and reads insecure-skip-tls-verify and a static token', async () => {
    const path = write(
      'kubeconfig',
      `current-context: x
clusters:
- name: c
  cluster:
    server: https://k:443
    certificate-authority: does-not-exist.crt
    certificate-authority-data: ${b64('CA DATA')}
    insecure-skip-tls-verify: true
contexts: [{ name: x, context: { cluster: c, user: u } }]
users:
- name: u
  user:
    client-certificate-data: ${b64('CERT DATA')}
    client-key-data: ${b64('KEY DATA')}
    token: abc
`,
    );
    const conn = loadKubeConfig(path, noEnv);
    expect(conn.ca?.toString()).toBe('CA DATA');
    expect(conn.cert?.toString()).toBe('CERT DATA');
    expect(conn.key?.toString()).toBe('KEY DATA');
    expect(conn.insecureSkipTlsVerify).toBe(true);
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer abc' });
  });

  it('sends basic auth for username/password', async () => {
    const path = write(
      'kubeconfig',
      `current-context: x
clusters: [{ name: c, cluster: { server: 'http://k:8080' } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
users: [{ name: u, user: { username: admin, password: 's3cret' } }]
`,
    );
    expect(await loadKubeConfig(path, noEnv).credentials()).toEqual({
      authorization: `Basic ${b64('admin:s3cret')}`,
    });
  });

  it('re-reads a relative tokenFile once the cached token is a minute old', async () => {
    write('conf/token', 'one\n');
    const path = write(
      'conf/kubeconfig',
      `current-context: x
clusters: [{ name: c, cluster: { server: 'https://k' } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
users: [{ name: u, user: { tokenFile: token } }]
`,
    );
    let now = 0;
    const conn = loadKubeConfig(path, { ...noEnv, now: () => now });
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer one' });
    write('conf/token', 'two\n');
    now = 59_000;
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer one' });
    now = 60_000;
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer two' });
  });

  it('merges the files of KUBECONFIG as kubectl does: the first to set a name wins', async () => {
    const a = write(
      'a.yaml',
      `current-context: from-a
clusters: [{ name: shared, cluster: { server: 'https://first' } }]
contexts: [{ name: from-a, context: { cluster: shared, user: only-in-b } }]
`,
    );
    const b = write(
      'b/b.yaml',
      `current-context: from-b
clusters:
- { name: shared, cluster: { server: 'https://second' } }
contexts: [{ name: from-b, context: { cluster: shared, user: only-in-b } }]
users: [{ name: only-in-b, user: { tokenFile: tok } }]
`,
    );
    write('b/tok', 'from-b-dir');
    const missing = join(dir, 'missing.yaml');
    const env = { KUBECONFIG: [missing, a, '', b].join(delimiter) };
    const conn = loadKubeConfig(undefined, { env, home: '/nonexistent-home' });
    expect(conn.server).toBe('https://first');
    expect(conn.source).toContain('context from-a');
    // The user came from b.yaml, so its relative tokenFile is relative to b/.
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer from-b-dir' });
    const merged = mergeKubeconfigFiles([a, b]);
    expect([...merged.contexts.keys()]).toEqual(['from-a', 'from-b']);
  });

  it('uses ~/.kube/config when KUBECONFIG is unset, before the in-cluster config', () => {
    write('home/.kube/config', kubeconfigFor('https://from-home'));
    const conn = loadKubeConfig(undefined, {
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      home: join(dir, 'home'),
    });
    expect(conn.server).toBe('https://from-home');
  });

  it('says what is missing', () => {
    const noContext = write('none', kubeconfigFor('https://k').replace(/current-context.*/, ''));
    expect(() => loadKubeConfig(noContext, noEnv)).toThrow(/no current-context/);
    const wrong = write(
      'wrong',
      kubeconfigFor('https://k').replace('current-context: x', 'current-context: y'),
    );
    expect(() => loadKubeConfig(wrong, noEnv)).toThrow(/context y not found/);
    expect(() => loadKubeConfig(undefined, noEnv)).toThrow(/no kubeconfig found/);
  });

  it('hands an exec user to client-node, loaded only then, and sends what the plugin returns', async () => {
    const plugin = write(
      'bin/plugin.mjs',
      `#!${process.execPath}
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: { token: 'from-exec-' + process.env.WHO },
}));
`,
    );
    chmodSync(plugin, 0o755);
    const path = write(
      'kubeconfig',
      `current-context: x
clusters: [{ name: c, cluster: { server: 'https://k' } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin.mjs
      env: [{ name: WHO, value: me }]
      interactiveMode: Never
`,
    );
    const conn = loadKubeConfig(path, noEnv);
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer from-exec-me' });
  }, 30_000); // importing client-node takes seconds on a busy machine
});

function kubeconfigFor(server: string): string {
  return `current-context: x
clusters: [{ name: c, cluster: { server: '${server}' } }]
contexts: [{ name: x, context: { cluster: c } }]
`;
}

describe('in cluster', () => {
  const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

  it('reads the service account CA and token, and re-reads the token as it rotates', async () => {
    const sa = join(dir, 'sa');
    write('sa/ca.crt', 'CLUSTER CA');
    write('sa/token', 'token-1');
    let now = 1_000;
    const conn = loadKubeConfig(undefined, {
      env,
      home: '/nonexistent-home',
      serviceAccountDir: sa,
      now: () => now,
    });
    expect(conn.server).toBe('https://10.96.0.1:443');
    expect(conn.ca?.toString()).toBe('CLUSTER CA');
    expect(conn.source).toBe('in-cluster');
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer token-1' });
    write('sa/token', 'token-2'); // kubelet rotates the projected token
    now += 30_000;
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer token-1' });
    now += 30_000;
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer token-2' });
    // Mid-rotation the file can be briefly gone: keep the last token, do not fail.
    rmSync(join(sa, 'token'));
    now += 60_000;
    expect(await conn.credentials()).toEqual({ authorization: 'Bearer token-2' });
  });

  it('brackets an IPv6 service host and fails early without a token', () => {
    write('sa/ca.crt', 'CA');
    write('sa/token', 't');
    const sa = join(dir, 'sa');
    const conn = inCluster({
      env: { ...env, KUBERNETES_SERVICE_HOST: 'fd00::1' },
      serviceAccountDir: sa,
    });
    expect(conn.server).toBe('https://[fd00::1]:443');
    rmSync(join(sa, 'token'));
    expect(() => inCluster({ env, serviceAccountDir: sa })).toThrow(/ENOENT/);
  });
});

describe('fileToken', () => {
  it('trims, caches for maxAgeMs, and throws only when it never read a token', () => {
    const path = join(dir, 'token');
    let now = 0;
    const token = fileToken(path, () => now, 1_000);
    expect(() => token()).toThrow(/ENOENT/);
    writeFileSync(path, '  a \n');
    expect(token()).toBe('a');
    writeFileSync(path, 'b');
    now = 999;
    expect(token()).toBe('a');
    now = 1_000;
    expect(token()).toBe('b');
  });
});
