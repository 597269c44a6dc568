# Helpers for the image scripts in hack/images (sourced). Images are tagged with a content
# key (a hash of the inputs that made them), so a script that finds its tag skips the build.
# shellcheck source=../kind/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../kind/lib.sh"
IMAGES_CACHE="$KRAFTWERK_CACHE/images"
# Our images live under a name no registry serves, so nothing ever tries to pull them.
IMAGE_PREFIX="${IMAGE_PREFIX:-kraftwerk.local}"

# hash_of FILE... : short content hash of build inputs (scripts, Dockerfiles, versions).
hash_of() { cat "$@" | sha256sum | cut -c1-12; }

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

ensure_docker() { bash "$HACK_DIR/kind/dockerd.sh"; }

# Docker 28's CLI without the buildx plugin falls back to the legacy builder anyway; say so
# explicitly so builds behave the same on every machine (Debian's 20.10 daemon).
export DOCKER_BUILDKIT=0

# docker_build TAG CONTEXT_DIR : build quietly, keeping the log for when it fails.
docker_build() {
  local tag="$1" ctx="$2"
  docker build -t "$tag" "$ctx" >"$ctx.build.log" 2>&1 || { tail -30 "$ctx.build.log" >&2; die "docker build of $tag failed (log: $ctx.build.log)"; }
}

# build_image_once IMAGE NAME BASE FILL : builds IMAGE (a content-keyed tag) on BASE unless it
# exists. FILL is a function that puts the Dockerfile and all it copies into the context dir
# it is given; the context is removed afterwards.
build_image_once() {
  local image="$1" name="$2" base="$3" fill="$4"
  image_exists "$image" && return 0
  local ctx="$IMAGES_CACHE/$name-build.$$"
  rm -rf "$ctx"; mkdir -p "$ctx"
  # shellcheck disable=SC2064 # the path is fixed now; the trap runs after this function
  trap "rm -rf '$ctx' '$ctx.build.log'" EXIT
  "$fill" "$ctx"
  log "building $image"
  local start=$SECONDS
  docker build --build-arg "BASE=$base" -t "$image" "$ctx" >"$ctx.build.log" 2>&1 ||
    { tail -30 "$ctx.build.log" >&2; die "$name image build failed"; }
  log "built $image in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec))"
}

# tag_current IMAGE REPO VERSION : tags IMAGE as REPO:VERSION and drops older REPO:VERSION-*
# builds (one still used by a container is kept).
tag_current() {
  local image="$1" repo="$2" version="$3"
  docker tag "$image" "$repo:$version"
  docker images --format '{{.Repository}}:{{.Tag}}' "$repo" |
    grep "^$repo:$version-" | grep -vx "$image" | xargs -r docker rmi >/dev/null 2>&1 || true
}
