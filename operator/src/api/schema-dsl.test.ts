import { describe, expect, expectTypeOf, it } from 'vitest';
import type { KafkaClusterSpec, KafkaClusterStatus, KafkaListener } from './kafka-cluster.ts';
import type { KafkaConsumerGroupSpec } from './kafka-consumer-group.ts';
import type { KafkaTopicSpec } from './kafka-topic.ts';
import {
  arr,
  bool,
  enm,
  int,
  intOrStr,
  map,
  obj,
  opaque,
  optional,
  str,
  type Infer,
} from './schema-dsl.ts';

describe('schema DSL', () => {
  const example = obj({
    name: str().maxLength(10).describe('a name'),
    size: optional(int().min(1).max(5)),
    mode: enm('a', 'b').default('a'),
    tags: optional(arr(str()).set().maxItems(3)),
    labels: optional(map(str()).maxProperties(4)),
    enabled: bool().default(false),
    value: optional(intOrStr()),
    extra: optional(opaque()),
  })
    .rule('self.name != "x"', 'not x')
    .describe('an example');

  it('infers required, defaulted and optional properties', () => {
    type Example = Infer<typeof example>;
    expectTypeOf<Example>().toEqualTypeOf<{
      name: string;
      mode: 'a' | 'b';
      enabled: boolean;
      size?: number;
      tags?: string[];
      labels?: Record<string, string>;
      value?: number | string;
      extra?: Record<string, unknown>;
    }>();
  });

  it('requires what has neither optional() nor a default', () => {
    expect(example.schema.required).toEqual(['name']);
  });

  it('writes the OpenAPI keywords', () => {
    expect(example.schema).toMatchObject({
      type: 'object',
      description: 'an example',
      'x-kubernetes-validations': [{ rule: 'self.name != "x"', message: 'not x' }],
      properties: {
        name: { type: 'string', maxLength: 10, description: 'a name' },
        size: { type: 'integer', minimum: 1, maximum: 5 },
        mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
        tags: {
          type: 'array',
          items: { type: 'string' },
          'x-kubernetes-list-type': 'set',
          maxItems: 3,
        },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 4 },
        enabled: { type: 'boolean', default: false },
        value: { 'x-kubernetes-int-or-string': true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    });
  });

  it('never mutates a builder: every call returns a new node', () => {
    const base = str();
    const described = base.describe('x');
    expect(base.schema.description).toBeUndefined();
    expect(described.schema.description).toBe('x');
    expect(described).toBeInstanceOf(base.constructor);
    const opt = optional(described);
    expect(described.isOptional).toBe(false);
    expect(opt.isOptional).toBe(true);
  });

  it('accumulates rules in order', () => {
    const f = int().rule('self > 0', 'positive').immutable('fixed');
    expect(f.schema['x-kubernetes-validations']).toEqual([
      { rule: 'self > 0', message: 'positive' },
      { rule: 'self == oldSelf', message: 'fixed' },
    ]);
  });
});

describe('resource types inferred from the schemas', () => {
  it('KafkaTopicSpec', () => {
    expectTypeOf<KafkaTopicSpec['partitions']>().toEqualTypeOf<number>();
    expectTypeOf<KafkaTopicSpec['deletionPolicy']>().toEqualTypeOf<'Delete' | 'Retain'>();
    expectTypeOf<KafkaTopicSpec['topicName']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<KafkaTopicSpec['cluster']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<KafkaTopicSpec['config']>().toEqualTypeOf<
      Record<string, string | number> | undefined
    >();
  });

  it('KafkaClusterSpec', () => {
    expectTypeOf<KafkaClusterSpec['brokers']['replicas']>().toEqualTypeOf<number>();
    expectTypeOf<KafkaClusterSpec['brokers']['storage']['type']>().toEqualTypeOf<
      'persistent-claim' | 'ephemeral'
    >();
    expectTypeOf<KafkaListener['type']>().toEqualTypeOf<'internal' | 'nodeport'>();
    expectTypeOf<KafkaClusterSpec['controllers']>().toMatchTypeOf<object | undefined>();
    expectTypeOf<NonNullable<KafkaClusterStatus['brokers']>['selector']>().toEqualTypeOf<
      string | undefined
    >();
  });

  it('KafkaConsumerGroupSpec', () => {
    expectTypeOf<KafkaConsumerGroupSpec['scaleDown']>().toEqualTypeOf<{
      stabilizationSeconds: number;
      maxStepPercent: number;
    }>();
    expectTypeOf<KafkaConsumerGroupSpec['offsetResetPolicy']>().toEqualTypeOf<
      'latest' | 'earliest'
    >();
    expectTypeOf<KafkaConsumerGroupSpec['topics']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<KafkaConsumerGroupSpec['allowIdleConsumers']>().toEqualTypeOf<boolean>();
  });
});
