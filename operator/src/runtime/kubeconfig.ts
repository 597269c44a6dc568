// Where the API server is and how to authenticate to it, read without @kubernetes/client-node:
// importing that package costs ~80 MB of RSS (its generated models load with KubeConfig), more
// than the operator's own runtime and cache together.
//
// Supported: in-cluster (service account token, re-read as it rotates, and ca.crt) and
// kubeconfig files ($KUBECONFIG, several merged as kubectl does, else ~/.kube/config):
// current-context, server, certificate-authority(-data), insecure-skip-tls-verify,
// tls-server-name, client-certificate(-data), client-key(-data), token, tokenFile,
// username/password. Users with `exec` or `auth-provider` are handed to client-node's KubeConfig,
// imported lazily on the first request, so only they pay its memory (and get only its headers:
// an exec plugin that returns a client certificate is not supported). Proxies are not supported.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { dump as dumpYaml, load as loadYaml } from 'js-yaml';

/** What one request needs beyond the TLS settings: the Authorization header, if any. */
export interface Credentials {
  authorization?: string;
}

/** A resolved connection to one API server. */
export interface ClusterConnection {
  /** https://host:port, no trailing slash. */
  server: string;
  /** PEM; undefined trusts Node's default CAs. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** SNI and certificate name to expect, when it differs from the server's host. */
  servername?: string;
  insecureSkipTlsVerify?: boolean;
  /** Asked before every request, so rotated tokens are picked up. */
  credentials(): Promise<Credentials>;
  /** For logs and errors: the file and context, or "in-cluster". */
  source: string;
}

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** client-go re-reads a token file after a minute; projected tokens rotate well before expiry. */
export const tokenFileMaxAgeMs = 60_000;

/**
 * A token file read again once the cached copy is older than maxAgeMs. A failed re-read keeps
 * the last token (as client-go does): a rotation in progress must not fail every request.
 */
export function fileToken(
  path: string,
  now: () => number = Date.now,
  maxAgeMs = tokenFileMaxAgeMs,
): () => string {
  let token: string | undefined;
  let readAt = -Infinity;
  return () => {
    if (token === undefined || now() - readAt >= maxAgeMs) {
      try {
        token = readFileSync(path, 'utf8').trim();
        readAt = now();
      } catch (err) {
        if (token === undefined) throw err;
      }
    }
    return token;
  };
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  serviceAccountDir?: string;
  now?: () => number;
}

/**
 * Out of cluster: an explicit path, else $KUBECONFIG, else ~/.kube/config. In cluster: the
 * service account (used when no kubeconfig file exists, as client-node's loadFromDefault does).
 */
export function loadKubeConfig(path?: string, o: LoadOptions = {}): ClusterConnection {
  const env = o.env ?? process.env;
  if (path) return fromKubeconfigFiles([path], o);
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f && exists(f));
    if (files.length > 0) return fromKubeconfigFiles(files, o);
  }
  const home = join(o.home ?? homedir(), '.kube', 'config');
  if (exists(home)) return fromKubeconfigFiles([home], o);
  if (env.KUBERNETES_SERVICE_HOST) return inCluster(o);
  throw new Error('no kubeconfig found and not running in a cluster');
}

export function inCluster(o: LoadOptions = {}): ClusterConnection {
  const env = o.env ?? process.env;
  const dir = o.serviceAccountDir ?? serviceAccountDir;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('KUBERNETES_SERVICE_HOST and _PORT must be set in a pod');
  const token = fileToken(join(dir, 'token'), o.now);
  token(); // fail at start, not on the first request, when there is no token
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(dir, 'ca.crt')),
    credentials: async () => ({ authorization: `Bearer ${token()}` }),
    source: 'in-cluster',
  };
}

// ---- kubeconfig files ---------------------------------------------------------------------

type Fields = Record<string, unknown>;

interface Named {
  name: string;
  /** The file it came from: relative paths in it are relative to that file's directory. */
  file: string;
  fields: Fields;
}

interface Merged {
  clusters: Map<string, Named>;
  users: Map<string, Named>;
  contexts: Map<string, Named>;
  currentContext: string | undefined;
}

/** kubectl's merge: for every name and for current-context, the first file that sets it wins. */
export function mergeKubeconfigFiles(files: readonly string[]): Merged {
  const merged: Merged = {
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
    currentContext: undefined,
  };
  for (const file of files) {
    const doc = loadYaml(readFileSync(file, 'utf8'));
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object') throw new Error(`${file}: not a kubeconfig`);
    const d = doc as Fields;
    if (!merged.currentContext && typeof d['current-context'] === 'string' && d['current-context'])
      merged.currentContext = d['current-context'];
    for (const [list, key, into] of [
      ['clusters', 'cluster', merged.clusters],
      ['users', 'user', merged.users],
      ['contexts', 'context', merged.contexts],
    ] as const) {
      const entries = d[list];
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as Fields[]) {
        const name = entry?.name;
        if (typeof name !== 'string' || into.has(name)) continue;
        into.set(name, { name, file, fields: (entry[key] as Fields | undefined) ?? {} });
      }
    }
  }
  return merged;
}

export function fromKubeconfigFiles(
  files: readonly string[],
  o: LoadOptions = {},
): ClusterConnection {
  const merged = mergeKubeconfigFiles(files);
  const contextName = merged.currentContext;
  if (!contextName) throw new Error(`${files.join(delimiter)}: no current-context`);
  const context = merged.contexts.get(contextName);
  if (!context) throw new Error(`${files.join(delimiter)}: context ${contextName} not found`);
  const clusterName = str(context.fields, 'cluster');
  const cluster = clusterName ? merged.clusters.get(clusterName) : undefined;
  if (!cluster) throw new Error(`${files.join(delimiter)}: kubeconfig has no current cluster`);
  const userName = str(context.fields, 'user');
  const user = userName ? merged.users.get(userName) : undefined;
  const source = `${files.join(delimiter)} (context ${contextName})`;

  const c = cluster.fields;
  const server = str(c, 'server');
  if (!server) throw new Error(`${source}: cluster ${cluster.name} has no server`);
  const conn: ClusterConnection = {
    server: server.replace(/\/+$/, ''),
    credentials: async () => ({}),
    source,
  };
  const ca = fileOrData(cluster, 'certificate-authority');
  if (ca) conn.ca = ca;
  if (c['insecure-skip-tls-verify'] === true) conn.insecureSkipTlsVerify = true;
  const servername = str(c, 'tls-server-name');
  if (servername) conn.servername = servername;
  if (!user) return conn;

  const u = user.fields;
  const cert = fileOrData(user, 'client-certificate');
  const key = fileOrData(user, 'client-key');
  if (cert) conn.cert = cert;
  if (key) conn.key = key;
  if (u.exec || u['auth-provider']) {
    conn.credentials = clientNodeCredentials(user, conn.server);
    return conn;
  }
  const token = str(u, 'token');
  const tokenFile = str(u, 'tokenFile');
  const username = str(u, 'username');
  if (token) {
    conn.credentials = async () => ({ authorization: `Bearer ${token}` });
  } else if (tokenFile) {
    const read = fileToken(resolvePath(user.file, tokenFile), o.now);
    conn.credentials = async () => ({ authorization: `Bearer ${read()}` });
  } else if (username) {
    const basic = Buffer.from(`${username}:${str(u, 'password') ?? ''}`).toString('base64');
    conn.credentials = async () => ({ authorization: `Basic ${basic}` });
  }
  return conn;
}

/**
 * exec and auth-provider users: client-node runs the plugin (and caches its credential until it
 * expires). Imported on first use, so a client-certificate or token user never loads it.
 */
function clientNodeCredentials(user: Named, server: string) {
  // Just this user, under its own names, so client-node needs no merge of its own.
  const yaml = dumpYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server } }],
    users: [{ name: 'u', user: withAbsoluteExecCommand(user) }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  let ready: Promise<() => Promise<Record<string, string>>> | undefined;
  return async (): Promise<Credentials> => {
    ready ??= import('@kubernetes/client-node').then(
      ({ HttpMethod, KubeConfig, RequestContext }) => {
        const kc = new KubeConfig();
        kc.loadFromString(yaml);
        return async () => {
          const ctx = new RequestContext(`${server}/`, HttpMethod.GET);
          await kc.applySecurityAuthentication(ctx);
          return ctx.getHeaders();
        };
      },
    );
    const headers = await (await ready)();
    const authorization = headers.Authorization ?? headers.authorization;
    return authorization ? { authorization } : {};
  };
}

/** kubectl runs a relative exec command that has a slash from the kubeconfig's directory. */
function withAbsoluteExecCommand(user: Named): Fields {
  const exec = user.fields.exec as Fields | undefined;
  const command = exec && str(exec, 'command');
  if (!exec || !command || !command.includes('/')) return user.fields;
  return { ...user.fields, exec: { ...exec, command: resolvePath(user.file, command) } };
}

function str(fields: Fields, key: string): string | undefined {
  const v = fields[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `<name>-data` (base64) wins over the file `<name>`, as in client-go. */
function fileOrData(entry: Named, name: string): Buffer | undefined {
  const data = str(entry.fields, `${name}-data`);
  if (data) return Buffer.from(data, 'base64');
  const file = str(entry.fields, name);
  return file ? readFileSync(resolvePath(entry.file, file)) : undefined;
}

function resolvePath(kubeconfigFile: string, path: string): string {
  return isAbsolute(path) ? path : join(dirname(kubeconfigFile), path);
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
