#!/usr/bin/env bash
# Installs the Debian packages the project needs, only when one is missing (apt-get update
# is slow, so a warm machine never runs it).
#   openssl: test PKI for the control plane; kcat + python3-confluent-kafka: independent
#   Kafka clients (librdkafka) the tests check our work with; JDK + Maven: Kafka.
. "$(dirname "$0")/../lib/common.sh"
packages=(openssl kcat python3-confluent-kafka openjdk-17-jdk-headless maven unzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
log "installing Debian packages: ${missing[*]}"
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
