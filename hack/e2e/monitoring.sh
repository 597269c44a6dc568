#!/usr/bin/env bash
# A Prometheus in the kind cluster for the e2e monitoring scenario (test/e2e/monitoring.test.ts):
# namespace kraftwerk-monitoring, discovering Kafka pods by their `metrics` container port and
# the operator by its metrics Service, with the alert rules of RULES_FILE, 5 s scrape and
# evaluation intervals. Idempotent: a changed rules file rolls the Prometheus pod.
#   bash hack/e2e/monitoring.sh RULES_FILE
rules="${1:?usage: hack/e2e/monitoring.sh RULES_FILE}"
. "$(dirname "$0")/../demo/lib.sh"
ns=kraftwerk-monitoring

demo_tools
image="$(bash "$HACK_DIR/images/prometheus.sh" | tail -1)"
missing_on_nodes "$image" && kind_load "$image"

config="$(cat <<'YAML'
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files: [/etc/prometheus/rules/*.yaml]
scrape_configs:
  # Kafka brokers and controllers: every pod of a KafkaCluster with a port named `metrics`.
  - job_name: kafka
    kubernetes_sd_configs: [{ role: pod }]
    relabel_configs:
      - { source_labels: [__meta_kubernetes_pod_label_kraftwerk_dev_cluster], regex: .+, action: keep }
      - { source_labels: [__meta_kubernetes_pod_container_port_name], regex: metrics, action: keep }
      - { source_labels: [__meta_kubernetes_namespace], target_label: namespace }
      - { source_labels: [__meta_kubernetes_pod_name], target_label: pod }
      - { action: labelmap, regex: __meta_kubernetes_pod_label_(kraftwerk_dev_cluster|kraftwerk_dev_role) }
  # The operator: its metrics Service (the chart's kraftwerk-metrics).
  - job_name: kraftwerk
    # Its metrics carry the namespace of the resource they are about: keep it.
    honor_labels: true
    kubernetes_sd_configs: [{ role: endpointslice, namespaces: { names: [kraftwerk-system] } }]
    relabel_configs:
      - { source_labels: [__meta_kubernetes_endpointslice_port_name], regex: http-metrics, action: keep }
      - { source_labels: [__meta_kubernetes_pod_name], target_label: pod }
YAML
)"
hash="$(cat <(echo "$config") "$rules" | sha256sum | cut -c1-16)"

kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: { name: $ns }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: prometheus, namespace: $ns }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: kraftwerk-e2e-prometheus }
rules:
  - apiGroups: [""]
    resources: [pods, services, endpoints]
    verbs: [get, list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: kraftwerk-e2e-prometheus }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kraftwerk-e2e-prometheus }
subjects: [{ kind: ServiceAccount, name: prometheus, namespace: $ns }]
YAML
kubectl -n "$ns" create configmap prometheus-config --from-file=prometheus.yml=<(echo "$config") \
  --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl -n "$ns" create configmap prometheus-rules --from-file=kraftwerk.yaml="$rules" \
  --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: { name: prometheus, namespace: $ns }
spec:
  replicas: 1
  selector: { matchLabels: { app: prometheus } }
  strategy: { type: Recreate }
  template:
    metadata:
      labels: { app: prometheus }
      annotations: { kraftwerk.dev/config-hash: "$hash" }
    spec:
      serviceAccountName: prometheus
      containers:
        - name: prometheus
          image: $image
          imagePullPolicy: Never
          args:
            - --config.file=/etc/prometheus/config/prometheus.yml
            - --storage.tsdb.path=/prometheus
            - --storage.tsdb.retention.time=2h
          ports: [{ name: web, containerPort: 9090 }]
          readinessProbe: { httpGet: { path: /-/ready, port: web }, periodSeconds: 2 }
          resources: { requests: { cpu: 50m, memory: 128Mi } }
          volumeMounts:
            - { name: config, mountPath: /etc/prometheus/config }
            - { name: rules, mountPath: /etc/prometheus/rules }
            - { name: data, mountPath: /prometheus }
      volumes:
        - { name: config, configMap: { name: prometheus-config } }
        - { name: rules, configMap: { name: prometheus-rules } }
        - { name: data, emptyDir: {} }
---
apiVersion: v1
kind: Service
metadata: { name: prometheus, namespace: $ns }
spec:
  selector: { app: prometheus }
  ports: [{ name: web, port: 9090, targetPort: web }]
YAML
kubectl -n "$ns" rollout status deployment/prometheus --timeout=180s >/dev/null
echo "$ns"
