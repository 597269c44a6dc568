#!/usr/bin/env bash
# Builds the kind node image for KUBERNETES_VERSION, by hand: `kind build node-image`
# would pull pause/etcd/coredns/kindnetd/local-path images, and no registry is reachable.
# Inputs (all cached): our Debian base (base.sh), the toolchain's kubelet/kubeadm/kubectl,
# and the image tarballs from preload.sh. Prints the image reference.
. "$(dirname "$0")/lib.sh"
ensure_docker

base="$(bash "$HACK_DIR/images/base.sh")"
preload="$(bash "$HACK_DIR/images/preload.sh" | tail -1)"
k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kubelet kubeadm kubectl | tail -1)"

ctx_files=$(cd "$HACK_DIR/images/node" && find Dockerfile files -type f | sort)
key="$(hash_of "$0" "$HACK_DIR/images/lib.sh" $(printf "$HACK_DIR/images/node/%s " $ctx_files) <(echo "$base $preload $KUBERNETES_VERSION"))"
image="$IMAGE_PREFIX/kind-node:$KUBERNETES_VERSION-$key"

if image_exists "$image"; then echo "$image"; exit 0; fi

ctx="$IMAGES_CACHE/node-build.$$"
rm -rf "$ctx"; mkdir -p "$ctx"
trap 'rm -rf "$ctx" "$ctx.build.log"' EXIT
cp -r "$HACK_DIR/images/node/Dockerfile" "$HACK_DIR/images/node/files" "$ctx/"
mkdir -p "$ctx/bin" "$ctx/images"
cp "$k8s_bin/kubelet" "$k8s_bin/kubeadm" "$k8s_bin/kubectl" "$ctx/bin/"
cp "$preload"/*.tar "$ctx/images/"

# kind reads the node's Kubernetes version from /kind/version.
echo "$KUBERNETES_VERSION" >"$ctx/files/kind/version"
# containerd's sandbox image and the storage manifest's images must be the preloaded ones.
pause="$(grep '/pause:' "$preload/kubeadm-images.txt")"
sed -i "s#^\(\s*sandbox_image = \).*#\1\"$pause\"#" "$ctx/files/etc/containerd/config.toml"
sed -i -e "s#IMAGE_PROVISIONER#$IMAGE_PREFIX/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION#g" \
  -e "s#IMAGE_HELPER#$IMAGE_PREFIX/debian:$DEBIAN_SUITE#g" "$ctx/files/kind/manifests/default-storage.yaml"
sed -i "s#IMAGE_KUBE_ROUTER#$IMAGE_PREFIX/kube-router:$KUBE_ROUTER_VERSION#g" "$ctx/files/kind/manifests/default-cni.yaml"

log "building $image"
start=$SECONDS
docker build --build-arg "BASE=$base" -t "$image" "$ctx" >"$ctx.build.log" 2>&1 ||
  { tail -40 "$ctx.build.log" >&2; die "node image build failed"; }
log "built $image in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec))"
docker tag "$image" "$IMAGE_PREFIX/kind-node:$KUBERNETES_VERSION"
# Each build is ~1.3 GB: drop older builds of this version (a node still running one keeps it).
docker images --format '{{.Repository}}:{{.Tag}}' "$IMAGE_PREFIX/kind-node" |
  grep "^$IMAGE_PREFIX/kind-node:$KUBERNETES_VERSION-" | grep -vx "$image" |
  xargs -r docker rmi >/dev/null 2>&1 || true
echo "$image"
