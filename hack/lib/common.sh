# Shared shell helpers for hack/ scripts. Source it; it defines no side effects beyond vars.
set -euo pipefail
HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$HACK_DIR/.." && pwd)"
# shellcheck source=../versions.env
. "$HACK_DIR/versions.env"
# Everything built lives outside the clone, keyed by version, so a fresh clone reuses it.
KRAFTWERK_CACHE="${KRAFTWERK_CACHE:-$HOME/.cache/kraftwerk}"
export KRAFTWERK_CACHE

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
need() { # need CMD "how to get it"
  command -v "$1" >/dev/null 2>&1 || die "'$1' is missing. $2"
}

# Run a build into a temp dir and move it into place only when it succeeded, so an
# interrupted build never leaves a half-filled cache entry that later runs trust.
# usage: build_once DEST_DIR FUNCTION  (FUNCTION receives the temp dir as $1)
build_once() {
  local dest="$1" fn="$2"
  if [[ -f "$dest/.complete" ]]; then return 0; fi
  local tmp="$dest.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  local start=$SECONDS
  "$fn" "$tmp"
  touch "$tmp/.complete"
  rm -rf "$dest"; mkdir -p "$(dirname "$dest")"; mv "$tmp" "$dest"
  log "built $(basename "$(dirname "$dest")")/$(basename "$dest") in $((SECONDS - start))s"
}
