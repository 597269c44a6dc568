// Golden bytes from Kafka itself: kafka-clients 4.1.1's generated DescribeAcls / CreateAcls /
// DeleteAcls request and response classes, serialized at v3 with MessageUtil.
import { describe, expect, it } from 'vitest';
import {
  decodeCreateAclsResponse,
  decodeDeleteAclsResponse,
  decodeDescribeAclsResponse,
  encodeCreateAclsRequest,
  encodeDeleteAclsRequest,
  encodeDescribeAclsRequest,
  type AclBinding,
} from './wire-acls.ts';

const hex = (s: string) => Buffer.from(s, 'hex');

const readOrders: AclBinding = {
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  principal: 'User:alice',
  host: '*',
  operation: 'READ',
  permissionType: 'ALLOW',
};

describe('DescribeAcls v3', () => {
  it('sends a filter: null for any name or host, ANY for any kind', () => {
    const body = encodeDescribeAclsRequest({
      resourceType: 'ANY',
      resourceName: null,
      patternType: 'ANY',
      principal: 'User:alice',
      host: null,
      operation: 'ANY',
      permissionType: 'ANY',
    });
    expect(body.toString('hex')).toBe('0100010b557365723a616c69636500010100');
  });

  it('flattens resources and their ACLs into bindings', () => {
    const body = hex(
      '000000000000000302076f726465727303020b557365723a616c696365022a0303000003056170702d04' +
        '020b557365723a616c6963650931302e302e302e310202000000',
    );
    expect(decodeDescribeAclsResponse(body)).toEqual({
      errorCode: 0,
      errorMessage: null,
      acls: [
        readOrders,
        {
          resourceType: 'GROUP',
          resourceName: 'app-',
          patternType: 'PREFIXED',
          principal: 'User:alice',
          host: '10.0.0.1',
          operation: 'ALL',
          permissionType: 'DENY',
        },
      ],
    });
  });

  it('reads a whole-request refusal with Kafka’s message', () => {
    const body = hex('0000000000361d4e6f20417574686f72697a657220697320636f6e666967757265642e0100');
    expect(decodeDescribeAclsResponse(body)).toEqual({
      errorCode: 54,
      errorMessage: 'No Authorizer is configured.',
      acls: [],
    });
  });
});

describe('CreateAcls v3', () => {
  it('sends each binding, a USER resource too (v3)', () => {
    const body = encodeCreateAclsRequest([
      readOrders,
      {
        resourceType: 'USER',
        resourceName: 'bob',
        patternType: 'LITERAL',
        principal: 'User:alice',
        host: '*',
        operation: 'CREATE_TOKENS',
        permissionType: 'DENY',
      },
    ]);
    expect(body.toString('hex')).toBe(
      '0302076f7264657273030b557365723a616c696365022a0303000704626f62030b557365723a616c696365' +
        '022a0d020000',
    );
  });

  it('reads one outcome per creation', () => {
    expect(
      decodeCreateAclsResponse(hex('000000000300000000002a0c496e76616c69642041434c0000')),
    ).toEqual([
      { errorCode: 0, errorMessage: null },
      { errorCode: 42, errorMessage: 'Invalid ACL' },
    ]);
  });
});

describe('DeleteAcls v3', () => {
  it('sends filters', () => {
    const body = encodeDeleteAclsRequest([
      {
        resourceType: 'TOPIC',
        resourceName: 'orders',
        patternType: 'LITERAL',
        principal: null,
        host: null,
        operation: 'ANY',
        permissionType: 'ANY',
      },
    ]);
    expect(body.toString('hex')).toBe('0202076f726465727303000001010000');
  });

  it('reads per filter its outcome and the ACLs it matched', () => {
    const body = hex(
      '00000000030000000200000002076f7264657273030b557365723a616c696365022a030300000036036e6f' +
        '010000',
    );
    expect(decodeDeleteAclsResponse(body)).toEqual([
      {
        errorCode: 0,
        errorMessage: null,
        deleted: [{ errorCode: 0, errorMessage: null, acl: readOrders }],
      },
      { errorCode: 54, errorMessage: 'no', deleted: [] },
    ]);
  });

  it('reads a code this client does not know as UNKNOWN, as Kafka does', () => {
    // one filter, one match: TOPIC "orders", pattern 9 and operation 99 (neither known)
    const body = hex(
      '00000000' +
        '02' +
        '000000' +
        '02' +
        '000000' +
        '02076f7264657273' +
        '09' +
        '0b557365723a616c696365' +
        '022a' +
        '63' +
        '03' +
        '00' +
        '00' +
        '00',
    );
    const [result] = decodeDeleteAclsResponse(body);
    expect(result?.deleted[0]?.acl).toMatchObject({ patternType: 'UNKNOWN', operation: 'UNKNOWN' });
  });
});
