// Client quotas through the Kafka protocol (KIP-546: DescribeClientQuotas 48, AlterClientQuotas
// 49), for KafkaUser quotas (issue #15), the way `kafka-configs.sh --entity-type users` reads and
// writes them. Field layouts follow the message JSON in kafka-clients
// (DescribeClientQuotasRequest/Response.json, AlterClientQuotasRequest/Response.json), the same
// in 3.9.1 and 4.1.1: both take v0-1, v1 is flexible and is what we send. Both list "broker"
// among their listeners; a broker forwards the alteration to the active controller.
//
// An entity is a list of (type, name) parts: {user: alice}, {user: alice, client-id: app}, or a
// default ({user: null}). Values are float64 whatever the key (a byte rate is a whole number).
import { Reader, Writer } from './wire-codec.ts';

export const DESCRIBE_CLIENT_QUOTAS_API_KEY = 48;
export const ALTER_CLIENT_QUOTAS_API_KEY = 49;
export const CLIENT_QUOTAS_VERSION = 1;

/** How a describe component matches an entity part (Kafka's ClientQuotaFilterComponent). */
export const MATCH_EXACT = 0;
export const MATCH_DEFAULT = 1;
export const MATCH_SPECIFIED = 2;

export interface QuotaEntityPart {
  entityType: string;
  /** null: the default entity of that type. */
  entityName: string | null;
}

export interface QuotaFilterComponent {
  entityType: string;
  matchType: typeof MATCH_EXACT | typeof MATCH_DEFAULT | typeof MATCH_SPECIFIED;
  /** The name for MATCH_EXACT; null otherwise. */
  match: string | null;
}

// ---------------------------------------------------------- DescribeClientQuotas v1 (flexible)

/** `strict`: only entities made of exactly the components' types (no extra client-id part). */
export function encodeDescribeClientQuotasRequest(
  components: readonly QuotaFilterComponent[],
  strict: boolean,
): Buffer {
  return new Writer()
    .compactArray(components, (w, c) =>
      w.compactString(c.entityType).int8(c.matchType).compactString(c.match).tags(),
    )
    .bool(strict)
    .tags()
    .bytes();
}

export interface QuotaEntryWire {
  entity: QuotaEntityPart[];
  values: { key: string; value: number }[];
}

export interface DescribeClientQuotasWire {
  errorCode: number;
  errorMessage: string | null;
  /** null when the request failed. */
  entries: QuotaEntryWire[] | null;
}

function readEntity(r: Reader): QuotaEntityPart[] {
  return r.compactArray((e) => {
    const part = { entityType: e.compactString() ?? '', entityName: e.compactString() };
    e.tags();
    return part;
  });
}

export function decodeDescribeClientQuotasResponse(body: Buffer): DescribeClientQuotasWire {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  const entries = r.compactNullableArray((en): QuotaEntryWire => {
    const entity = readEntity(en);
    const values = en.compactArray((v) => {
      const value = { key: v.compactString() ?? '', value: v.float64() };
      v.tags();
      return value;
    });
    en.tags();
    return { entity, values };
  });
  r.tags();
  return { errorCode, errorMessage, entries };
}

// ------------------------------------------------------------ AlterClientQuotas v1 (flexible)

export interface QuotaOpWire {
  key: string;
  /** Ignored by Kafka when `remove`. */
  value: number;
  remove: boolean;
}

export interface QuotaAlterationWire {
  entity: QuotaEntityPart[];
  ops: QuotaOpWire[];
}

export function encodeAlterClientQuotasRequest(
  entries: readonly QuotaAlterationWire[],
  validateOnly = false,
): Buffer {
  return new Writer()
    .compactArray(entries, (w, e) =>
      w
        .compactArray(e.entity, (we, p) =>
          we.compactString(p.entityType).compactString(p.entityName).tags(),
        )
        .compactArray(e.ops, (wo, o) =>
          wo.compactString(o.key).float64(o.value).bool(o.remove).tags(),
        )
        .tags(),
    )
    .bool(validateOnly)
    .tags()
    .bytes();
}

/** One result per entity of the request. */
export interface AlteredQuotaEntryWire {
  errorCode: number;
  errorMessage: string | null;
  entity: QuotaEntityPart[];
}

export function decodeAlterClientQuotasResponse(body: Buffer): AlteredQuotaEntryWire[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const entries = r.compactArray((en): AlteredQuotaEntryWire => {
    const errorCode = en.int16();
    const errorMessage = en.compactString();
    const entity = readEntity(en);
    en.tags();
    return { errorCode, errorMessage, entity };
  });
  r.tags();
  return entries;
}
