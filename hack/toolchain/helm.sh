#!/usr/bin/env bash
# Builds helm from its Go module (no GitHub release downloads here). helm.sh/helm/v4 has no
# replace directives, so `go install <pkg>@<version>` works; the version is stamped the way
# helm's Makefile does, because `helm version` and chart `kubeVersion` checks read it.
# Output: $KRAFTWERK_CACHE/helm/<version>/bin/helm
. "$(dirname "$0")/../lib/common.sh"
need go "Install Go >= 1.26 (helm v4.3 requires it)."
HELM_VERSION="${HELM_VERSION:-v4.3.1}"
dest="$KRAFTWERK_CACHE/helm/$HELM_VERSION"
build_helm() {
  local pkg="helm.sh/helm/v4"
  GOBIN="$1/bin" CGO_ENABLED=0 GOFLAGS=-mod=mod go install -trimpath -ldflags "-s -w \
    -X $pkg/internal/version.version=$HELM_VERSION \
    -X $pkg/internal/version.metadata= \
    -X $pkg/internal/version.gitTreeState=clean" "$pkg/cmd/helm@$HELM_VERSION"
}
build_once "$dest" build_helm
echo "$dest/bin"
