#!/usr/bin/env bash
# Creates (or reuses) the kraftwerk kind cluster from kind-config.yaml, building everything
# it needs offline first (all cached): Docker engine, kind, node image. Waits until every
# node is Ready and the pod network (kube-router), CoreDNS and the storage provisioner run.
# Prints the kubeconfig path.
. "$(dirname "$0")/lib.sh"

bash "$HACK_DIR/kind/dockerd.sh"
kind_bin="$(bash "$HACK_DIR/kind/kind.sh" | tail -1)"
k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kubectl | tail -1)"
image="$(bash "$HACK_DIR/images/node.sh" | tail -1)"

config="${KIND_CONFIG:-$REPO_ROOT/kind-config.yaml}"
cluster="$(sed -n 's/^name: *//p' "$config")"
export KUBECONFIG="${KIND_KUBECONFIG:-$KRAFTWERK_CACHE/kind/$cluster.kubeconfig}"
# kind runs `docker` itself: our wrapper (hack/kind/bin/docker, see its header) comes first.
export PATH="$HACK_DIR/kind/bin:$kind_bin:$k8s_bin:$PATH"

# kind applies extraPortMappings only when it creates the node: a cluster made from an older
# kind-config.yaml lacks ports added since (the secured listeners' 30096-30101), and clients on
# the host would find them closed. Such a cluster is recreated (everything in it is lost).
missing_ports() {
  local bound want
  bound="$(docker inspect -f '{{range $p, $b := .HostConfig.PortBindings}}{{$p}} {{end}}' "$cluster-control-plane" 2>/dev/null || true)"
  for want in $(sed -n 's/.*containerPort: *\([0-9]*\).*/\1/p' "$config"); do
    [[ " ${bound,,} " == *" $want/tcp "* ]] || echo "$want" # kind may publish /TCP
  done
}
# The node set is fixed at creation too: a cluster whose nodes' roles differ from the config
# (the one-node cluster made before kind-config.yaml listed three workers) is recreated.
roles_wanted() { sed -n 's/^ *- *role: *\([a-z-]*\).*/\1/p' "$config" | sort | uniq -c | xargs; }
roles_found() {
  docker ps -a --filter "label=io.x-k8s.kind.cluster=$cluster" --format '{{.Label "io.x-k8s.kind.role"}}' |
    sort | uniq -c | xargs
}
# moved_nodes: the nodes whose container address is not the kubelet's --node-ip.
moved_nodes() {
  local n want have
  for n in $(kind get nodes --name "$cluster"); do
    want="$(docker exec "$n" sed -n 's/.*--node-ip=\([^ "]*\).*/\1/p' /var/lib/kubelet/kubeadm-flags.env 2>/dev/null || true)"
    have="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$n")"
    [[ -z "$want" || " $have " == *" $want "* ]] || printf '%s ' "$n"
  done
}
if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  if [[ -n "$(missing_ports)" ]]; then
    log "cluster $cluster lacks the host port mappings $(missing_ports | tr '\n' ' ')of $config: recreating it"
    kind delete cluster --name "$cluster" >&2
  elif [[ "$(roles_found)" != "$(roles_wanted)" ]]; then
    log "cluster $cluster has nodes ($(roles_found)), $config wants ($(roles_wanted)): recreating it"
    kind delete cluster --name "$cluster" >&2
  fi
fi
if kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  log "cluster $cluster exists; reusing it"
  # After a host reboot or dockerd restart the node container may be stopped.
  for n in $(kind get nodes --name "$cluster"); do
    [[ "$(docker inspect -f '{{.State.Running}}' "$n")" == true ]] || docker start "$n" >/dev/null
  done
  # Docker gives a started container a free address, not necessarily its old one (seen when
  # another container had taken it). A node whose IP moved stays broken (the kubelet keeps the --node-ip kubeadm wrote, the other
  # nodes route its pods to the old address; docs/kind.md): recreate the cluster.
  moved="$(moved_nodes | xargs)"
  if [[ -n "$moved" ]]; then
    log "nodes of $cluster came back with other IPs ($moved): recreating it"
    kind delete cluster --name "$cluster" >&2
  else
    kind export kubeconfig --name "$cluster" >/dev/null
  fi
fi
if ! kind get clusters 2>/dev/null | grep -qx "$cluster"; then
  log "creating cluster $cluster with $image"
  start=$SECONDS
  kind create cluster --config "$config" --image "$image" --wait 0s
  log "kind create took $((SECONDS - start))s"
fi

start=$SECONDS
# A restarted API server answers before its RBAC caches are synced: for a few seconds even
# the cluster admin gets Forbidden, and `kubectl wait` gives up at the first refusal. Wait
# until it is ready and the admin may list nodes.
until kubectl get --raw /readyz >/dev/null 2>&1 && [[ "$(kubectl auth can-i list nodes 2>/dev/null)" == yes ]]; do
  ((SECONDS - start < 180)) || die "the API server of $cluster is not ready after 180 s: $(kubectl get --raw '/readyz?verbose' 2>&1 | grep -v ' ok$' | tail -5)"
  sleep 1
done
# A node is Ready once kube-router has written its CNI configuration.
kubectl wait --for=condition=Ready node --all --timeout=180s >/dev/null
log "all $(kubectl get nodes --no-headers | wc -l) nodes Ready $((SECONDS - start))s after the API server"
kubectl -n kube-system rollout status daemonset/kube-router --timeout=180s >/dev/null
kubectl -n kube-system wait --for=condition=Ready pod -l k8s-app=kube-router --timeout=180s >/dev/null
kubectl -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
kubectl -n local-path-storage rollout status deployment/local-path-provisioner --timeout=120s >/dev/null
# Right after a node restart the Deployments' status is stale (rollout status passes while
# the pods are still starting again): wait for the pods themselves.
kubectl -n kube-system wait --for=condition=Ready pod -l k8s-app=kube-dns --timeout=180s >/dev/null
kubectl -n local-path-storage wait --for=condition=Ready pod -l app=local-path-provisioner --timeout=120s >/dev/null
log "nodes Ready, kube-router, CoreDNS and local-path running (waited $((SECONDS - start))s)"
echo "$KUBECONFIG"
