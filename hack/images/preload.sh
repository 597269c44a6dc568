#!/usr/bin/env bash
# Builds every container image a kind node needs and saves each as a tarball, so the node
# image can preload them into containerd and nothing is ever pulled (no registry is
# reachable). Tags are exactly what `kubeadm config images list` expects for
# KUBERNETES_VERSION. Output: $KRAFTWERK_CACHE/images/preload/<key>/*.tar; prints that dir.
#
#   pause                      our own tiny program (hack/images/pause)
#   etcd                       the toolchain's etcd build, tagged with kubeadm's etcd tag
#   kube-apiserver, -controller-manager, -scheduler, kube-proxy   toolchain binaries
#   coredns                    github.com/coredns/coredns at kubeadm's CoreDNS version
#   local-path-provisioner     github.com/rancher/local-path-provisioner (+ Debian helper)
#   debian                     our base image: local-path's helper pod and general use
#   kube-router                the pod network and NetworkPolicy (hack/images/kube-router.sh)
. "$(dirname "$0")/lib.sh"
ensure_docker

base="$(bash "$HACK_DIR/images/base.sh")"
k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubeadm kubelet kubectl | tail -1)"
etcd_bin="$(bash "$HACK_DIR/toolchain/etcd.sh" | tail -1)/etcd"
coredns_version="$("$k8s_bin/kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION" | sed -n 's#.*/coredns:##p')"
coredns="$(bash "$HACK_DIR/images/gobuild.sh" coredns github.com/coredns/coredns "$coredns_version" | tail -1)"
lpp="$(bash "$HACK_DIR/images/gobuild.sh" local-path-provisioner github.com/rancher/local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" | tail -1)"
kube_router="$(bash "$HACK_DIR/images/kube-router.sh" | tail -1)"

key="$(hash_of "$0" "$HACK_DIR/images/lib.sh" "$HACK_DIR/images/pause/main.go" "$HACK_DIR/kind/versions.env" "$HACK_DIR/versions.env" <(echo "$base $kube_router"))"
dest="$IMAGES_CACHE/preload/$key"

build_preload() {
  local out="$1" work="$1/work"
  mkdir -p "$work"
  # The tags kubeadm will look for, e.g. registry.k8s.io/pause:3.10.1.
  "$k8s_bin/kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION" >"$out/kubeadm-images.txt"
  tag_of() { grep "/$1:" "$out/kubeadm-images.txt" || die "kubeadm lists no $1 image"; }

  # A FROM-scratch root shared by the static Go binaries: users, /tmp and a PATH, nothing
  # else (they need no libc; smaller images and tarballs than Debian-based ones).
  local s="$work/static"
  mkdir -p "$s/root/etc" "$s/root/tmp" "$s/root/usr/local/bin"
  chmod 1777 "$s/root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$s/root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$s/root/etc/group"
  printf 'hosts: files dns\n' >"$s/root/etc/nsswitch.conf"
  printf 'FROM scratch\nCOPY root/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\n' >"$s/Dockerfile"
  docker_build "$IMAGE_PREFIX/static:$key" "$s"

  # static_image TAG BINARY [ENTRYPOINT]: one binary in /usr/local/bin on the static root.
  static_image() {
    local tag="$1" bin="$2" entry="${3:-}" d="$work/$(basename "$2")"
    mkdir -p "$d"; cp "$bin" "$d/"
    {
      echo "FROM $IMAGE_PREFIX/static:$key"
      echo "COPY $(basename "$bin") /usr/local/bin/"
      [[ -z "$entry" ]] || echo "ENTRYPOINT [\"$entry\"]"
    } >"$d/Dockerfile"
    docker_build "$tag" "$d"
    save "$tag"
  }
  save() { # one tarball per image; file name from the repository name
    local name; name="$(basename "${1%:*}")"
    docker save -o "$out/$name.tar" "$1"
  }

  log "building pause"
  (cd "$HACK_DIR/images/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/pause-bin/pause" .)
  mkdir -p "$work/pause"; cp "$work/pause-bin/pause" "$work/pause/"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$work/pause/Dockerfile"
  docker_build "$(tag_of pause)" "$work/pause"; save "$(tag_of pause)"

  log "building etcd, control-plane and coredns images"
  static_image "$(tag_of etcd)" "$etcd_bin"
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    static_image "$(tag_of "$c")" "$k8s_bin/$c"
  done
  # kubeadm's CoreDNS Deployment passes only args, so the image's entrypoint is the binary.
  local cd="$work/coredns"; mkdir -p "$cd"; cp "$coredns" "$cd/coredns"
  printf 'FROM %s\nCOPY coredns /coredns\nEXPOSE 53 53/udp\nENTRYPOINT ["/coredns"]\n' "$IMAGE_PREFIX/static:$key" >"$cd/Dockerfile"
  docker_build "$(tag_of coredns)" "$cd"; save "$(tag_of coredns)"

  static_image "$IMAGE_PREFIX/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION" "$lpp" /usr/local/bin/local-path-provisioner

  # kube-proxy programs the node's iptables, so it needs the iptables tools (Debian's, which
  # default to the nft backend like the node and the host's dockerd) and conntrack.
  log "building kube-proxy image"
  local kp="$work/kube-proxy"; mkdir -p "$kp"; cp "$k8s_bin/kube-proxy" "$kp/"
  cat >"$kp/Dockerfile" <<DOCKERFILE
FROM $base
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables nftables conntrack kmod >/dev/null \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/*
COPY kube-proxy /usr/local/bin/
DOCKERFILE
  docker_build "$(tag_of kube-proxy)" "$kp"; save "$(tag_of kube-proxy)"

  # Our Debian base: local-path's helper pods (they need sh, mkdir, rm) and test pods.
  docker tag "$base" "$IMAGE_PREFIX/debian:$DEBIAN_SUITE"
  docker save -o "$out/debian.tar" "$base" "$IMAGE_PREFIX/debian:$DEBIAN_SUITE"

  # Saved under the plain version tag the CNI manifest names (the keyed tag rides along).
  docker tag "$kube_router" "$IMAGE_PREFIX/kube-router:$KUBE_ROUTER_VERSION"
  docker save -o "$out/kube-router.tar" "$kube_router" "$IMAGE_PREFIX/kube-router:$KUBE_ROUTER_VERSION"

  rm -rf "$work" "$work".*.log
  (cd "$out" && ls -l --block-size=M ./*.tar) >&2
}
build_once "$dest" build_preload
# Older sets (~700 MB each) are only inputs of older node images: drop them.
find "$IMAGES_CACHE/preload" -mindepth 1 -maxdepth 1 ! -path "$dest" -exec rm -rf {} +
echo "$dest"
