#!/usr/bin/env bash
# Builds Kubernetes binaries from the k8s.io/kubernetes Go module (no dl.k8s.io here).
# k8s.io/kubernetes replaces its staging modules with ./staging paths that do not exist in
# the published module, so we build through a wrapper module that maps each staging module
# to its published v0.X.Y twin. Output: $KRAFTWERK_CACHE/kubernetes/<version>/bin/.
# usage: kubernetes.sh [component ...]   (default: the control-plane set the tests use)
. "$(dirname "$0")/../lib/common.sh"
need go "Install Go >= 1.24 (Debian: golang-go is too old; the machines ship /usr/local/go)."

components=("$@")
[[ ${#components[@]} -gt 0 ]] || components=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
version="$KUBERNETES_VERSION"
dest="$KRAFTWERK_CACHE/kubernetes/$version"
staging_version="v0.${version#v1.}"

build_component() { # build_component NAME OUTDIR
  local name="$1" out="$2" wrapper="$KRAFTWERK_CACHE/kubernetes/wrapper-$version"
  if [[ ! -f "$wrapper/go.sum" ]]; then
    rm -rf "$wrapper"; mkdir -p "$wrapper"
    local gomod
    gomod=$(cd "$wrapper" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    [[ -f "$gomod" ]] || die "could not download k8s.io/kubernetes@$version from the Go module proxy"
    {
      echo "module kraftwerk.dev/k8s-build"
      echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")"
      echo "require k8s.io/kubernetes $version"
      echo "replace ("
      sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$gomod" |
        while read -r m; do echo "  $m => $m $staging_version"; done
      echo ")"
    } >"$wrapper/go.mod"
    printf '//go:build tools\npackage main\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' >"$wrapper/tools.go"
    (cd "$wrapper" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true
     GOFLAGS=-mod=mod go list -deps k8s.io/kubernetes/cmd/kube-apiserver >/dev/null)
  fi
  local minor="${version#v1.}"; minor="${minor%%.*}"
  local pkgs=""
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    pkgs+=" -X $v.gitVersion=$version -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$wrapper" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $pkgs" \
    -o "$out/$name" "k8s.io/kubernetes/cmd/$name")
}

for c in "${components[@]}"; do
  if [[ -x "$dest/bin/$c" ]]; then continue; fi
  mkdir -p "$dest/bin"
  start=$SECONDS
  log "building $c $version (cold: many minutes on 2 cores; cached afterwards)"
  build_component "$c" "$dest/bin.tmp"
  mv "$dest/bin.tmp/$c" "$dest/bin/$c"
  log "built $c in $((SECONDS - start))s"
done
echo "$dest/bin"
