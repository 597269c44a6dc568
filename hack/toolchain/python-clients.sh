#!/usr/bin/env bash
# A Python venv with confluent-kafka from PyPI (its manylinux wheel bundles a current
# librdkafka), for clients that must speak SCRAM to Kafka 4.x: Debian bookworm's
# python3-confluent-kafka and kcat link librdkafka 2.0.2, which Kafka 4 refuses for SCRAM
# (fixed in librdkafka 2.6.1, confluentinc/librdkafka#4895; docs/environment.md). The system
# kcat stays the client for plaintext and mTLS.
# Output (last line): the venv's python, $KRAFTWERK_CACHE/python/confluent-kafka-<version>/bin/python
. "$(dirname "$0")/../lib/common.sh"
# Debian's interpreter: a pyenv `python3` earlier on PATH would tie the venv to pyenv.
PYTHON="${KRAFTWERK_PYTHON:-/usr/bin/python3}"
[[ -x "$PYTHON" ]] || die "$PYTHON is missing: apt-get install python3 python3-venv"
dest="$KRAFTWERK_CACHE/python/confluent-kafka-$CONFLUENT_KAFKA_PYTHON_VERSION"
build_venv() {
  "$PYTHON" -m venv "$1" >&2 || die "python3 -m venv failed: apt-get install python3-venv"
  # Wheels only: a source build would need librdkafka's headers, which is what we avoid.
  "$1/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir \
    --only-binary=:all: "confluent-kafka==$CONFLUENT_KAFKA_PYTHON_VERSION" >&2
}
build_once "$dest" build_venv
# build_once moves the venv into place: bin/python (a symlink) and `python -m pip` still work
# there, the console scripts' shebangs (bin/pip, …) keep the temp path, so use bin/python only.
"$dest/bin/python" -c 'import confluent_kafka as c, sys
v = c.libversion()  # a str in 2.12, a (str, int) tuple in older releases
v = v[0] if isinstance(v, tuple) else v
want = tuple(map(int, "'"$CONFLUENT_KAFKA_PYTHON_VERSION"'".split(".")[:2]))
sys.exit(0 if tuple(map(int, v.split(".")[:2])) >= want else "librdkafka %s in the venv, want %s" % (v, want))' \
  || die "the venv at $dest is broken; remove it and run again"
echo "$dest/bin/python"
