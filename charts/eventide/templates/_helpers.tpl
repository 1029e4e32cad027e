{{/*
Labels on every object of the chart. The templates stay deliberately plain
(values, release fields, if/else, toYaml, include of this one helper) because
no Helm binary runs in this repository's tests: tests/helm-render renders
exactly this subset and fails on anything else.
*/}}
{{- define "eventide.labels" -}}
app.kubernetes.io/name: eventide-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: eventide
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
