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
What the operator does in each namespace it watches (the operator contract). Listed verb by
verb: no wildcards, so `kubectl auth can-i` answers match what the code needs.
*/}}
{{- define "kraftwerk.rules" -}}
- apiGroups: [kraftwerk.dev]
  resources: [kafkaclusters, kafkatopics, kafkaconsumergroups]
  verbs: [get, list, watch, update, patch]
- apiGroups: [kraftwerk.dev]
  resources: [kafkaclusters/status, kafkatopics/status, kafkaconsumergroups/status]
  verbs: [update, patch]
- apiGroups: [kraftwerk.dev]
  resources: [kafkaclusters/finalizers, kafkatopics/finalizers, kafkaconsumergroups/finalizers]
  verbs: [update]
- apiGroups: [apps]
  resources: [statefulsets, deployments]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [apps]
  resources: [statefulsets/scale, deployments/scale]
  verbs: [get, update, patch]
{{- range .Values.rbac.extraScaleTargets }}
- apiGroups: [{{ .group | quote }}]
  resources: [{{ printf "%s/scale" .resource }}]
  verbs: [get, update, patch]
{{- end }}
- apiGroups: ['']
  resources: [services, configmaps]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: ['']
  resources: [pods]
  verbs: [get, list, watch, delete]
- apiGroups: ['']
  resources: [persistentvolumeclaims]
  verbs: [get, list, watch, patch, delete]
- apiGroups: ['']
  resources: [secrets]
  verbs: [get, list, watch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: ['', events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
