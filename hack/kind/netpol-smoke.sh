#!/usr/bin/env bash
# Proves NetworkPolicy is enforced across nodes (kube-router, docs/kind.md): a server pod on
# the zone-a worker, a client labelled role=client on zone-b and an unlabelled one on
# zone-c. Both reach the server before any policy; a policy that admits only role=client
# must then let the first through and drop the second; a client pod started after the
# policy must get through too.
# kube-router applies a policy (and a new pod's place in it) by its next sync, a few
# seconds later: every check waits for the expected outcome (60 s at most) instead of
# asserting at once, and a deny is only believed once an allowed connection has passed.
. "$(dirname "$0")/../images/lib.sh"
k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kubectl | tail -1)"
export PATH="$k8s_bin:$PATH"
export KUBECONFIG="${KIND_KUBECONFIG:-$KRAFTWERK_CACHE/kind/kraftwerk.kubeconfig}"
[[ -f "$KUBECONFIG" ]] || die "no kubeconfig at $KUBECONFIG: run hack/kind/up.sh first"
. "$HACK_DIR/kind/smoke-lib.sh"
ns=kraftwerk-netpol-smoke
kubectl delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$ns" >/dev/null
start=$SECONDS

client() { # client NAME ZONE [LABELS]
  kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {${3:-}}}
spec:
  nodeSelector: {topology.kubernetes.io/zone: $2}
  terminationGracePeriodSeconds: 0
  containers:
    - name: client
      image: $IMAGE_PREFIX/debian:$DEBIAN_SUITE
      imagePullPolicy: Never
      command: [sleep, infinity]
YAML
}
smoke_server "$ns" server zone-a
client allowed zone-b "role: client"
client other zone-c
kubectl -n "$ns" wait --for=condition=Ready pod/allowed pod/other --timeout=120s >/dev/null
server_ip="$(kubectl -n "$ns" get pod server -o jsonpath='{.status.podIP}')"
kubectl -n "$ns" get pods -o wide --no-headers | awk '{print "  " $1 " on " $7 " (" $6 ")"}' >&2

# reaches POD : does client POD get the server's answer?
reaches() { [[ "$(kubectl -n "$ns" exec "$1" -- bash -c "$(declare -f http_health); http_health $server_ip" 2>/dev/null)" == OK ]]; }
# await WHAT CONDITION... : retries CONDITION for up to 60 s; logs how long it took.
await() {
  local what="$1" t0=$SECONDS; shift
  until "$@"; do
    ((SECONDS - t0 < 60)) || die "not within 60 s: $what"
    sleep 1
  done
  log "ok after $((SECONDS - t0))s: $what"
}
denied() { ! reaches "$1"; }

await "both clients reach the server before any policy" eval 'reaches allowed && reaches other'
kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-from-clients}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {role: client}}}]
      ports: [{protocol: TCP, port: 8080}]
YAML
await "policy applied: role=client still reaches the server" reaches allowed
await "policy applied: the unlabelled client is dropped" denied other
reaches allowed || die "role=client lost the server after the deny took hold"
client late zone-c "role: client"
kubectl -n "$ns" wait --for=condition=Ready pod/late --timeout=120s >/dev/null
await "a role=client pod started after the policy reaches the server" reaches late
denied other || die "the unlabelled client got through after the new pod synced"
log "NetworkPolicy smoke ok in $((SECONDS - start))s: allow and deny across nodes"
kubectl delete namespace "$ns" --wait=false >/dev/null
