import { describe, expect, it } from 'vitest';
import { kafkaClusterSpecSchema } from './kafka-cluster.ts';
import {
  CONFIG_KEY_PATTERN,
  configKeySyntaxMessage,
  isConfigKeySyntax,
  isOwnedConfigKey,
  OWNED_CONFIG_KEYS,
  ownedConfigKeyMessage,
} from './owned-config-keys.ts';

describe('owned config keys', () => {
  it.each([
    'node.id',
    'process.roles',
    'listeners',
    'log.dirs',
    'controller.quorum.voters',
    'controller.quorum.bootstrap.servers',
  ])('%s is owned', (key) => expect(isOwnedConfigKey(key)).toBe(true));

  it.each([
    'min.insync.replicas',
    'log.retention.hours',
    'controller.socket.timeout.ms',
    'listener.name.internal.max.connections',
  ])("%s is the user's", (key) => expect(isOwnedConfigKey(key)).toBe(false));

  it('has one admission rule per exact key, with the shared message', () => {
    const rules =
      kafkaClusterSpecSchema.schema.properties?.config?.['x-kubernetes-validations'] ?? [];
    for (const key of OWNED_CONFIG_KEYS) {
      expect(rules).toContainEqual({
        rule: `!('${key}' in self)`,
        message: ownedConfigKeyMessage(key),
      });
    }
  });

  it.each([
    'log.dirs\t',
    'log.dirs ',
    ' log.dirs',
    'log.dirs=x',
    'log:dirs',
    'log..dirs',
    '.log',
    '',
  ])('the key syntax refuses %j, so no owned key hides behind it', (key) =>
    expect(isConfigKeySyntax(key)).toBe(false),
  );

  it('checks key syntax at admission first, with the shared message', () => {
    const rules =
      kafkaClusterSpecSchema.schema.properties?.config?.['x-kubernetes-validations'] ?? [];
    const malformed = `!k.matches('${CONFIG_KEY_PATTERN}')`;
    expect(rules[0]).toEqual({
      rule: `!self.exists(k, ${malformed})`,
      messageExpression: `"${configKeySyntaxMessage(`" + self.filter(k, ${malformed})[0] + "`)}"`,
    });
  });
});
