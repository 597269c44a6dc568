// ACLs through the Kafka protocol (DescribeAcls 29, CreateAcls 30, DeleteAcls 31), for the
// KafkaUser resource (issue #15). Field layouts follow the message JSON in kafka-clients
// (DescribeAcls*.json, CreateAcls*.json, DeleteAcls*.json). v3 is sent: 3.9.1 takes 0-3 and
// 4.1.1 1-3 (4.0 removed v0, KIP-896); v2 made them flexible and v3 added the USER resource type
// (ACLs on who may create delegation tokens for a user). All three list "broker" among their
// listeners; brokers forward creations and deletions to the active controller (StandardAuthorizer
// keeps ACLs in the metadata log). Without an authorizer Kafka answers SECURITY_DISABLED.
//
// The enums are Kafka's byte codes (org.apache.kafka.common.acl.AclOperation,
// AclPermissionType, resource.ResourceType, resource.PatternType), kept as Kafka's names.
import { Reader, Writer } from './wire-codec.ts';

export const DESCRIBE_ACLS_API_KEY = 29;
export const CREATE_ACLS_API_KEY = 30;
export const DELETE_ACLS_API_KEY = 31;
export const ACLS_VERSION = 3;

const RESOURCE_TYPES = [
  'UNKNOWN',
  'ANY',
  'TOPIC',
  'GROUP',
  'CLUSTER',
  'TRANSACTIONAL_ID',
  'DELEGATION_TOKEN',
  'USER',
] as const;
const PATTERN_TYPES = ['UNKNOWN', 'ANY', 'MATCH', 'LITERAL', 'PREFIXED'] as const;
const OPERATIONS = [
  'UNKNOWN',
  'ANY',
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
  'CREATE_TOKENS',
  'DESCRIBE_TOKENS',
  'TWO_PHASE_COMMIT', // 4.0+ (KIP-939); 3.9 reads it as UNKNOWN
] as const;
const PERMISSION_TYPES = ['UNKNOWN', 'ANY', 'DENY', 'ALLOW'] as const;

export type AclResourceType = (typeof RESOURCE_TYPES)[number];
export type AclPatternType = (typeof PATTERN_TYPES)[number];
export type AclOperation = (typeof OPERATIONS)[number];
export type AclPermissionType = (typeof PERMISSION_TYPES)[number];

/** One ACL as Kafka stores it: who (principal, host) may or may not do what to which resource. */
export interface AclBinding {
  resourceType: AclResourceType;
  resourceName: string;
  patternType: AclPatternType;
  /** e.g. `User:alice` */
  principal: string;
  /** `*` for any host */
  host: string;
  operation: AclOperation;
  permissionType: AclPermissionType;
}

/** What to describe or delete: null name, principal or host matches any; ANY matches any kind. */
export interface AclFilter {
  resourceType: AclResourceType;
  resourceName: string | null;
  patternType: AclPatternType;
  principal: string | null;
  host: string | null;
  operation: AclOperation;
  permissionType: AclPermissionType;
}

function code<T extends string>(names: readonly T[], name: T): number {
  return names.indexOf(name);
}

/** A code this client does not know reads as UNKNOWN (as Kafka's own fromCode does). */
function named<T extends string>(names: readonly T[], byte: number): T {
  return names[byte] ?? names[0]!;
}

function writeFilter(w: Writer, f: AclFilter): Writer {
  return w
    .int8(code(RESOURCE_TYPES, f.resourceType))
    .compactString(f.resourceName)
    .int8(code(PATTERN_TYPES, f.patternType))
    .compactString(f.principal)
    .compactString(f.host)
    .int8(code(OPERATIONS, f.operation))
    .int8(code(PERMISSION_TYPES, f.permissionType));
}

function readBinding(
  r: Reader,
  resourceType: number,
  resourceName: string,
  patternType: number,
): AclBinding {
  return {
    resourceType: named(RESOURCE_TYPES, resourceType),
    resourceName,
    patternType: named(PATTERN_TYPES, patternType),
    principal: r.compactString() ?? '',
    host: r.compactString() ?? '',
    operation: named(OPERATIONS, r.int8()),
    permissionType: named(PERMISSION_TYPES, r.int8()),
  };
}

// -------------------------------------------------------------------- DescribeAcls v3 (flexible)

export function encodeDescribeAclsRequest(filter: AclFilter): Buffer {
  return writeFilter(new Writer(), filter).tags().bytes();
}

export interface DescribeAclsWire {
  errorCode: number;
  errorMessage: string | null;
  acls: AclBinding[];
}

export function decodeDescribeAclsResponse(body: Buffer): DescribeAclsWire {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.compactString();
  const acls = r
    .compactArray((res) => {
      const type = res.int8();
      const name = res.compactString() ?? '';
      const pattern = res.int8();
      const bindings = res.compactArray((a) => {
        const binding = readBinding(a, type, name, pattern);
        a.tags();
        return binding;
      });
      res.tags();
      return bindings;
    })
    .flat();
  r.tags();
  return { errorCode, errorMessage, acls };
}

// ---------------------------------------------------------------------- CreateAcls v3 (flexible)

export function encodeCreateAclsRequest(acls: readonly AclBinding[]): Buffer {
  return new Writer()
    .compactArray(acls, (w, a) => writeFilter(w, a).tags())
    .tags()
    .bytes();
}

export interface AclOutcomeWire {
  errorCode: number;
  errorMessage: string | null;
}

/** One result per creation, in the order of the request. */
export function decodeCreateAclsResponse(body: Buffer): AclOutcomeWire[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const results = r.compactArray((x) => {
    const outcome = { errorCode: x.int16(), errorMessage: x.compactString() };
    x.tags();
    return outcome;
  });
  r.tags();
  return results;
}

// ---------------------------------------------------------------------- DeleteAcls v3 (flexible)

export function encodeDeleteAclsRequest(filters: readonly AclFilter[]): Buffer {
  return new Writer()
    .compactArray(filters, (w, f) => writeFilter(w, f).tags())
    .tags()
    .bytes();
}

export interface DeletedAclWire extends AclOutcomeWire {
  acl: AclBinding;
}

export interface DeleteAclsFilterWire extends AclOutcomeWire {
  deleted: DeletedAclWire[];
}

/** One result per filter, in the order of the request, with the ACLs it matched. */
export function decodeDeleteAclsResponse(body: Buffer): DeleteAclsFilterWire[] {
  const r = new Reader(body);
  r.int32(); // throttle time
  const results = r.compactArray((f): DeleteAclsFilterWire => {
    const errorCode = f.int16();
    const errorMessage = f.compactString();
    const deleted = f.compactArray((m): DeletedAclWire => {
      const outcome = { errorCode: m.int16(), errorMessage: m.compactString() };
      const type = m.int8();
      const name = m.compactString() ?? '';
      const acl = readBinding(m, type, name, m.int8());
      m.tags();
      return { ...outcome, acl };
    });
    f.tags();
    return { errorCode, errorMessage, deleted };
  });
  r.tags();
  return results;
}
