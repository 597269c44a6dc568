// A small schema DSL: every builder carries both the structural OpenAPI v3 schema the API server
// validates with and (as a phantom type) the TypeScript type of the value it describes, so the
// resource types are inferred from the one schema instead of being written twice.

/** One `x-kubernetes-validations` entry (a CEL rule). */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?:
    'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** The subset of OpenAPI v3 (JSONSchemaProps) a structural CRD schema uses, with wire names. */
export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  default?: unknown;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  additionalProperties?: OpenApiSchema;
  items?: OpenApiSchema;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/**
 * A schema node. `T` is the TypeScript type of a value the API server has accepted (defaults
 * applied), which is what the operator reads.
 */
export class Field<T> {
  // Phantom: never set at runtime, only carries T for inference.
  declare readonly _type: T;
  readonly schema: OpenApiSchema;
  /** Whether the field may be absent in the inferred type (set by `optional()`). */
  readonly isOptional: boolean;

  constructor(schema: OpenApiSchema, isOptional = false) {
    this.schema = schema;
    this.isOptional = isOptional;
  }

  /** A copy of this node (same builder class) with the schema patched. */
  protected with(patch: OpenApiSchema): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this, { schema: { ...this.schema, ...patch } });
    return copy;
  }

  describe(description: string): this {
    return this.with({ description });
  }

  /**
   * A server-side default. The property stays out of `required`, but the inferred type keeps
   * it present: the API server fills it in before the operator ever sees the object.
   */
  default(value: T): this {
    return this.with({ default: value });
  }

  /** Adds a CEL rule (`x-kubernetes-validations`). */
  rule(rule: string, message: string, extra: Omit<ValidationRule, 'rule' | 'message'> = {}): this {
    return this.with({
      'x-kubernetes-validations': [
        ...(this.schema['x-kubernetes-validations'] ?? []),
        { rule, message, ...extra },
      ],
    });
  }

  /** Adds a CEL rule whose message is computed (messageExpression), e.g. to name the bad key. */
  ruleWithMessageExpression(
    rule: string,
    messageExpression: string,
    extra: Omit<ValidationRule, 'rule' | 'messageExpression'> = {},
  ): this {
    return this.with({
      'x-kubernetes-validations': [
        ...(this.schema['x-kubernetes-validations'] ?? []),
        { rule, messageExpression, ...extra },
      ],
    });
  }

  /** The field may not change once set (a transition rule). */
  immutable(message: string): this {
    return this.rule('self == oldSelf', message);
  }
}

export class StringField<T extends string = string> extends Field<T> {
  minLength(n: number): this {
    return this.with({ minLength: n });
  }
  maxLength(n: number): this {
    return this.with({ maxLength: n });
  }
  pattern(regex: string): this {
    return this.with({ pattern: regex });
  }
  format(format: string): this {
    return this.with({ format });
  }
}

export class NumberField extends Field<number> {
  min(n: number): this {
    return this.with({ minimum: n });
  }
  max(n: number): this {
    return this.with({ maximum: n });
  }
  format(format: 'int32' | 'int64' | 'double' | 'float'): this {
    return this.with({ format });
  }
}

export class ArrayField<T> extends Field<T[]> {
  minItems(n: number): this {
    return this.with({ minItems: n });
  }
  maxItems(n: number): this {
    return this.with({ maxItems: n });
  }
  /** A set: items are unique scalars (the API server refuses duplicates). */
  set(): this {
    return this.with({ 'x-kubernetes-list-type': 'set' });
  }
  /** A map-list: items are objects unique by these keys (duplicates refused, SSA merges by key). */
  mapKeys(...keys: string[]): this {
    return this.with({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
  }
}

export class MapField<T> extends Field<Record<string, T>> {
  maxProperties(n: number): this {
    return this.with({ maxProperties: n });
  }
}

/** Marks a property of `obj({...})` as optional (absent from `required`, `?` in the type). */
export function optional<T>(field: Field<T>): Field<T | undefined> & { isOptional: true } {
  const copy = Object.create(Object.getPrototypeOf(field) as object) as Field<T | undefined> & {
    isOptional: true;
  };
  Object.assign(copy, field, { isOptional: true });
  return copy;
}

export type Shape = Record<string, Field<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends { isOptional: true } ? K : never;
}[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type a schema node describes. */
export type Infer<F> = F extends Field<infer T> ? T : never;

export type InferShape<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & {
    [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
  }
>;

export class ObjectField<S extends Shape> extends Field<InferShape<S>> {
  readonly shape: S;

  constructor(shape: S, schema: OpenApiSchema) {
    super(schema);
    this.shape = shape;
  }
}

export function str(): StringField {
  return new StringField({ type: 'string' });
}

export function int(): NumberField {
  return new NumberField({ type: 'integer' });
}

export function num(): NumberField {
  return new NumberField({ type: 'number' });
}

export function bool(): Field<boolean> {
  return new Field<boolean>({ type: 'boolean' });
}

/** One of a fixed set of strings. */
export function enm<const V extends readonly [string, ...string[]]>(
  ...values: V
): StringField<V[number]> {
  return new StringField<V[number]>({ type: 'string', enum: values });
}

/** An integer or a string, like Kubernetes' IntOrString (quantities, config values). */
export function intOrStr(): Field<number | string> {
  return new Field<number | string>({ 'x-kubernetes-int-or-string': true });
}

export function obj<S extends Shape>(shape: S): ObjectField<S> {
  const properties: Record<string, OpenApiSchema> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(shape)) {
    properties[name] = field.schema;
    if (!field.isOptional && field.schema.default === undefined) required.push(name);
  }
  return new ObjectField(shape, {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
  });
}

export function arr<T>(items: Field<T>): ArrayField<T> {
  return new ArrayField<T>({ type: 'array', items: items.schema });
}

/** A string-keyed map (`additionalProperties`). */
export function map<T>(values: Field<T>): MapField<T> {
  return new MapField<T>({ type: 'object', additionalProperties: values.schema });
}

/**
 * An object whose contents the API server keeps as-is (x-kubernetes-preserve-unknown-fields).
 * Only for embedded Kubernetes types we pass through untouched (affinity, tolerations).
 */
export function opaque(): Field<Record<string, unknown>> {
  return new Field<Record<string, unknown>>({
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  });
}
