#!/usr/bin/env bash
# Builds the operator image kraftwerk/operator:<version> (version = the chart's appVersion,
# which is the chart's default image tag) from our Debian base, the toolchain's Node binary,
# the clone's operator/ sources and production node_modules. The image is also tagged
# <version>-<content key>: the demo deploys that tag, so a rebuilt image rolls the operator
# (the plain tag would stay cached on the node under IfNotPresent). Prints the keyed reference.
. "$(dirname "$0")/lib.sh"
ensure_docker
base="$(bash "$HACK_DIR/images/base.sh" | tail -1)"
node_bin="$(bash "$HACK_DIR/toolchain/node.sh" | tail -1)"
export PATH="$node_bin:$PATH"
version="$(sed -n "s/^appVersion: *['\"]\?\([^'\"]*\)['\"]\?$/\1/p" "$REPO_ROOT/charts/kraftwerk/Chart.yaml")"
[[ -n "$version" ]] || die "no appVersion in charts/kraftwerk/Chart.yaml"
repo="${OPERATOR_IMAGE_REPO:-kraftwerk/operator}"

# Production dependencies, installed once per lockfile outside the clone (npm ci would
# otherwise replace the clone's own node_modules with a dev-less one).
deps_key="$(hash_of "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" <(node --version))"
deps="$KRAFTWERK_CACHE/operator-deps/$deps_key"
install_deps() {
  cp "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" "$1/"
  # --ignore-scripts: no dependency needs an install script, and none should run here.
  (cd "$1" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
}
build_once "$deps" install_deps
# Older dependency sets are no longer used by anything.
find "$KRAFTWERK_CACHE/operator-deps" -mindepth 1 -maxdepth 1 ! -name "$deps_key" -exec rm -rf {} + 2>/dev/null || true

# The sources the image carries: operator/ without tests and golden files.
sources() { (cd "$REPO_ROOT" && find operator -type f -name '*.ts' ! -name '*.test.ts' ! -path '*/__golden__/*' | LC_ALL=C sort); }
key="$(hash_of "$0" "$HACK_DIR/images/operator/Dockerfile" <(echo "$base $deps_key"; node --version) \
  <(cd "$REPO_ROOT" && sources | xargs sha256sum))"
image="$repo:$version-$key"
if ! image_exists "$image"; then
  ctx="$IMAGES_CACHE/operator-build.$$"
  rm -rf "$ctx"; mkdir -p "$ctx/app"
  trap 'rm -rf "$ctx" "$ctx.build.log"' EXIT
  cp "$HACK_DIR/images/operator/Dockerfile" "$ctx/"
  # The real binary, not the npm package's symlink chain.
  cp "$(readlink -f "$node_bin/node")" "$ctx/node"
  sources | tar -C "$REPO_ROOT" -cf - -T - | tar -C "$ctx/app" -xf -
  cp "$REPO_ROOT/package.json" "$ctx/app/"
  cp -r "$deps/node_modules" "$ctx/app/"
  log "building $image"
  start=$SECONDS
  docker build --build-arg "BASE=$base" -t "$image" "$ctx" >"$ctx.build.log" 2>&1 ||
    { tail -30 "$ctx.build.log" >&2; die "operator image build failed"; }
  log "built $image in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec))"
fi
docker tag "$image" "$repo:$version"
# Drop older builds of this version (one still used by a container is kept).
docker images --format '{{.Repository}}:{{.Tag}}' "$repo" |
  grep "^$repo:$version-" | grep -vx "$image" | xargs -r docker rmi >/dev/null 2>&1 || true
echo "$image"
