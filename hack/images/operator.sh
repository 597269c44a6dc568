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
fill() {
  mkdir -p "$1/app"
  cp "$HACK_DIR/images/operator/Dockerfile" "$1/"
  # The real binary, not the npm package's symlink chain.
  cp "$(readlink -f "$node_bin/node")" "$1/node"
  sources | tar -C "$REPO_ROOT" -cf - -T - | tar -C "$1/app" -xf -
  cp "$REPO_ROOT/package.json" "$1/app/"
  cp -r "$deps/node_modules" "$1/app/"
}
build_image_once "$image" operator "$base" fill
tag_current "$image" "$repo" "$version"
echo "$image"
