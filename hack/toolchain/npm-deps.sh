#!/usr/bin/env bash
# `npm ci` only when package-lock.json changed since the last install in this clone.
. "$(dirname "$0")/../lib/common.sh"
cd "$REPO_ROOT"
stamp=node_modules/.kraftwerk-lock.sha256
want="$( (sha256sum package-lock.json; node --version) | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then exit 0; fi
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
