// SASL on a fresh connection, before any other request (KIP-152): SaslHandshake v1 names the
// mechanism, then SaslAuthenticate v2 (flexible) carries the mechanism's bytes, once for PLAIN
// and twice for SCRAM. Both are ordinary Kafka frames, sent through the connection's own
// framing, timers and frame limit. v1/v2 are inside both 3.9's and 4.1's ranges (Kafka 4.0
// removed only SaslHandshake v0, the pre-KIP-152 raw-token form).
//
// Kafka refusing (unknown mechanism, wrong password) is a KafkaRequestError carrying Kafka's
// own words; a server that speaks SCRAM wrongly (bad message, wrong signature) throws
// ScramError, which the connection reports as unavailable.

import { errorName } from './error-codes.ts';
import { KafkaRequestError } from './errors.ts';
import { SCRAM_HASHES, ScramClient } from './scram.ts';
import type { KafkaSasl } from './security.ts';
import { Reader, Writer } from './wire-codec.ts';

export const SASL_HANDSHAKE_API_KEY = 17;
export const SASL_HANDSHAKE_VERSION = 1;
export const SASL_AUTHENTICATE_API_KEY = 36;
export const SASL_AUTHENTICATE_VERSION = 2;

const UNSUPPORTED_SASL_MECHANISM = 33;

export function encodeSaslHandshakeRequest(mechanism: string): Buffer {
  return new Writer().string(mechanism).bytes();
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export function decodeSaslHandshakeResponse(body: Buffer): SaslHandshakeResponse {
  const r = new Reader(body);
  return { errorCode: r.int16(), mechanisms: r.array((x) => x.string() ?? '') };
}

export function encodeSaslAuthenticateRequest(authBytes: Buffer): Buffer {
  return Buffer.concat([
    new Writer().uvarint(authBytes.length + 1).bytes(),
    authBytes,
    new Writer().tags().bytes(),
  ]);
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: bigint;
}

export function decodeSaslAuthenticateResponse(body: Buffer): SaslAuthenticateResponse {
  const r = new Reader(body);
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  // BYTES is not nullable here; a null (length 0) reads as empty.
  const length = Math.max(0, r.uvarint() - 1);
  const at = body.length - r.remaining;
  r.skip(length); // throws KafkaDecodeError when the bytes are not all there
  const authBytes = body.subarray(at, at + length);
  const sessionLifetimeMs = r.int64();
  r.tags();
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
}

/** Sends one request on the connection being authenticated and decodes its answer. */
export type SaslSend = <T>(
  apiKey: number,
  version: number,
  body: Buffer,
  flexible: boolean,
  decode: (body: Buffer) => T,
) => Promise<T>;

/**
 * Authenticates the connection `send` writes to; `where` names it in errors. Resolves with the
 * session lifetime Kafka granted (0: no limit; KIP-368).
 */
export async function authenticate(
  send: SaslSend,
  sasl: KafkaSasl,
  where: string,
): Promise<{ sessionLifetimeMs: number }> {
  const handshake = await send(
    SASL_HANDSHAKE_API_KEY,
    SASL_HANDSHAKE_VERSION,
    encodeSaslHandshakeRequest(sasl.mechanism),
    false,
    decodeSaslHandshakeResponse,
  );
  if (handshake.errorCode !== 0) {
    const enabled = handshake.mechanisms.length > 0 ? handshake.mechanisms.join(', ') : 'none';
    const why =
      handshake.errorCode === UNSUPPORTED_SASL_MECHANISM
        ? `SASL mechanism ${sasl.mechanism} is not enabled at ${where} (enabled: ${enabled})`
        : `${where} does not take a SASL handshake (enabled mechanisms: ${enabled}): is it a SASL_SSL or SASL_PLAINTEXT listener?`;
    throw new KafkaRequestError(errorName(handshake.errorCode), why, false);
  }
  const step = async (bytes: Buffer): Promise<SaslAuthenticateResponse> => {
    const answer = await send(
      SASL_AUTHENTICATE_API_KEY,
      SASL_AUTHENTICATE_VERSION,
      encodeSaslAuthenticateRequest(bytes),
      true,
      decodeSaslAuthenticateResponse,
    );
    if (answer.errorCode !== 0) {
      const said = answer.errorMessage ?? errorName(answer.errorCode);
      throw new KafkaRequestError(
        errorName(answer.errorCode),
        `SASL ${sasl.mechanism} authentication at ${where} failed: ${said}`,
        false,
      );
    }
    return answer;
  };
  const hash = sasl.mechanism === 'PLAIN' ? undefined : SCRAM_HASHES[sasl.mechanism];
  if (hash === undefined) {
    // PLAIN (RFC 4616): empty authorization id, user, password, NUL-separated.
    const answer = await step(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return { sessionLifetimeMs: Number(answer.sessionLifetimeMs) };
  }
  const scram = new ScramClient({ hash, username: sasl.username, password: sasl.password });
  const first = await step(Buffer.from(scram.firstMessage(), 'utf8'));
  const final = await scram.finalMessage(first.authBytes.toString('utf8'));
  const last = await step(Buffer.from(final, 'utf8'));
  scram.verifyServerFinal(last.authBytes.toString('utf8'));
  return { sessionLifetimeMs: Number(last.sessionLifetimeMs) };
}
