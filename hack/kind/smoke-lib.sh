# Sourced by smoke.sh and netpol-smoke.sh (after images/lib.sh, with kubectl on PATH).

# smoke_server NS NAME ZONE : a pod on the worker of ZONE that answers HTTP on :8080
# (CoreDNS's health endpoint: the CoreDNS image is preloaded on every node, and our Debian
# image has no server), labelled app=NAME; waits until it is Ready.
smoke_server() {
  local ns="$1" name="$2" zone="$3"
  kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: $name-corefile}
data:
  Corefile: |
    .:5353 {
      health :8080
      whoami
    }
---
apiVersion: v1
kind: Pod
metadata: {name: $name, labels: {app: $name}}
spec:
  nodeSelector: {topology.kubernetes.io/zone: $zone}
  containers:
    - name: coredns
      image: $(grep -o 'registry.k8s.io/coredns/coredns:[^ ]*' <(kubectl -n kube-system get deploy coredns -o jsonpath='{.spec.template.spec.containers[0].image}'))
      imagePullPolicy: Never
      args: [-conf, /etc/coredns/Corefile]
      ports: [{containerPort: 8080}]
      readinessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 2}
      volumeMounts: [{name: corefile, mountPath: /etc/coredns}]
  volumes: [{name: corefile, configMap: {name: $name-corefile}}]
YAML
  kubectl -n "$ns" wait --for=condition=Ready "pod/$name" --timeout=120s >/dev/null ||
    { kubectl -n "$ns" describe pod "$name" | tail -20; die "server pod $name not Ready"; }
}

# http_health IP : GET http://IP:8080/health with bash alone (our Debian image has no curl),
# 3 s at most; prints the body ("OK"), fails when the connection is refused, dropped or slow.
http_health() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/8080" && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && tail -1 <&3' "$1"
}
