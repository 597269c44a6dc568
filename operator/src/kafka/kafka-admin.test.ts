import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaRequestError, KafkaUnavailableError } from './errors.ts';
import { translate } from './kafka-admin.ts';

describe('translate (kafkajs errors → port errors)', () => {
  it('turns connection trouble into KafkaUnavailableError, also when wrapped by retries', () => {
    const conn = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9');
    expect(translate(conn, 'b:1')).toBeInstanceOf(KafkaUnavailableError);
    const wrapped = new KafkaJSNumberOfRetriesExceeded(conn, { retryCount: 2, retryTime: 100 });
    expect(translate(wrapped, 'b:1')).toBeInstanceOf(KafkaUnavailableError);
    const node = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(translate(node, 'b:1')).toMatchObject({ bootstrap: 'b:1' });
    // kafkajs's plain Error once a silent endpoint's connection is gone: nothing was refused.
    expect(translate(new Error('Broker not connected'), 'b:1')).toBeInstanceOf(
      KafkaUnavailableError,
    );
  });

  it('keeps Kafka’s error name and retriability for refusals', () => {
    const e = translate(
      Object.assign(new KafkaJSProtocolError('not the coordinator'), {
        type: 'NOT_COORDINATOR_FOR_GROUP',
        retriable: true,
      }),
      'b:1',
    );
    expect(e).toBeInstanceOf(KafkaRequestError);
    expect(e).toMatchObject({ code: 'NOT_COORDINATOR_FOR_GROUP', retriable: true });
  });

  it('passes port errors through and wraps anything else', () => {
    const own = new KafkaRequestError('X', 'y', false);
    expect(translate(own, 'b:1')).toBe(own);
    expect(translate('weird', 'b:1')).toMatchObject({ code: 'CLIENT_ERROR' });
  });
});
