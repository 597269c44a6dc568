# Sourced by hack/kind and hack/images scripts: the shared helpers plus our own versions.
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=versions.env
. "$HACK_DIR/kind/versions.env"
