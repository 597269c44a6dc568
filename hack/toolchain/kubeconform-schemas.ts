// Writes JSON schemas in the layout kubeconform reads (`<kind>[-<group prefix>]-<version>.json`)
// because its usual source, GitHub, is unreachable here:
//   node hack/toolchain/kubeconform-schemas.ts openapi <swagger.json> <out dir>
//     from a Kubernetes OpenAPI v2 document (the k8s.io/kubernetes module ships it as
//     api/openapi-spec/swagger.json; kube-apiserver serves the same at /openapi/v2)
//   node hack/toolchain/kubeconform-schemas.ts crds <out dir> <crd.yaml>...
//     from CustomResourceDefinitions (each served version's openAPIV3Schema)
// Both are made "strict" the way kubeconform's published schemas are: objects with declared
// properties refuse unknown fields (a typo in a manifest is an error, not a silent no-op).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** kubeconform's file name: lower-case kind, first label of the group (none for core), version. */
export function schemaFileName(group: string, version: string, kind: string): string {
  const prefix = group === '' ? '' : `-${group.split('.')[0]!}`;
  return `${kind.toLowerCase()}${prefix}-${version}.json`;
}

/**
 * Returns a copy of an OpenAPI schema that JSON Schema draft 4 validates like the API server:
 * unknown fields refused where fields are declared, int-or-string and quantities accept both
 * forms, null accepted wherever a value is optional (the API server drops nulls).
 */
export function strictify(schema: Json, refRoot: string): Json {
  if (Array.isArray(schema)) return schema.map((s) => strictify(s, refRoot));
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isObject(value)) {
      const props: JsonObject = {};
      for (const [name, prop] of Object.entries(value))
        props[name] = nullable(strictify(prop, refRoot));
      out[key] = props;
    } else if (key === '$ref' && typeof value === 'string') {
      out[key] = value.replace('#/definitions/', `${refRoot}/`);
    } else if (key.startsWith('x-kubernetes-') || key === 'format') {
      // extensions mean nothing to a JSON Schema validator; formats are handled below
    } else {
      out[key] = strictify(value, refRoot);
    }
  }
  if (schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string') {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  const openEnded =
    schema['x-kubernetes-preserve-unknown-fields'] === true ||
    schema['x-kubernetes-embedded-resource'] === true;
  if (isObject(out.properties) && out.additionalProperties === undefined && !openEnded) {
    out.additionalProperties = false;
  }
  return out;
}

// Only typed values: wrapping a $ref in anyOf would bury every nested error in anyOf noise.
function nullable(schema: Json): Json {
  if (!isObject(schema)) return schema;
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return schema;
}

/** Definitions reachable from one definition, so each file stands alone. */
function reachable(defs: JsonObject, start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
          const name = value.slice('#/definitions/'.length);
          if (!seen.has(name)) {
            seen.add(name);
            visit(defs[name] ?? null);
          }
        } else visit(value);
      }
    }
  };
  visit(defs[start] ?? null);
  return seen;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

function gvksOf(def: JsonObject): Gvk[] {
  const list = def['x-kubernetes-group-version-kind'];
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((g) => ({
    group: String(g.group ?? ''),
    version: String(g.version),
    kind: String(g.kind),
  }));
}

/** Pins apiVersion and kind, so a schema cannot validate another kind's document. */
function pinTypeMeta(schema: JsonObject, gvk: Gvk): JsonObject {
  const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
  const props = isObject(schema.properties) ? schema.properties : {};
  return {
    ...schema,
    properties: { ...props, apiVersion: { enum: [apiVersion] }, kind: { enum: [gvk.kind] } },
  };
}

export function schemasFromOpenApi(swagger: JsonObject): Map<string, JsonObject> {
  const defs = isObject(swagger.definitions) ? swagger.definitions : {};
  const files = new Map<string, JsonObject>();
  for (const [name, def] of Object.entries(defs)) {
    if (!isObject(def)) continue;
    const gvks = gvksOf(def);
    // Shared meta types (DeleteOptions, WatchEvent…) list many kinds; they are never manifests.
    if (gvks.length !== 1) continue;
    const gvk = gvks[0]!;
    const definitions: JsonObject = {};
    for (const ref of reachable(defs, name)) {
      definitions[ref] = strictDefinition(ref, defs[ref] ?? {});
    }
    const root = strictify(def, '#/definitions') as JsonObject;
    files.set(schemaFileName(gvk.group, gvk.version, gvk.kind), {
      ...pinTypeMeta(root, gvk),
      definitions,
    });
  }
  return files;
}

function strictDefinition(name: string, def: Json): Json {
  // Quantities are strings in the OpenAPI document, but manifests say `cpu: 1` as often as `cpu: "1"`.
  if (name.endsWith('.api.resource.Quantity'))
    return { oneOf: [{ type: 'string' }, { type: 'number' }] };
  return strictify(def, '#/definitions');
}

export function schemasFromCrds(crds: JsonObject[]): Map<string, JsonObject> {
  const files = new Map<string, JsonObject>();
  for (const crd of crds) {
    const spec = isObject(crd.spec) ? crd.spec : {};
    const names = isObject(spec.names) ? spec.names : {};
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
    for (const v of versions) {
      const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (!isObject(schema)) continue;
      const gvk = { group: String(spec.group), version: String(v.name), kind: String(names.kind) };
      const strict = strictify(schema, '#/definitions') as JsonObject;
      // The API server supplies metadata's schema for custom resources; kubeconform needs one.
      const props = isObject(strict.properties) ? strict.properties : {};
      strict.properties = { ...props, metadata: { type: 'object' } };
      files.set(schemaFileName(gvk.group, gvk.version, gvk.kind), pinTypeMeta(strict, gvk));
    }
  }
  return files;
}

function write(dir: string, files: Map<string, JsonObject>): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, schema] of files) writeFileSync(join(dir, file), JSON.stringify(schema));
  console.error(`wrote ${files.size} schemas to ${dir}`);
}

if (import.meta.main) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'openapi' && args.length === 2) {
    const swagger = JSON.parse(readFileSync(args[0]!, 'utf8')) as JsonObject;
    write(args[1]!, schemasFromOpenApi(swagger));
  } else if (mode === 'crds' && args.length >= 2) {
    const docs = args.slice(1).flatMap((f) => loadAllYaml(readFileSync(f, 'utf8')) as Json[]);
    write(args[0]!, schemasFromCrds(docs.filter(isObject)));
  } else {
    console.error(
      'usage: kubeconform-schemas.ts openapi <swagger.json> <dir> | crds <dir> <crd.yaml>...',
    );
    process.exit(2);
  }
}
