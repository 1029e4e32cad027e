# Sourced by scripts/test after `dotnet test` (the Release build exists).
# Renders every sample with the built operator and validates what it would
# apply, every manifest under k8s/ and the CRD against the official
# Kubernetes schemas (kubernetes-models), and the samples against the CRD
# schema (ajv). The validator first proves on broken objects that it rejects them.
k8s_validate() {
  local dll=operator/Eventide.Operator/bin/Release/net10.0/eventide-operator.dll
  local crd=crds/eventpipelines.eventide.io.yaml
  local out
  out=$(mktemp -d "${EVENTIDE_TEST_WORK:-/tmp}/k8s-validate.XXXXXX")
  if [ ! -f "$dll" ]; then
    echo "k8s-validate: $dll is missing; build the operator in Release first" >&2
    return 1
  fi
  if [ ! -d tests/k8s-validate/node_modules ]; then
    echo "k8s-validate: run npm ci in tests/k8s-validate first" >&2
    return 1
  fi
  node tests/k8s-validate/validate.mjs --self-test --crd "$crd" || return 1
  local sample
  for sample in k8s/samples/*.yaml; do
    # --service-monitor-crd: render the ServiceMonitor too, so it is validated.
    if ! dotnet "$dll" render --service-monitor-crd -f "$sample" >"$out/rendered-$(basename "$sample")"; then
      echo "k8s-validate: eventide-operator render failed for $sample" >&2
      return 1
    fi
  done
  local manifests
  # Kustomizations and overlay patches are not objects; 61-packaging.sh
  # validates what `kubectl kustomize` builds from them instead.
  manifests=$(find k8s \( -name '*.yaml' -o -name '*.yml' \) -not -name kustomization.yaml -not -path 'k8s/overlays/*' | sort)
  # shellcheck disable=SC2086 # the file lists are word lists on purpose
  node tests/k8s-validate/validate.mjs --crd "$crd" "$crd" $manifests "$out"/rendered-*.yaml || return 1
  rm -rf "$out"
}
k8s_validate || { echo "k8s-validate: FAILED" >&2; exit 1; }
