#!/usr/bin/env bash
# Ensures a Docker engine is running on this host. Our VMs have no systemd managing
# services, so installing Debian's docker.io does not start anything: we start dockerd
# ourselves in the background. Idempotent: does nothing when the daemon already answers.
# The machines ship a newer Docker *client* in /usr/local/bin; it talks to Debian's 20.10
# daemon by negotiating the API version down (DOCKER_API_VERSION is not needed).
. "$(dirname "$0")/lib.sh"

log_file="${DOCKERD_LOG:-/var/log/kraftwerk-dockerd.log}"

if docker info >/dev/null 2>&1; then exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  [[ $EUID -eq 0 ]] || die "dockerd is missing and installing it needs root: apt-get install docker.io"
  log "installing Debian's docker.io (dockerd, containerd, runc)"
  # apt-get update only when the package is unknown, as hack/toolchain/apt.sh does.
  apt-cache show docker.io >/dev/null 2>&1 || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
need dockerd "apt-get install docker.io"

if ! pgrep -x dockerd >/dev/null; then
  [[ $EUID -eq 0 ]] || die "dockerd is not running and starting it needs root"
  log "starting dockerd (log: $log_file)"
  # setsid: the daemon must outlive the shell (and the CI step) that started it.
  setsid nohup dockerd >"$log_file" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "docker engine $(docker version -f '{{.Server.Version}}') is up"
    exit 0
  fi
  sleep 1
done
die "dockerd did not answer within 60s; see $log_file"
