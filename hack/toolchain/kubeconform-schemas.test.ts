import { describe, expect, it } from 'vitest';
import {
  schemaFileName,
  schemasFromCrds,
  schemasFromOpenApi,
  strictify,
} from './kubeconform-schemas.ts';

describe('kubeconform schemas', () => {
  it('names files the way kubeconform looks them up', () => {
    expect(schemaFileName('', 'v1', 'Service')).toBe('service-v1.json');
    expect(schemaFileName('apps', 'v1', 'Deployment')).toBe('deployment-apps-v1.json');
    expect(schemaFileName('rbac.authorization.k8s.io', 'v1', 'ClusterRole')).toBe(
      'clusterrole-rbac-v1.json',
    );
    expect(schemaFileName('kraftwerk.dev', 'v1alpha1', 'KafkaTopic')).toBe(
      'kafkatopic-kraftwerk-v1alpha1.json',
    );
  });

  it('refuses unknown fields where fields are declared, but not in maps or open objects', () => {
    const out = strictify(
      {
        type: 'object',
        properties: {
          a: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          raw: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: { x: { type: 'string' } },
          },
          port: { 'x-kubernetes-int-or-string': true },
        },
      },
      '#/definitions',
    );
    expect(out).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        a: { type: ['string', 'null'] },
        labels: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
        raw: { type: ['object', 'null'], properties: { x: { type: ['string', 'null'] } } },
        port: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      },
    });
  });

  it('writes one standalone file per kind of an OpenAPI v2 document, refs kept inside', () => {
    const files = schemasFromOpenApi({
      definitions: {
        'io.k8s.api.core.v1.ConfigMap': {
          type: 'object',
          properties: {
            metadata: { $ref: '#/definitions/meta.ObjectMeta' },
            data: { type: 'object', additionalProperties: { type: 'string' } },
          },
          'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'ConfigMap' }],
        },
        'meta.ObjectMeta': { type: 'object', properties: { name: { type: 'string' } } },
        'meta.DeleteOptions': {
          type: 'object',
          'x-kubernetes-group-version-kind': [
            { group: '', version: 'v1', kind: 'DeleteOptions' },
            { group: 'apps', version: 'v1', kind: 'DeleteOptions' },
          ],
        },
      },
    });
    expect([...files.keys()]).toEqual(['configmap-v1.json']);
    const cm = files.get('configmap-v1.json')!;
    expect(cm.properties).toMatchObject({
      kind: { enum: ['ConfigMap'] },
      apiVersion: { enum: ['v1'] },
    });
    expect(cm.definitions).toEqual({
      'meta.ObjectMeta': {
        type: 'object',
        additionalProperties: false,
        properties: { name: { type: ['string', 'null'] } },
      },
    });
  });

  it('writes a schema per served version of a CRD', () => {
    const files = schemasFromCrds([
      {
        spec: {
          group: 'kraftwerk.dev',
          names: { kind: 'KafkaTopic' },
          versions: [
            {
              name: 'v1alpha1',
              schema: {
                openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } },
              },
            },
          ],
        },
      },
    ]);
    const topic = files.get('kafkatopic-kraftwerk-v1alpha1.json')!;
    expect(topic.additionalProperties).toBe(false);
    expect(Object.keys(topic.properties as object).sort()).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
    ]);
  });
});
