#!/usr/bin/env bash
# Installs Node.js $NODE_VERSION from the npm registry's `node` package (its platform
# package carries the real binary), because the machines ship an end-of-life Node 20 and
# nodejs.org downloads are unreachable. Prints the bin dir to put first on PATH.
. "$(dirname "$0")/../lib/common.sh"
need npm "Install npm (Debian: apt-get install npm) — it is only used to fetch Node $NODE_VERSION."
dest="$KRAFTWERK_CACHE/node/$NODE_VERSION"
install_node() {
  # npm itself must run on the new node, so the cache dir gets its own npm too (one
  # install: a second --no-save install would prune the first).
  npm install --silent --no-save --prefix "$1" "node@$NODE_VERSION" npm@11 >&2
  [[ "$("$1/node_modules/.bin/node" --version)" == "v$NODE_VERSION" ]] || die "node@$NODE_VERSION did not install a working binary"
  mkdir -p "$1/bin"
  ln -s ../node_modules/.bin/node "$1/bin/node"
  ln -s ../node_modules/npm/bin/npm-cli.js "$1/bin/npm"
  ln -s ../node_modules/npm/bin/npx-cli.js "$1/bin/npx"
}
build_once "$dest" install_node
echo "$dest/bin"
