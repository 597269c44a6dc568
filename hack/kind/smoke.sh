#!/usr/bin/env bash
# Proves the kind cluster from up.sh works: a pod running our Debian base image on the
# zone-b worker resolves kubernetes.default through CoreDNS (wherever CoreDNS runs), reaches
# a pod on the zone-a worker over the pod network (an HTTP request to CoreDNS's health
# endpoint on the pod's IP), and writes to a PVC that local-path provisions/binds.
# NetworkPolicy has its own check: hack/kind/netpol-smoke.sh.
. "$(dirname "$0")/../images/lib.sh"
k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kubectl | tail -1)"
export PATH="$k8s_bin:$PATH"
export KUBECONFIG="${KIND_KUBECONFIG:-$KRAFTWERK_CACHE/kind/kraftwerk.kubeconfig}"
[[ -f "$KUBECONFIG" ]] || die "no kubeconfig at $KUBECONFIG: run hack/kind/up.sh first"
ns=kraftwerk-smoke
kubectl delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$ns" >/dev/null
start=$SECONDS
. "$HACK_DIR/kind/smoke-lib.sh"
smoke_server "$ns" server zone-a
server_ip="$(kubectl -n "$ns" get pod server -o jsonpath='{.status.podIP}')"
kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: smoke}
spec:
  restartPolicy: Never
  nodeSelector: {topology.kubernetes.io/zone: zone-b}
  containers:
    - name: smoke
      image: $IMAGE_PREFIX/debian:$DEBIAN_SUITE
      imagePullPolicy: Never
      command: [bash, -ec]
      args:
        - |
          getent hosts kubernetes.default.svc.cluster.local
          getent hosts kubernetes.default
          $(declare -f http_health | sed 's/^/          /' | sed '1s/^ *//')
          echo "server pod $server_ip: \$(http_health $server_ip)"
          echo hello >/data/hello && cat /data/hello
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
YAML
kubectl -n "$ns" wait --for=jsonpath='{.status.phase}'=Succeeded pod/smoke --timeout=120s >/dev/null ||
  { kubectl -n "$ns" describe pod smoke | tail -20; kubectl -n "$ns" logs smoke; die "smoke pod did not succeed"; }
kubectl -n "$ns" logs smoke
[[ "$(kubectl -n "$ns" get pvc data -o jsonpath='{.status.phase}')" == Bound ]] || die "PVC not Bound"
kubectl -n "$ns" get pods -o wide --no-headers | awk '{print "  " $1 " on " $7 " (" $6 ")"}' >&2
log "smoke ok in $((SECONDS - start))s: DNS from a worker, pod to pod across nodes, PVC Bound by local-path"
kubectl delete namespace "$ns" --wait=false >/dev/null
