{{/* Full name: the release name, or <release>-kraftwerk when it does not say kraftwerk. */}}
{{- define "kraftwerk.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kraftwerk.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "kraftwerk.labels" -}}
{{ include "kraftwerk.selectorLabels" . }}
app.kubernetes.io/part-of: kraftwerk
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "kraftwerk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kraftwerk.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kraftwerk.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace -}}
{{- end -}}

{{/*
What the operator does in each namespace it watches (the operator contract), the same rules as
cdk8s/lib/operator-rules.ts. Listed verb by verb, no wildcards, and only what the operator
sends: test/integration/rbac-least-privilege.test.ts compares them with an audit log of the
operator at work. docs/install.md says what each rule is for.
*/}}
{{- define "kraftwerk.rules" -}}
- apiGroups: [kraftwerk.dev]
  resources: [kafkaclusters]
  verbs: [get, list, watch, patch]
- apiGroups: [kraftwerk.dev]
  resources: [kafkatopics]
  verbs: [get, list, watch, patch]
- apiGroups: [kraftwerk.dev]
  resources: [kafkaconsumergroups]
  verbs: [list, watch]
- apiGroups: [kraftwerk.dev]
  resources: [kafkausers]
  verbs: [list, watch, patch]
- apiGroups: [kraftwerk.dev]
  resources: [kafkaclusters/status, kafkatopics/status, kafkaconsumergroups/status, kafkausers/status]
  verbs: [patch]
# Never sent: OwnerReferencesPermissionEnforcement admission (OpenShift) checks it when the
# operator sets blockOwnerDeletion on the objects a KafkaCluster owns and on a KafkaUser's Secret.
- apiGroups: [kraftwerk.dev]
  resources: [kafkaclusters/finalizers, kafkausers/finalizers]
  verbs: [update]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [apps]
  resources: [statefulsets/scale, deployments/scale]
  verbs: [get, patch]
{{- range .Values.rbac.extraScaleTargets }}
- apiGroups: [{{ .group | quote }}]
  resources: [{{ printf "%s/scale" .resource }}]
  verbs: [get, patch]
{{- end }}
- apiGroups: ['']
  resources: [services]
  verbs: [list, watch, create, patch, delete]
- apiGroups: ['']
  resources: [configmaps]
  verbs: [list, watch, create, patch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [list, watch, create, patch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, watch, create, patch]
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, create, patch]
- apiGroups: ['']
  resources: [pods]
  verbs: [list, watch, patch, delete]
- apiGroups: ['']
  resources: [persistentvolumeclaims]
  verbs: [list, patch, delete]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
