// The one talker to the API server. Raw JSON in and out: no model classes, so objects keep
// every field (SSA must not drop what it does not know) and the cache holds plain data.
import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  RequestContext,
  Watch,
} from '@kubernetes/client-node';
import type { KubeList, KubeObject, ResourceInfo } from './resource.ts';
import { groupVersionPath, resourcePath, splitApiVersion } from './resource.ts';

/**
 * Out of cluster: an explicit path, else $KUBECONFIG, else ~/.kube/config. In cluster: the
 * service account token and CA (loadFromDefault falls back to them when no kubeconfig exists).
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig has no current cluster');
  return kc;
}

/** The API server's Status body, when it sent one. */
export interface KubeStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: unknown;
}

export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string | undefined;
  readonly status: KubeStatus | undefined;
  constructor(method: string, path: string, statusCode: number, status: KubeStatus | undefined) {
    super(
      `${method} ${path}: ${statusCode} ${status?.reason ?? ''} ${status?.message ?? ''}`.trim(),
    );
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = status?.reason;
    this.status = status;
  }
}

export const isNotFound = (e: unknown): boolean =>
  e instanceof KubeApiError && e.statusCode === 404;
export const isConflict = (e: unknown): boolean =>
  e instanceof KubeApiError && e.statusCode === 409;
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.statusCode === 410;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** A request that hangs must not hang a reconcile forever; 30 s unless said otherwise. */
  timeoutMs?: number;
}

export type Dispatcher = ReturnType<RequestContext['getDispatcher']>;

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly server: string;
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();
  // applySecurityAuthentication builds a new connection pool per call; keeping the first one
  // reuses TLS connections. Headers (tokens) are still refreshed on every request.
  private dispatcher: Dispatcher | undefined;

  constructor(kubeConfig: KubeConfig) {
    this.kubeConfig = kubeConfig;
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/$/, '');
  }

  static fromKubeconfig(path?: string): KubeClient {
    return new KubeClient(loadKubeConfig(path));
  }

  /** A client-node Watch sharing this client's credentials. */
  newWatch(): Watch {
    return new Watch(this.kubeConfig);
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const ctx = new RequestContext(this.server + path, method);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) ctx.setQueryParam(k, String(v));
    }
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('User-Agent', 'kraftwerk-operator');
    if (options.body !== undefined) {
      ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(options.body));
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    ctx.setSignal(options.signal ? AbortSignal.any([options.signal, timeout]) : timeout);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    this.dispatcher ??= ctx.getDispatcher();
    if (this.dispatcher) ctx.setDispatcher(this.dispatcher);
    const response = await this.http.send(ctx).toPromise();
    const text = await response.body.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      throw new KubeApiError(method, path, response.httpStatusCode, parsed as KubeStatus);
    }
    return parsed as T;
  }

  /** Finds where a kind is served; asks discovery again once if the kind is new (a fresh CRD). */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let cached = this.discovery.get(apiVersion);
      if (!cached || attempt === 1) {
        cached = this.discover(apiVersion);
        this.discovery.set(apiVersion, cached);
        cached.catch(() => this.discovery.delete(apiVersion));
      }
      const found = (await cached).find((r) => r.kind === kind);
      if (found) return found;
    }
    throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
  }

  private async discover(apiVersion: string): Promise<ResourceInfo[]> {
    const { group, version } = splitApiVersion(apiVersion);
    const list = await this.request<{
      resources: { name: string; kind: string; namespaced: boolean }[];
    }>(HttpMethod.GET, groupVersionPath(apiVersion));
    return list.resources
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({ group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced }));
  }

  async resourceOf(obj: KubeObject): Promise<ResourceInfo> {
    if (!obj.apiVersion || !obj.kind) throw new Error('object needs apiVersion and kind');
    return this.resource(obj.apiVersion, obj.kind);
  }

  /** undefined when the object does not exist. */
  async get<T extends KubeObject>(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.request<T>(HttpMethod.GET, resourcePath(info, namespace, name));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  list<T extends KubeObject>(
    info: ResourceInfo,
    namespace?: string,
    query: RequestOptions['query'] = {},
    signal?: AbortSignal,
  ): Promise<KubeList<T>> {
    return this.request<KubeList<T>>(HttpMethod.GET, resourcePath(info, namespace), {
      query,
      ...(signal ? { signal } : {}),
    });
  }

  create<T extends KubeObject>(info: ResourceInfo, obj: T): Promise<T> {
    return this.request<T>(HttpMethod.POST, resourcePath(info, obj.metadata?.namespace), {
      body: obj,
    });
  }

  /** PUT; carries metadata.resourceVersion, so a stale write fails with 409. */
  replace<T extends KubeObject>(info: ResourceInfo, obj: T): Promise<T> {
    return this.request<T>(
      HttpMethod.PUT,
      resourcePath(info, obj.metadata?.namespace, obj.metadata?.name ?? ''),
      { body: obj },
    );
  }

  mergePatch<T extends KubeObject>(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    subresource?: string,
  ): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, resourcePath(info, namespace, name, subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** true when deleted, false when it was already gone. */
  async delete(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<boolean> {
    try {
      await this.request(HttpMethod.DELETE, resourcePath(info, namespace, name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
      });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
