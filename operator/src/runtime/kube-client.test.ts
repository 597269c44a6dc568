import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, applyStatus } from './apply.ts';
import {
  KubeApiError,
  KubeClient,
  UnknownKindError,
  isConflict,
  isStalePatch,
  resourceOfPath,
} from './kube-client.ts';
import type { ClusterConnection } from './kubeconfig.ts';
import { builtinResources } from './resource.ts';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

let server: Server;
let client: KubeClient;
const seen: Seen[] = [];
let widgetsServed = false;

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let b = '';
    req.on('data', (d: Buffer) => (b += d.toString()));
    req.on('end', () => resolve(b));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const b = await body(req);
    seen.push({
      method: req.method!,
      url: req.url!,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body: b,
    });
    const json = (status: number, obj: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const path = req.url!.split('?')[0];
    if (path === '/slow') return; // never answers
    if (path === '/apis/example.dev/v1') {
      return json(200, {
        resources: [
          { name: 'gadgets', kind: 'Gadget', namespaced: true },
          { name: 'gadgets/status', kind: 'Gadget', namespaced: true },
          ...(widgetsServed ? [{ name: 'widgets', kind: 'Widget', namespaced: false }] : []),
        ],
      });
    }
    if (path === '/api/v1/namespaces/n/configmaps/missing') {
      return json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' });
    }
    if (path === '/api/v1/namespaces/n/configmaps/taken') {
      return json(409, {
        kind: 'Status',
        code: 409,
        reason: 'Conflict',
        message: 'conflict with "other"',
      });
    }
    if (path === '/api/v1/namespaces/n/configmaps/invalid') {
      // As kube-apiserver 1.34 answers: each cause listed twice, one of them in the message.
      const label = {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "a b"',
        field: 'metadata.labels',
      };
      const uid = {
        reason: 'FieldValueInvalid',
        message: 'field is immutable',
        field: 'metadata.uid',
      };
      return json(422, {
        kind: 'Status',
        code: 422,
        reason: 'Invalid',
        message: 'ConfigMap "invalid" is invalid: metadata.labels: Invalid value: "a b"',
        details: { name: 'invalid', kind: 'ConfigMap', causes: [label, uid, label, uid] },
      });
    }
    if (path === '/api/v1/namespaces/n/configmaps/stale') {
      // A failed JSON Patch `test`: the API server says no more than this.
      return json(422, {
        kind: 'Status',
        code: 422,
        reason: 'Invalid',
        message: 'the server rejected our request due to an error in our request',
        details: {},
      });
    }
    return json(200, JSON.parse(b || '{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc: ClusterConnection = {
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: async () => ({ authorization: 'Bearer secret-token' }),
    source: 'test',
  };
  client = new KubeClient(kc);
});

afterAll(() => {
  client.close();
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

describe('KubeClient', () => {
  it('maps 404 to undefined and 409 to a conflict error carrying the Status', async () => {
    expect(await client.get(builtinResources.ConfigMap, 'n', 'missing')).toBeUndefined();
    const err = await client
      .replace(builtinResources.ConfigMap, { metadata: { name: 'taken', namespace: 'n' } })
      .catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
    expect(String(err)).toContain('conflict with "other"');
  });

  it("puts the Status' message and the causes it leaves out into a 4xx error", async () => {
    const err = await client
      .mergePatch(builtinResources.ConfigMap, 'n', 'invalid', { metadata: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).message).toBe(
      'PATCH /api/v1/namespaces/n/configmaps/invalid: 422 Invalid: ConfigMap "invalid" is invalid: metadata.labels: Invalid value: "a b" (metadata.uid: field is immutable)',
    );
    expect((err as KubeApiError).causes.map((c) => c.field)).toEqual([
      'metadata.labels',
      'metadata.uid',
    ]);
    const stale = await client
      .request('PATCH', '/api/v1/namespaces/n/configmaps/stale', {
        body: [{ op: 'test', path: '/metadata/resourceVersion', value: '1' }],
        contentType: 'application/json-patch+json',
      })
      .catch((e: unknown) => e);
    expect(String(stale)).toContain('a test op failed or a path does not exist');
    expect(isStalePatch(stale)).toBe(true);
    expect(isStalePatch(err)).toBe(false);
  });

  it('sends the credentials and a JSON body; a request that hangs times out', async () => {
    seen.length = 0;
    await client.create(builtinResources.ConfigMap, { metadata: { name: 'x', namespace: 'n' } });
    expect(seen[0]!.authorization).toBe('Bearer secret-token');
    expect(seen[0]!.contentType).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ metadata: { name: 'x', namespace: 'n' } });
    const err = await client.request('GET', '/slow', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    const aborted = new AbortController();
    const pending = client
      .request('GET', '/slow', { signal: aborted.signal })
      .catch((e: unknown) => e);
    aborted.abort(new Error('stopping'));
    expect(String(await pending)).toContain('stopping');
  });

  it('discovers plurals, skips subresources, and asks again for a kind it has not seen', async () => {
    expect(await client.resource('example.dev/v1', 'Gadget')).toEqual({
      group: 'example.dev',
      version: 'v1',
      kind: 'Gadget',
      plural: 'gadgets',
      namespaced: true,
    });
    widgetsServed = true; // a CRD installed after the first discovery
    expect((await client.resource('example.dev/v1', 'Widget')).plural).toBe('widgets');
    const discoveries = seen.filter((s) => s.url === '/apis/example.dev/v1').length;
    await client.resource('example.dev/v1', 'Gadget');
    expect(seen.filter((s) => s.url === '/apis/example.dev/v1').length).toBe(discoveries);
  });

  it('answers a kind discovery does not list with an UnknownKindError naming it', async () => {
    const err = await client.resource('example.dev/v1', 'Gizmo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownKindError);
    expect(err).toMatchObject({ apiVersion: 'example.dev/v1', kind: 'Gizmo' });
  });

  it('applies with the apply content type, our field manager and force; status to /status', async () => {
    seen.length = 0;
    await apply(
      client,
      {
        apiVersion: 'example.dev/v1',
        kind: 'Gadget',
        metadata: { name: 'g', namespace: 'n', resourceVersion: '9', managedFields: [] } as never,
      },
      {
        resource: {
          group: 'example.dev',
          version: 'v1',
          kind: 'Gadget',
          plural: 'gadgets',
          namespaced: true,
        },
      },
    );
    await applyStatus(
      client,
      {
        apiVersion: 'example.dev/v1',
        kind: 'Gadget',
        metadata: { name: 'g', namespace: 'n', uid: 'u' },
      },
      { ready: true },
    );
    const [a, s] = seen.filter((x) => x.method === 'PATCH');
    expect(a!.url).toBe(
      '/apis/example.dev/v1/namespaces/n/gadgets/g?fieldManager=kraftwerk&force=true',
    );
    expect(a!.contentType).toBe('application/apply-patch+yaml');
    expect(JSON.parse(a!.body).metadata).toEqual({ name: 'g', namespace: 'n' });
    expect(s!.url).toBe(
      '/apis/example.dev/v1/namespaces/n/gadgets/g/status?fieldManager=kraftwerk&force=true',
    );
    expect(JSON.parse(s!.body)).toEqual({
      apiVersion: 'example.dev/v1',
      kind: 'Gadget',
      metadata: { name: 'g', namespace: 'n' },
      status: { ready: true },
    });
  });
});

describe('resourceOfPath', () => {
  it('names the plural and subresource a request is about', () => {
    expect(resourceOfPath('/apis/kraftwerk.dev/v1alpha1/namespaces/n/kafkatopics/t/status')).toBe(
      'kafkatopics/status',
    );
    expect(resourceOfPath('/apis/kraftwerk.dev/v1alpha1/namespaces/n/kafkatopics?watch=1')).toBe(
      'kafkatopics',
    );
    expect(resourceOfPath('/api/v1/namespaces/n')).toBe('namespaces');
    expect(resourceOfPath('/api/v1/namespaces')).toBe('namespaces');
    expect(resourceOfPath('/apis/events.k8s.io/v1/namespaces/n/events')).toBe('events');
    expect(resourceOfPath('/apis/kraftwerk.dev/v1alpha1')).toBe('discovery');
    expect(resourceOfPath('/metrics')).toBe('other');
  });
});
