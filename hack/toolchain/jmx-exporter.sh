#!/usr/bin/env bash
# Fetches the Prometheus JMX exporter Java agent (io.prometheus.jmx:jmx_prometheus_javaagent)
# from Maven Central and checks it against the checksum Central publishes next to it (sha256
# when Central has one, else sha1: 1.0.1 ships only .sha1 and .md5). The Kafka image carries
# it (hack/images/kafka.sh) and the integration tests start Kafka with it.
# usage: jmx-exporter.sh [version]   (default: JMX_EXPORTER_VERSION). Prints the jar's path.
# Output: $KRAFTWERK_CACHE/jmx-exporter/<version>/jmx_prometheus_javaagent.jar
. "$(dirname "$0")/../lib/common.sh"
need curl "Install curl (Debian: apt-get install curl)."
version="${1:-$JMX_EXPORTER_VERSION}"
dest="$KRAFTWERK_CACHE/jmx-exporter/$version"
url="https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/$version/jmx_prometheus_javaagent-$version.jar"

fetch() {
  local out="$1/jmx_prometheus_javaagent.jar" algo sum=''
  curl -fsSL --retry 3 -o "$out" "$url" || die "could not download $url"
  for algo in sha256 sha1; do
    # The checksum file holds the hex digest, sometimes followed by the file name.
    if sum="$(curl -fsSL --retry 3 "$url.$algo" 2>/dev/null)"; then
      sum="${sum%% *}"
      [[ -n "$sum" ]] && break
    fi
    sum=''
  done
  [[ -n "$sum" ]] || die "Maven Central publishes no sha256 or sha1 for $url"
  echo "$sum  $out" | "${algo}sum" -c --quiet - >&2 || die "$algo of $url does not match Maven Central's ($sum)"
  echo "$algo $sum" >"$1/CHECKSUM"
}
# build_once skips a version whose jar is already cached (a .complete marker).
build_once "$dest" fetch
echo "$dest/jmx_prometheus_javaagent.jar"
