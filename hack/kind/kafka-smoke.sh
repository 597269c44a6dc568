#!/usr/bin/env bash
# Loads our Kafka image into the kind cluster and runs a single-node KRaft Kafka pod
# (combined broker+controller), then checks it from inside the cluster (topic create,
# produce, consume) and from the host through the NodePort mapping in kind-config.yaml
# (localhost:30092). Not the operator: a check that the image and the port path work.
# The pod runs on a worker (the control plane is tainted), so the host's connection goes
# through kube-proxy on the control plane and the pod network to that worker.
# KIND_CONFIG/KIND_KUBECONFIG pick another cluster, as for up.sh; KAFKA_SMOKE_HOST is the
# address the host reaches the NodePort on (default localhost, through the port mapping; a
# cluster without the mapping: its control-plane container's IP).
. "$(dirname "$0")/../images/lib.sh"
k8s_bin="$(bash "$HACK_DIR/toolchain/kubernetes.sh" kubectl | tail -1)"
kind_bin="$(bash "$HACK_DIR/kind/kind.sh" | tail -1)"
export PATH="$HACK_DIR/kind/bin:$kind_bin:$k8s_bin:$PATH"
cluster="$(sed -n 's/^name: *//p' "${KIND_CONFIG:-$REPO_ROOT/kind-config.yaml}")"
export KUBECONFIG="${KIND_KUBECONFIG:-$KRAFTWERK_CACHE/kind/$cluster.kubeconfig}"
host="${KAFKA_SMOKE_HOST:-localhost}"
[[ -f "$KUBECONFIG" ]] || die "no kubeconfig at $KUBECONFIG: run hack/kind/up.sh first"

image="$(bash "$HACK_DIR/images/kafka.sh" | tail -1)"
start=$SECONDS
kind load docker-image --name "$cluster" "$image"
log "kind load took $((SECONDS - start))s"

ns=kraftwerk-kafka-smoke
kubectl delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$ns" >/dev/null
kubectl -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: kafka-external}
spec:
  type: NodePort
  selector: {app: kafka}
  ports: [{name: external, port: 9094, targetPort: 9094, nodePort: 30092}]
---
apiVersion: v1
kind: Pod
metadata: {name: kafka, labels: {app: kafka}}
spec:
  containers:
    - name: kafka
      image: $image
      imagePullPolicy: Never
      env:
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - {name: KAFKA_HEAP_OPTS, value: "-Xmx512M -Xms512M"}
      command: [bash, -ec]
      args:
        - |
          cat >/tmp/server.properties <<PROPS
          process.roles=broker,controller
          node.id=1
          controller.quorum.voters=1@localhost:9093
          listeners=INTERNAL://:9092,CONTROLLER://:9093,EXTERNAL://:9094
          advertised.listeners=INTERNAL://\$POD_IP:9092,EXTERNAL://$host:30092
          listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT
          inter.broker.listener.name=INTERNAL
          controller.listener.names=CONTROLLER
          log.dirs=/var/lib/kafka/data
          offsets.topic.replication.factor=1
          transaction.state.log.replication.factor=1
          transaction.state.log.min.isr=1
          PROPS
          kafka-storage.sh format -t "\$(kafka-storage.sh random-uuid)" -c /tmp/server.properties
          exec kafka-server-start.sh /tmp/server.properties
      readinessProbe:
        tcpSocket: {port: 9092}
        periodSeconds: 2
YAML
kubectl -n "$ns" wait --for=condition=Ready pod/kafka --timeout=180s >/dev/null ||
  { kubectl -n "$ns" logs kafka | tail -30; die "Kafka pod not Ready"; }
log "Kafka pod Ready on $(kubectl -n "$ns" get pod kafka -o jsonpath='{.spec.nodeName}') $((SECONDS - start))s after load started"
kx() { kubectl -n "$ns" exec kafka -- "$@"; }
kx kafka-topics.sh --bootstrap-server localhost:9092 --create --topic smoke --partitions 1 --replication-factor 1 >/dev/null
echo "hello from the cluster" | kubectl -n "$ns" exec -i kafka -- kafka-console-producer.sh --bootstrap-server localhost:9092 --topic smoke
kx kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic smoke --from-beginning --max-messages 1 --timeout-ms 20000
if command -v kcat >/dev/null; then
  echo "hello from the host" | kcat -P -b "$host:30092" -t smoke
  kcat -C -b "$host:30092" -t smoke -o beginning -c 2 -e
fi
log "Kafka smoke ok in $((SECONDS - start))s"
kubectl delete namespace "$ns" --wait=false >/dev/null
