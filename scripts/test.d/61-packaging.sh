# Sourced by scripts/test after `dotnet test`. Checks the packaging (issue 9):
# the Helm chart rendered for several value sets (tests/k8s-validate/helm-render.mjs,
# a strict renderer of the chart's template subset: no Helm binary here), the
# chart's CRD copy, values.yaml/values.schema.json, skaffold.yaml's structure,
# and `kubectl kustomize` of k8s/base and both overlays; every rendered object
# is validated with kubernetes-models and the CRD schema (validate.mjs).
# Each validator is first shown to reject a broken input.
packaging_check() {
  local crd=crds/eventpipelines.eventide.io.yaml
  local out
  out=$(mktemp -d "${EVENTIDE_TEST_WORK:-/tmp}/packaging.XXXXXX")
  if [ ! -d tests/k8s-validate/node_modules ]; then
    echo "packaging: run npm ci in tests/k8s-validate first" >&2
    return 1
  fi
  if ! command -v kubectl >/dev/null; then
    echo "packaging: kubectl is required to build the kustomizations (apt-get install kubectl)" >&2
    return 1
  fi
  node tests/k8s-validate/packaging-check.mjs --root . --out "$out" || return 1
  local k
  for k in base overlays/dev overlays/prod; do
    if ! kubectl kustomize "k8s/$k" >"$out/kustomize-${k##*/}.yaml"; then
      echo "packaging: kubectl kustomize k8s/$k failed" >&2
      return 1
    fi
  done
  grep -q 'image: eventide-operator:dev' "$out/kustomize-dev.yaml" \
    || { echo "packaging: the dev overlay does not set the dev image" >&2; return 1; }
  # shellcheck disable=SC2086 # word lists on purpose
  node tests/k8s-validate/validate.mjs --crd "$crd" "$out"/helm-*.yaml "$out"/kustomize-*.yaml || return 1
  # Self-check: the same validation fails on a broken render (replicas as a string).
  sed 's/^  replicas: \([0-9]*\)$/  replicas: "\1"/' "$out/kustomize-dev.yaml" >"$out/broken.yaml"
  if cmp -s "$out/kustomize-dev.yaml" "$out/broken.yaml"; then
    echo "packaging: self-check could not break the dev build" >&2
    return 1
  fi
  if node tests/k8s-validate/validate.mjs --crd "$crd" "$out/broken.yaml" >/dev/null 2>&1; then
    echo "packaging: self-check failed: a Deployment with replicas: \"1\" was accepted" >&2
    return 1
  fi
  echo "packaging: self-check ok: a broken build is rejected"
  rm -rf "$out"
}
packaging_check || { echo "packaging: FAILED" >&2; exit 1; }
