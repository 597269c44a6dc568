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
