// KIP-554: SCRAM credentials through the Kafka protocol, the way `kafka-configs.sh --alter
// --add-config SCRAM-SHA-512=[…]` writes them. Field layouts follow the message JSON in
// kafka-clients (DescribeUserScramCredentials*.json, AlterUserScramCredentials*.json): both
// requests have only v0, flexible, in 3.9.1 and 4.1.1 alike, and both list "broker" among their
// listeners, so any broker takes them (a broker forwards the alteration to the active
// controller, which writes it to the metadata log).
//
// The client never sends a password: an upsertion carries the salt and SaltedPassword =
// Hi(password, salt, iterations) (scram.ts), from which Kafka derives the stored and server keys.
import type { ScramMechanism } from './scram.ts';
import { Reader, Writer } from './wire-codec.ts';

export const DESCRIBE_USER_SCRAM_CREDENTIALS_API_KEY = 50;
export const ALTER_USER_SCRAM_CREDENTIALS_API_KEY = 51;
export const USER_SCRAM_CREDENTIALS_VERSION = 0;

/** Kafka's ScramMechanism type bytes (org.apache.kafka.clients.admin.ScramMechanism). */
const MECHANISM_TYPES: Readonly<Record<ScramMechanism, number>> = {
  'SCRAM-SHA-256': 1,
  'SCRAM-SHA-512': 2,
};

export function mechanismType(mechanism: ScramMechanism): number {
  return MECHANISM_TYPES[mechanism];
}

/** The mechanism of a type byte; Kafka sends 0 (UNKNOWN) only for what it cannot name either. */
export function mechanismName(type: number): ScramMechanism | `UNKNOWN(${number})` {
  if (type === 1) return 'SCRAM-SHA-256';
  if (type === 2) return 'SCRAM-SHA-512';
  return `UNKNOWN(${type})`;
}

// ---------------------------------------------------- DescribeUserScramCredentials v0 (flexible)

/** `null` (or an empty list) asks for every user that has a credential. */
export function encodeDescribeUserScramCredentialsRequest(users: readonly string[] | null): Buffer {
  return new Writer()
    .compactArray(users, (w, name) => w.compactString(name).tags())
    .tags()
    .bytes();
}

export interface ScramCredentialInfoWire {
  mechanism: ScramMechanism | `UNKNOWN(${number})`;
  iterations: number;
}

export interface DescribedScramUserWire {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentials: ScramCredentialInfoWire[];
}

export interface DescribeUserScramCredentialsWire {
  /** Non-zero only for authorization or infrastructure problems (the whole request failed). */
  errorCode: number;
  errorMessage: string | null;
  users: DescribedScramUserWire[];
}

export function decodeDescribeUserScramCredentialsResponse(
  body: Buffer,
): DescribeUserScramCredentialsWire {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  const users = r.compactArray((u): DescribedScramUserWire => {
    const user = u.compactString() ?? '';
    const userError = u.int16();
    const userMessage = u.compactString();
    const credentials = u.compactArray((c): ScramCredentialInfoWire => {
      const info = { mechanism: mechanismName(c.int8()), iterations: c.int32() };
      c.tags();
      return info;
    });
    u.tags();
    return { user, errorCode: userError, errorMessage: userMessage, credentials };
  });
  r.tags();
  return { errorCode, errorMessage, users };
}

// ------------------------------------------------------- AlterUserScramCredentials v0 (flexible)

export interface ScramDeletionWire {
  user: string;
  mechanism: ScramMechanism;
}

export interface ScramUpsertionWire {
  user: string;
  mechanism: ScramMechanism;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

export function encodeAlterUserScramCredentialsRequest(
  deletions: readonly ScramDeletionWire[],
  upsertions: readonly ScramUpsertionWire[],
): Buffer {
  return new Writer()
    .compactArray(deletions, (w, d) =>
      w.compactString(d.user).int8(mechanismType(d.mechanism)).tags(),
    )
    .compactArray(upsertions, (w, u) =>
      w
        .compactString(u.user)
        .int8(mechanismType(u.mechanism))
        .int32(u.iterations)
        .compactBytes(u.salt)
        .compactBytes(u.saltedPassword)
        .tags(),
    )
    .tags()
    .bytes();
}

/** One result per user named in the request (not per deletion or upsertion). */
export interface AlteredScramUserWire {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

export function decodeAlterUserScramCredentialsResponse(body: Buffer): AlteredScramUserWire[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const results = r.compactArray((u): AlteredScramUserWire => {
    const result = {
      user: u.compactString() ?? '',
      errorCode: u.int16(),
      errorMessage: u.compactString(),
    };
    u.tags();
    return result;
  });
  r.tags();
  return results;
}
