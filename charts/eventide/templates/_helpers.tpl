{{/*
Names and labels of the chart's objects. Every string a value or the release
supplies is inserted with quote: YAML 1.1, which Kubernetes parses, reads an
unquoted on, no, y or 123 as a boolean or a number.
*/}}

{{/* Namespaced objects: <release>-operator. */}}
{{- define "eventide.name" -}}
{{- printf "%s-operator" .Release.Name -}}
{{- end }}

{{/*
Cluster-scoped objects (ClusterRole, ClusterRoleBinding) carry the release
namespace too: two releases of one name in two namespaces must not share them.
*/}}
{{- define "eventide.clusterName" -}}
{{- printf "%s-%s-operator" .Release.Namespace .Release.Name -}}
{{- end }}

{{/* What the Deployment selects its pods by; immutable once installed. */}}
{{- define "eventide.selectorLabels" -}}
app.kubernetes.io/name: eventide-operator
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end }}

{{/*
Labels of the pod template: no chart or app version, since any change to the
template restarts the pods, and a chart bump alone must not.
*/}}
{{- define "eventide.podLabels" -}}
{{ include "eventide.selectorLabels" . }}
app.kubernetes.io/part-of: eventide
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end }}

{{/* Labels of every object of the chart. */}}
{{- define "eventide.labels" -}}
{{ include "eventide.podLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end }}
