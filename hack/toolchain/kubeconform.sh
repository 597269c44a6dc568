#!/usr/bin/env bash
# Builds kubeconform from its Go module and writes the JSON schemas it validates against.
# kubeconform normally downloads schemas from GitHub, which is unreachable here; instead they
# are generated from the OpenAPI document that ships inside the k8s.io/kubernetes module
# (api/openapi-spec/swagger.json, the same document kube-apiserver serves at /openapi/v2),
# fetched from the Go module proxy at $KUBERNETES_VERSION, plus our own CRDs from crds/.
# Output: $KRAFTWERK_CACHE/kubeconform/<version>/bin/kubeconform
#         $KRAFTWERK_CACHE/kubeconform/<version>/schemas/<kubernetes version>/*.json
# The CRD schemas are regenerated from crds/ by the tests on every run (they change with
# the API); only the Kubernetes ones are cached.
. "$(dirname "$0")/../lib/common.sh"
need go "Install Go >= 1.26 (kubeconform v0.8 requires it)."
need node "Run hack/toolchain/node.sh and put its bin dir first on PATH."
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.8.0}"
dest="$KRAFTWERK_CACHE/kubeconform/$KUBECONFORM_VERSION"
build_kubeconform() {
  GOBIN="$1/bin" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath -ldflags "-s -w" \
    "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
}
build_once "$dest" build_kubeconform

schemas="$dest/schemas/$KUBERNETES_VERSION"
write_schemas() {
  local spec
  # `go mod download` prints the module's directory in the module cache (read-only).
  spec="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')/api/openapi-spec/swagger.json"
  [[ -f "$spec" ]] || die "no $spec in the k8s.io/kubernetes module"
  node "$HACK_DIR/toolchain/kubeconform-schemas.ts" openapi "$spec" "$1"
}
build_once "$schemas" write_schemas
echo "$dest/bin"
