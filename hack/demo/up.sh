#!/usr/bin/env bash
# `npm run demo`: the kind cluster (created or reused), our Kafka and operator images loaded
# into it, the CRDs and the operator installed with the Helm chart, examples/ applied in the
# namespace kraftwerk-demo, and a wait until the KafkaCluster, its topics and the consumer
# group are Ready. Prints how to reach Kafka. Every step prints its elapsed time.
. "$(dirname "$0")/lib.sh"

kafka_version="$(sed -n "s/^  version: *['\"]\?\([^'\"]*\)['\"]\?$/\1/p" "$REPO_ROOT/examples/kafka-cluster-demo.yaml")"
[[ -n "$kafka_version" ]] || die "no spec.version in examples/kafka-cluster-demo.yaml"

apply_examples() {
  kubectl create namespace "$DEMO_NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # Everything the operator creates there must meet the restricted Pod Security Standard.
  kubectl label --overwrite namespace "$DEMO_NAMESPACE" pod-security.kubernetes.io/enforce=restricted >/dev/null
  # examples/ holds only kraftwerk resources (a test applies each of them); the consumer they
  # scale is a plain Deployment beside them.
  kubectl -n "$DEMO_NAMESPACE" apply -f "$REPO_ROOT/examples/" -f "$REPO_ROOT/examples/workloads/" >/dev/null
}

wait_ready() { # wait_ready TIMEOUT RESOURCE...
  local timeout="$1"
  shift
  kubectl -n "$DEMO_NAMESPACE" wait --for=condition=Ready "$@" --timeout="$timeout" >/dev/null && return 0
  kubectl -n "$DEMO_NAMESPACE" get kafkacluster,kafkatopic,kafkaconsumergroup,kafkauser,pods >&2 || true
  kubectl -n "$DEMO_NAMESPACE" get "$@" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}{end}' >&2 || true
  die "$* not Ready after $timeout (operator logs: kubectl -n $OPERATOR_NAMESPACE logs deploy/kraftwerk)"
}
wait_cluster() { wait_ready 600s kafkacluster/demo; }
wait_rest() { wait_ready 180s kafkatopic --all && wait_ready 120s kafkaconsumergroup --all && wait_ready 120s kafkauser --all; }

# The demo's person: KafkaUser alice (examples/kafka-user-alice.yaml). The operator writes her
# password, with the CA and ready-made client settings, into the Secret alice.
DEMO_USER=alice

demo_tools
step "kind cluster" cluster_up
step "images (Kafka $kafka_version, operator)" images
step "load images into kind" load_images
step "CRDs and operator (Helm)" install_operator
step "apply examples/ to namespace $DEMO_NAMESPACE" apply_examples
step "KafkaCluster demo Ready" wait_cluster
step "topics, consumer group and users Ready" wait_rest
python="$(bash "$HACK_DIR/toolchain/python-clients.sh" | tail -1)"

ports="$(kubectl -n "$DEMO_NAMESPACE" get svc -l kraftwerk.dev/cluster=demo -o jsonpath='{range .items[*]}{.spec.ports[*].nodePort}{" "}{end}' | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')"
cat <<MSG

kraftwerk demo is up in $((SECONDS - DEMO_START))s.
  kubeconfig:         export KUBECONFIG=$KUBECONFIG
  kubectl and helm:   export PATH=$DEMO_TOOLS_PATH:\$PATH   (kcat is installed system-wide)
  in the cluster:     demo-kafka-bootstrap.$DEMO_NAMESPACE.svc:9092
  from this host:     localhost:30092 (NodePorts: ${ports:-none})
  produce (host):     seq 1 5000 | kcat -P -b localhost:30092 -t orders
  watch it scale:     kubectl -n $DEMO_NAMESPACE get kafkaconsumergroup,deploy/demo-consumer -w
  remove it:          npm run demo:down

The listener above is plaintext and unauthenticated: anyone who reaches those ports may read,
write and delete topics. The secured listener, TLS + SCRAM-SHA-512, user $DEMO_USER:
  from this host:     localhost:30096 (KafkaUser $DEMO_USER: password and CA in Secret $DEMO_USER)
  the CA:             kubectl -n $DEMO_NAMESPACE get secret $DEMO_USER -o jsonpath='{.data.ca\.crt}' | base64 -d > /tmp/demo-ca.crt
  write + read back:  KAFKA_PASSWORD="\$(kubectl -n $DEMO_NAMESPACE get secret $DEMO_USER -o jsonpath='{.data.password}' | base64 -d)" \\
                        $python $REPO_ROOT/examples/clients/secure-client.py --bootstrap localhost:30096 --ca /tmp/demo-ca.crt --user $DEMO_USER --topic orders
  kcat (librdkafka >= 2.6.1; Debian's kcat has 2.0.2, whose SCRAM Kafka 4 refuses):
    seq 1 5 | kcat -P -b localhost:30096 -t orders -X security.protocol=SASL_SSL -X sasl.mechanism=SCRAM-SHA-512 \\
      -X sasl.username=$DEMO_USER -X sasl.password="\$(kubectl -n $DEMO_NAMESPACE get secret $DEMO_USER -o jsonpath='{.data.password}' | base64 -d)" \\
      -X ssl.ca.location=/tmp/demo-ca.crt
MSG
