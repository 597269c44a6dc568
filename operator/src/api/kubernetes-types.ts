// Schema pieces for Kubernetes types embedded in kraftwerk resources, in the same shape the
// core API uses so tools that understand the originals understand ours.
import {
  arr,
  enm,
  int,
  intOrStr,
  map,
  obj,
  opaque,
  optional,
  str,
  type Field,
} from './schema-dsl.ts';

// resource.Quantity's canonical regular expression (apimachinery/pkg/api/resource).
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A resource quantity written as a string ("10Gi", "500m"). */
export function quantity(): ReturnType<typeof str> {
  return str().pattern(QUANTITY_PATTERN).maxLength(64);
}

/** A resource quantity that may also be a bare integer, as in core ResourceRequirements. */
function resourceQuantity(): Field<number | string> {
  return intOrStr().describe('A resource quantity, e.g. 500m or 1Gi.');
}

export function resourceRequirements() {
  return obj({
    requests: optional(
      map(resourceQuantity())
        .maxProperties(16)
        .describe('Minimum resources the scheduler reserves, e.g. {cpu: 200m, memory: 1Gi}.'),
    ),
    limits: optional(
      map(resourceQuantity())
        .maxProperties(16)
        .describe('Maximum resources the container may use, e.g. {memory: 2Gi}.'),
    ),
  }).describe('Compute resources of the Kafka container (same shape as a Pod container).');
}

/** metav1.Condition, as written by the operator into status.conditions. */
export function conditions() {
  return arr(
    obj({
      type: str()
        .maxLength(316)
        .pattern(
          '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
        )
        .describe('Type of condition in CamelCase, e.g. Ready, Progressing, Degraded.'),
      status: enm('True', 'False', 'Unknown').describe('Status of the condition.'),
      observedGeneration: optional(
        int()
          .format('int64')
          .min(0)
          .describe('The .metadata.generation the condition was set from.'),
      ),
      lastTransitionTime: str()
        .format('date-time')
        .describe('Last time the condition changed from one status to another.'),
      reason: str()
        .minLength(1)
        .maxLength(1024)
        .pattern('^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$')
        .describe('Machine-readable CamelCase reason for the last transition.'),
      message: str()
        .maxLength(32768)
        .describe('Human-readable details about the transition; may be empty.'),
    }).describe('One aspect of the current state (metav1.Condition).'),
  )
    .mapKeys('type')
    .maxItems(16)
    .describe('Current state as Kubernetes conditions: Ready, and kind-specific ones.');
}

/** Pod placement pieces passed through unchanged into the rendered pods. */
export function podTemplate() {
  return obj({
    labels: optional(
      map(str().maxLength(63).describe('A label value.'))
        .maxProperties(64)
        .describe('Extra labels on the pods (the operator-owned labels win on conflict).'),
    ),
    annotations: optional(
      map(str().maxLength(65536).describe('An annotation value.'))
        .maxProperties(64)
        .describe('Extra annotations on the pods.'),
    ),
    nodeSelector: optional(
      map(str().maxLength(63).describe('A node label value.'))
        .maxProperties(64)
        .describe('Node labels the pods must run on (Pod spec.nodeSelector).'),
    ),
    affinity: optional(opaque().describe('Pod spec.affinity, passed through as written.')),
    tolerations: optional(
      arr(opaque().describe('A core/v1 Toleration.'))
        .maxItems(64)
        .describe('Pod spec.tolerations, passed through as written.'),
    ),
    topologySpreadConstraints: optional(
      arr(opaque().describe('A core/v1 TopologySpreadConstraint.'))
        .maxItems(16)
        .describe('Pod spec.topologySpreadConstraints, passed through as written.'),
    ),
    priorityClassName: optional(str().maxLength(253).describe('Pod spec.priorityClassName.')),
  }).describe('Customisations of the pods kraftwerk renders.');
}
