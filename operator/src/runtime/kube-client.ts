// The one talker to the API server. Raw JSON in and out: no model classes, so objects keep
// every field (SSA must not drop what it does not know) and the cache holds plain data.
// node:http(s) directly, not @kubernetes/client-node: importing that costs ~80 MB of RSS
// (kubeconfig.ts says what is read without it).
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions as NodeRequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ClusterConnection } from './kubeconfig.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import type { KubeList, KubeObject, ResourceInfo } from './resource.ts';
import { groupVersionPath, resourcePath, splitApiVersion } from './resource.ts';
import { watchStream } from './watch-stream.ts';
import type { WatchHandle, WatchStreamOptions } from './watch-stream.ts';

export { loadKubeConfig };
export type { ClusterConnection };

/** One reason a request was refused, as the API server lists it (422 mostly). */
export interface KubeStatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The API server's Status body, when it sent one. */
export interface KubeStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: KubeStatusCause[] } & Record<string, unknown>;
}

export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string | undefined;
  readonly status: KubeStatus | undefined;
  /** The Status' causes, without repeats. */
  readonly causes: KubeStatusCause[];
  /** What we added to the message (see `hint` below), if anything. */
  readonly hint: string | undefined;
  /** `hint`: what we know about the failure that the Status does not say. */
  constructor(
    method: string,
    path: string,
    statusCode: number,
    status: KubeStatus | undefined,
    hint?: string,
  ) {
    const causes = uniqueCauses(status?.details?.causes);
    super(`${method} ${path}: ${statusCode} ${describeStatus(status, causes, hint)}`.trim());
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = status?.reason;
    this.status = status;
    this.causes = causes;
    this.hint = hint;
  }
}

function uniqueCauses(causes: KubeStatusCause[] | undefined): KubeStatusCause[] {
  const seen = new Set<string>();
  return (Array.isArray(causes) ? causes : []).filter((c) => {
    const key = `${c.field ?? ''}\0${c.reason ?? ''}\0${c.message ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Reason, message, and the causes the message does not already spell out (the API server
 * often lists each cause two or four times, and a CRD's message usually includes them).
 */
function describeStatus(
  status: KubeStatus | undefined,
  causes: KubeStatusCause[],
  hint: string | undefined,
): string {
  const message = status?.message ?? '';
  const extra = causes
    .filter((c) => c.message && !message.includes(c.message))
    .map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  return [
    [status?.reason, message].filter(Boolean).join(': '),
    extra.length > 0 ? `(${extra.join('; ')})` : '',
    hint ? `(${hint})` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Discovery lists no such kind under the apiVersion (asked twice, in case its CRD is new). A
 * served apiVersion without the kind; an apiVersion not served at all fails discovery itself
 * with a 404 KubeApiError instead.
 */
export class UnknownKindError extends Error {
  override name = 'UnknownKindError';
  readonly apiVersion: string;
  readonly kind: string;
  constructor(apiVersion: string, kind: string) {
    super(`the API server does not serve ${kind} in ${apiVersion}`);
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

export const isNotFound = (e: unknown): boolean =>
  e instanceof KubeApiError && e.statusCode === 404;
export const isConflict = (e: unknown): boolean =>
  e instanceof KubeApiError && e.statusCode === 409;
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.statusCode === 410;
/** A JSON Patch whose `test` failed: the object changed since it was read, like a 409. */
export const isStalePatch = (e: unknown): boolean =>
  e instanceof KubeApiError && e.statusCode === 422 && e.hint === staleJsonPatchHint;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** A request that hangs must not hang a reconcile forever; 30 s unless said otherwise. */
  timeoutMs?: number;
  /** Skips the write guard: only for the Lease, which is how an instance learns it leads. */
  unfenced?: boolean;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export const defaultRequestTimeoutMs = 30_000;

export interface KubeClientOptions {
  /** Called once per request the API server answered (watches when they open), e.g. to count. */
  onResponse?: (method: HttpMethod, path: string, statusCode: number) => void;
  /**
   * Called right before every request that is not a GET or HEAD leaves the process; throwing
   * (a FencedError) refuses it. Leader election sets it so a deposed leader cannot write.
   */
  writeGuard?: (method: HttpMethod, path: string) => void;
}

/**
 * What a request path is about, for metrics: `plural[/subresource]` (`kafkatopics/status`),
 * `discovery` for group/version documents, `other` for anything else (/metrics, /version).
 */
export function resourceOfPath(path: string): string {
  const seg = path.split('?')[0]!.split('/').filter(Boolean);
  let rest: string[];
  if (seg[0] === 'api') rest = seg.slice(2);
  else if (seg[0] === 'apis') rest = seg.slice(3);
  else return 'other';
  if (rest.length === 0) return 'discovery';
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  return rest[2] ? `${rest[0]}/${rest[2]}` : rest[0]!;
}

export class KubeClient {
  readonly kubeConfig: ClusterConnection;
  readonly server: string;
  private readonly discovery = new Map<string, Promise<ResourceInfo[]>>();
  private readonly secure: boolean;
  // One keep-alive pool per client: TLS handshakes are paid once per connection, not per request.
  private readonly agent: HttpAgent;

  private readonly onResponse: KubeClientOptions['onResponse'];
  private writeGuard: KubeClientOptions['writeGuard'];

  constructor(kubeConfig: ClusterConnection, options: KubeClientOptions = {}) {
    this.kubeConfig = kubeConfig;
    this.onResponse = options.onResponse;
    this.writeGuard = options.writeGuard;
    this.server = kubeConfig.server.replace(/\/+$/, '');
    this.secure = new URL(this.server).protocol === 'https:';
    this.agent = this.secure
      ? new HttpsAgent({
          keepAlive: true,
          ...(kubeConfig.ca ? { ca: kubeConfig.ca } : {}),
          ...(kubeConfig.cert ? { cert: kubeConfig.cert } : {}),
          ...(kubeConfig.key ? { key: kubeConfig.key } : {}),
          ...(kubeConfig.servername ? { servername: kubeConfig.servername } : {}),
          // Unset unless asked for, so NODE_TLS_REJECT_UNAUTHORIZED still has its say.
          ...(kubeConfig.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
        })
      : new HttpAgent({ keepAlive: true });
  }

  static fromKubeconfig(path?: string): KubeClient {
    return new KubeClient(loadKubeConfig(path));
  }

  /** Sets (or clears) the write guard after construction: the elector needs the client first. */
  setWriteGuard(guard: KubeClientOptions['writeGuard']): void {
    this.writeGuard = guard;
  }

  /** Closes idle pooled connections (open watches end on their own abort). */
  close(): void {
    this.agent.destroy();
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? defaultRequestTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let res: IncomingMessage;
    let text: string;
    try {
      res = await this.send(
        method,
        path,
        options.query,
        signal,
        body,
        options.contentType,
        options.unfenced,
      );
      text = await readBody(res);
    } catch (err) {
      // Like fetch: an abort or timeout rejects with the signal's reason (a TimeoutError).
      throw signal.aborted ? signal.reason : err;
    }
    const parsed: unknown = text ? safeJson(text) : undefined;
    const status = res.statusCode ?? 0;
    this.onResponse?.(method, path, status);
    if (status < 200 || status > 299) {
      throw new KubeApiError(
        method,
        path,
        status,
        parsed as KubeStatus,
        jsonPatchHint(status, options.contentType, parsed as KubeStatus | undefined),
      );
    }
    return parsed as T;
  }

  /**
   * A streaming watch of `path` (`watch=1` is added): onEvent per event, then exactly one onDone
   * (see watchStream). A non-200 answer ends it with a KubeApiError (a 410 means relist).
   */
  async watch(
    path: string,
    query: Record<string, string>,
    onEvent: (type: string, obj: unknown) => void,
    onDone: (err: unknown) => void,
    options: WatchStreamOptions = {},
  ): Promise<WatchHandle> {
    const open = async (signal: AbortSignal) => {
      const res = await this.send('GET', path, { ...query, watch: '1' }, signal);
      this.onResponse?.('GET', path, res.statusCode ?? 0);
      if (res.statusCode === 200) return res;
      const text = await readBody(res);
      throw new KubeApiError(
        'GET',
        path,
        res.statusCode ?? 0,
        (text ? safeJson(text) : undefined) as KubeStatus,
      );
    };
    return watchStream(open, onEvent, onDone, options);
  }

  /** Resolves with the response once its headers are in; the body is the caller's to read. */
  private async send(
    method: HttpMethod,
    path: string,
    query: RequestOptions['query'],
    signal: AbortSignal,
    body?: string,
    contentType?: string,
    unfenced?: boolean,
  ): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string | number> = {
      Accept: 'application/json',
      'User-Agent': 'kraftwerk-operator',
    };
    const { authorization } = await this.kubeConfig.credentials();
    if (authorization) headers.Authorization = authorization;
    if (body !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    signal.throwIfAborted();
    // As late as possible: after the awaits above, right before the bytes go out.
    if (method !== 'GET' && method !== 'HEAD' && !unfenced) this.writeGuard?.(method, path);
    const opts: NodeRequestOptions = { method, headers, agent: this.agent, signal };
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = (this.secure ? httpsRequest : httpRequest)(url, opts, resolve);
      req.on('error', reject);
      req.end(body);
    });
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
    throw new UnknownKindError(apiVersion, kind);
  }

  private async discover(apiVersion: string): Promise<ResourceInfo[]> {
    const { group, version } = splitApiVersion(apiVersion);
    const list = await this.request<{
      resources: { name: string; kind: string; namespaced: boolean }[];
    }>('GET', groupVersionPath(apiVersion));
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
      return await this.request<T>('GET', resourcePath(info, namespace, name));
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
    return this.request<KubeList<T>>('GET', resourcePath(info, namespace), {
      query,
      ...(signal ? { signal } : {}),
    });
  }

  create<T extends KubeObject>(info: ResourceInfo, obj: T): Promise<T> {
    return this.request<T>('POST', resourcePath(info, obj.metadata?.namespace), {
      body: obj,
    });
  }

  /** PUT; carries metadata.resourceVersion, so a stale write fails with 409. */
  replace<T extends KubeObject>(info: ResourceInfo, obj: T): Promise<T> {
    return this.request<T>(
      'PUT',
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
    return this.request<T>('PATCH', resourcePath(info, namespace, name, subresource), {
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
      await this.request('DELETE', resourcePath(info, namespace, name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
      });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}

const staleJsonPatchHint =
  'JSON Patch not applicable: a test op failed or a path does not exist, i.e. the object changed since it was read';

/**
 * A JSON Patch whose `test` fails, or whose path is missing, is answered with a bare 422
 * ("the server rejected our request due to an error in our request", no details): say that
 * much, since the patch is ours.
 */
function jsonPatchHint(
  statusCode: number,
  contentType: string | undefined,
  status: KubeStatus | undefined,
): string | undefined {
  if (statusCode !== 422 || contentType !== 'application/json-patch+json') return undefined;
  if (status?.details?.causes?.length) return undefined;
  return staleJsonPatchHint;
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
