// Golden bytes from Kafka itself: kafka-clients 4.1.1's generated message classes
// (DescribeUserScramCredentialsRequestData etc., serialized at v0 with MessageUtil) and its
// ScramFormatter.saltedPassword for the salted passwords, so the encoders, the decoders and the
// salted-password maths are checked against Kafka's own code rather than against this one.
import { describe, expect, it } from 'vitest';
import { requestError } from './error-codes.ts';
import { KafkaRequestError } from './errors.ts';
import { salted } from './user-admin.ts';
import {
  decodeAlterUserScramCredentialsResponse,
  decodeDescribeUserScramCredentialsResponse,
  encodeAlterUserScramCredentialsRequest,
  encodeDescribeUserScramCredentialsRequest,
  mechanismName,
  mechanismType,
} from './wire-scram-credentials.ts';

const hex = (s: string) => Buffer.from(s, 'hex');
const salt = Buffer.from('kraftwerk-salt');
// ScramFormatter(SCRAM_SHA_512).saltedPassword("alice-secret", salt, 4096)
const alice512 =
  'dfb5122004b97cc938cfcbf5eaa3817202a2fd80d0009c136be6cf9f97071c476d2cdf3a6ca1ff1b9061c7dea3142337811fb4a283da1d49cb6b84cef2b98bfe';
// ScramFormatter(SCRAM_SHA_256).saltedPassword("pässwörd", salt, 4096): UTF-8, no SASLprep
const umlauts256 = '07aff15985a0394c1f62bd5390ef7dfc7c6d4499811e88af33bcbb94ddbabe34';

describe('DescribeUserScramCredentials v0', () => {
  it('names the users, or asks for all with a null array', () => {
    expect(encodeDescribeUserScramCredentialsRequest(['alice', 'o,d=d']).toString('hex')).toBe(
      '0306616c69636500066f2c643d640000',
    );
    expect(encodeDescribeUserScramCredentialsRequest(null).toString('hex')).toBe('0000');
  });

  it('reads mechanisms and iterations per user, and a user’s own error', () => {
    const body = hex(
      '000000000000000306616c6963650000000301000010000002000020000000076e6f626f6479005b42' +
        '417474656d707420746f206465736372696265206120757365722063726564656e7469616c20746861' +
        '7420646f6573206e6f742065786973743a206e6f626f6479010000',
    );
    expect(decodeDescribeUserScramCredentialsResponse(body)).toEqual({
      errorCode: 0,
      errorMessage: null,
      users: [
        {
          user: 'alice',
          errorCode: 0,
          errorMessage: null,
          credentials: [
            { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
            { mechanism: 'SCRAM-SHA-512', iterations: 8192 },
          ],
        },
        {
          user: 'nobody',
          errorCode: 91,
          errorMessage: 'Attempt to describe a user credential that does not exist: nobody',
          credentials: [],
        },
      ],
    });
  });
});

describe('AlterUserScramCredentials v0', () => {
  it('sends deletions, then upsertions with salt and salted password', () => {
    const body = encodeAlterUserScramCredentialsRequest(
      [{ user: 'bob', mechanism: 'SCRAM-SHA-256' }],
      [
        {
          user: 'alice',
          mechanism: 'SCRAM-SHA-512',
          iterations: 4096,
          salt,
          saltedPassword: hex(alice512),
        },
      ],
    );
    expect(body.toString('hex')).toBe(
      '0204626f6201000206616c69636502000010000f6b726166747765726b2d73616c7441' + alice512 + '0000',
    );
  });

  it('reads one result per user with Kafka’s message', () => {
    const body = hex(
      '000000000306616c6963650000000004626f62005d13546f6f2066657720697465726174696f6e730000',
    );
    expect(decodeAlterUserScramCredentialsResponse(body)).toEqual([
      { user: 'alice', errorCode: 0, errorMessage: null },
      { user: 'bob', errorCode: 93, errorMessage: 'Too few iterations' },
    ]);
  });
});

describe('salted passwords', () => {
  it('match Kafka’s ScramFormatter for SHA-512 and SHA-256 (UTF-8 bytes)', async () => {
    const a = await salted(
      { user: 'alice', mechanism: 'SCRAM-SHA-512', password: 'alice-secret', iterations: 4096 },
      salt,
    );
    expect(a.saltedPassword.toString('hex')).toBe(alice512);
    expect(a).toMatchObject({ user: 'alice', mechanism: 'SCRAM-SHA-512', iterations: 4096, salt });
    const u = await salted(
      { user: 'u', mechanism: 'SCRAM-SHA-256', password: 'pässwörd', iterations: 4096 },
      salt,
    );
    expect(u.saltedPassword.toString('hex')).toBe(umlauts256);
  });

  it('default to 8192 iterations and a fresh 32-byte salt each time', async () => {
    const up = { user: 'alice', mechanism: 'SCRAM-SHA-512', password: 'x' } as const;
    const [a, b] = await Promise.all([salted(up), salted(up)]);
    expect(a.iterations).toBe(8192);
    expect(a.salt).toHaveLength(32);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.saltedPassword.equals(b.saltedPassword)).toBe(false);
  });

  it('refuse a count that cannot be computed or would burn the CPU, without the password', async () => {
    for (const iterations of [0, -1, 1.5, 1_000_001]) {
      const e = await salted({
        user: 'alice',
        mechanism: 'SCRAM-SHA-512',
        password: 'hunter2',
        iterations,
      }).catch((x: unknown) => x as Error);
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toContain(`not ${iterations}`);
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('mechanism type bytes', () => {
  it('are Kafka’s ScramMechanism types; an unknown byte is named, not dropped', () => {
    expect(mechanismType('SCRAM-SHA-256')).toBe(1);
    expect(mechanismType('SCRAM-SHA-512')).toBe(2);
    expect(mechanismName(0)).toBe('UNKNOWN(0)');
    expect(mechanismName(7)).toBe('UNKNOWN(7)');
  });
});

describe('requestError', () => {
  it('names the KIP-554 codes and keeps Kafka’s words, or the name when Kafka sent none', () => {
    const e = requestError({ errorCode: 93, errorMessage: 'Too few iterations' });
    expect(e).toBeInstanceOf(KafkaRequestError);
    expect([e.code, e.message, e.retriable]).toEqual([
      'UNACCEPTABLE_CREDENTIAL',
      'Too few iterations',
      false,
    ]);
    expect(requestError({ errorCode: 91, errorMessage: null }).message).toBe('RESOURCE_NOT_FOUND');
    expect(requestError({ errorCode: 54, errorMessage: '' }).code).toBe('SECURITY_DISABLED');
  });
});
