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
