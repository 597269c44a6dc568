// Golden bytes from Kafka itself: kafka-clients 4.1.1's generated message classes
// (DescribeClientQuotasRequestData, …Response, AlterClientQuotasRequestData, …Response),
// serialized at v1 with MessageUtil.toByteBufferAccessor, so the encoders and decoders are
// checked against Kafka's own code rather than against this one. The message JSON is the same in
// 3.9.1.
import { describe, expect, it } from 'vitest';
import {
  MATCH_EXACT,
  MATCH_SPECIFIED,
  decodeAlterClientQuotasResponse,
  decodeDescribeClientQuotasResponse,
  encodeAlterClientQuotasRequest,
  encodeDescribeClientQuotasRequest,
} from './wire-client-quotas.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('DescribeClientQuotas v1', () => {
  it('asks for one user exactly, or for every named user, strictly', () => {
    expect(
      encodeDescribeClientQuotasRequest(
        [{ entityType: 'user', matchType: MATCH_EXACT, match: 'alice' }],
        true,
      ).toString('hex'),
    ).toBe('0205757365720006616c696365000100');
    expect(
      encodeDescribeClientQuotasRequest(
        [{ entityType: 'user', matchType: MATCH_SPECIFIED, match: null }],
        true,
      ).toString('hex'),
    ).toBe('0205757365720200000100');
  });

  it('reads entities (named, default, user+client-id) and float64 values', () => {
    const body = hex(
      '000000000000000402057573657206616c69636500031370726f64756365725f627974655f72617465413000' +
        '00000000000013726571756573745f70657263656e74616765402900000000000000000205757365720000' +
        '0213636f6e73756d65725f627974655f726174654059000000000000000003057573657206616c69636500' +
        '0a636c69656e742d696404617070000213636f6e73756d65725f627974655f726174654069000000000000' +
        '000000',
    );
    expect(decodeDescribeClientQuotasResponse(body)).toEqual({
      errorCode: 0,
      errorMessage: null,
      entries: [
        {
          entity: [{ entityType: 'user', entityName: 'alice' }],
          values: [
            { key: 'producer_byte_rate', value: 1048576 },
            { key: 'request_percentage', value: 12.5 },
          ],
        },
        {
          entity: [{ entityType: 'user', entityName: null }],
          values: [{ key: 'consumer_byte_rate', value: 100 }],
        },
        {
          entity: [
            { entityType: 'user', entityName: 'alice' },
            { entityType: 'client-id', entityName: 'app' },
          ],
          values: [{ key: 'consumer_byte_rate', value: 200 }],
        },
      ],
    });
  });

  it('reads a refusal with null entries', () => {
    expect(
      decodeDescribeClientQuotasResponse(
        hex('00000000002a14496e76616c696420656e7469747920747970650000'),
      ),
    ).toEqual({ errorCode: 42, errorMessage: 'Invalid entity type', entries: null });
  });
});

describe('AlterClientQuotas v1', () => {
  it('sends set and remove operations per entity', () => {
    const body = encodeAlterClientQuotasRequest([
      {
        entity: [{ entityType: 'user', entityName: 'alice' }],
        ops: [
          { key: 'producer_byte_rate', value: 1024, remove: false },
          { key: 'request_percentage', value: 0, remove: true },
        ],
      },
      {
        entity: [{ entityType: 'user', entityName: 'bob' }],
        ops: [{ key: 'controller_mutation_rate', value: 0.5, remove: false }],
      },
    ]);
    expect(body.toString('hex')).toBe(
      '0302057573657206616c69636500031370726f64756365725f627974655f7261746540900000000000000000' +
        '13726571756573745f70657263656e746167650000000000000000010000020575736572' +
        '04626f62000219636f6e74726f6c6c65725f6d75746174696f6e5f726174653fe0000000000000000000' +
        '0000',
    );
  });

  it('reads a result per entity, with Kafka’s message', () => {
    const body = hex(
      '000000000300000002057573657206616c6963650000002a14496e76616c69642071756f74612076616c75' +
        '6502057573657204626f62000000',
    );
    expect(decodeAlterClientQuotasResponse(body)).toEqual([
      { errorCode: 0, errorMessage: null, entity: [{ entityType: 'user', entityName: 'alice' }] },
      {
        errorCode: 42,
        errorMessage: 'Invalid quota value',
        entity: [{ entityType: 'user', entityName: 'bob' }],
      },
    ]);
  });
});
