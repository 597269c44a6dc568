#!/usr/bin/env bash
# What kraftwerk's Kafka metrics cost a broker (bench/metrics/README.md): one combined KRaft node
# from the toolchain's Kafka tree, run twice in one go — without the JMX exporter agent, then
# with it and kraftwerk's rules (KAFKA_METRICS_CONFIG, the operator's single source), scraped
# every SCRAPE_INTERVAL seconds as Prometheus would. Prints series per scrape, bytes per scrape,
# scrape duration, the JVM's CPU while idle (the exporter's share is the difference), and the
# producer throughput of kafka-producer-perf-test (ProducerPerformance) with metrics off and on.
# ROUNDS rounds, each running every mode once, the order rotating each round (off,on then
# on,off): a shared machine's load drifts, and rotating keeps that drift from favouring one side.
# usage: bench/metrics/run.sh   (env: MODES="off on agent", ROUNDS=2 IDLE_SECONDS=90 RECORDS=1000000 RECORD_SIZE=1000 SCRAPE_INTERVAL=15)
. "$(dirname "$0")/../../hack/lib/common.sh"
need curl "Install curl."
ROUNDS="${ROUNDS:-2}"
IDLE_SECONDS="${IDLE_SECONDS:-90}"
RECORDS="${RECORDS:-1000000}"
RECORD_SIZE="${RECORD_SIZE:-1000}"
SCRAPE_INTERVAL="${SCRAPE_INTERVAL:-15}"
PORT="${PORT:-29192}"
CONTROLLER_PORT="${CONTROLLER_PORT:-29193}"
METRICS_PORT="${METRICS_PORT:-29404}"

home="$(bash "$HACK_DIR/toolchain/kafka.sh" "$KAFKA_DEFAULT_VERSION")"
jar="$(bash "$HACK_DIR/toolchain/jmx-exporter.sh")"
PATH="$(ls -d "$KRAFTWERK_CACHE"/node/*/bin | head -1):$PATH"
work="$(mktemp -d /tmp/kraftwerk-bench-metrics.XXXXXX)"
kafka_pid=''
scraper_pid=''
cleanup() {
  [[ -n "$scraper_pid" ]] && kill "$scraper_pid" 2>/dev/null || true
  [[ -n "$kafka_pid" ]] && kill "$kafka_pid" 2>/dev/null && wait "$kafka_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The rules exactly as the operator renders them into <cluster>-metrics.
node --input-type=module -e "
import { KAFKA_METRICS_CONFIG } from '$REPO_ROOT/operator/src/cluster/render/kafka-metrics-config.ts';
process.stdout.write(KAFKA_METRICS_CONFIG);" >"$work/metrics.yaml"

clk_tck="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of the JVM

start_kafka() { # start_kafka MODE (off|on)
  local dir="$work/$1"
  rm -rf "$dir" # a fresh node each round
  mkdir -p "$dir"
  cat >"$dir/server.properties" <<P
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
P
  KAFKA_HEAP_OPTS=-Xmx256m "$home/bin/kafka-storage.sh" format -t "$(printf 'bench-metrics-%s' "$1" | md5sum | xxd -r -p | head -c 16 | base64 | tr '+/' '-_' | tr -d '=')" \
    -c "$dir/server.properties" >"$dir/format.log" 2>&1
  local opts=''
  [[ "$1" != off ]] && opts="-javaagent:$jar=127.0.0.1:$METRICS_PORT:$work/metrics.yaml"
  KAFKA_HEAP_OPTS='-Xmx1g -Xms1g' LOG_DIR="$dir" KAFKA_OPTS="$opts" \
    "$home/bin/kafka-server-start.sh" "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
  kafka_pid=$!
  local i
  for i in $(seq 120); do
    "$home/bin/kafka-topics.sh" --bootstrap-server "127.0.0.1:$PORT" --create --if-not-exists \
      --topic bench --partitions 6 --replication-factor 1 >/dev/null 2>&1 && return 0
    kill -0 "$kafka_pid" 2>/dev/null || { tail -20 "$dir/kafka.log" >&2; die "Kafka ($1) exited"; }
    sleep 1
  done
  die "Kafka ($1) did not come up"
}

stop_kafka() {
  kill "$kafka_pid"; wait "$kafka_pid" 2>/dev/null || true; kafka_pid=''
}

scrape_loop() { # every SCRAPE_INTERVAL s: one line "seconds bytes" per scrape into $1
  while :; do
    curl -s -o "$work/last.prom" -w '%{time_total} %{size_download}\n' \
      "http://127.0.0.1:$METRICS_PORT/metrics" >>"$1" || true
    sleep "$SCRAPE_INTERVAL"
  done
}

perf() { # producer throughput, records/s and MB/s, from ProducerPerformance's summary line
  "$home/bin/kafka-run-class.sh" org.apache.kafka.tools.ProducerPerformance --topic bench \
    --num-records "$RECORDS" --record-size "$RECORD_SIZE" --throughput -1 \
    --producer-props bootstrap.servers="127.0.0.1:$PORT" acks=1 linger.ms=5 batch.size=65536 2>/dev/null |
    tail -1
}

load_start="$(uptime | sed 's/.*load average: //')"
: >"$work/results"
: >"$work/scrapes-on"
run_mode() { # run_mode off|on : appends "mode cpu_ms_per_min records_per_s mb_per_s" to results
  local mode="$1" before after cpu line
  log "metrics $mode: starting Kafka"
  start_kafka "$mode"
  sleep 20 # let start-up settle before measuring
  if [[ "$mode" == on ]]; then scrape_loop "$work/scrapes-on" & scraper_pid=$!; fi
  log "metrics $mode: idle for ${IDLE_SECONDS}s"
  before="$(cpu_ticks "$kafka_pid")"
  sleep "$IDLE_SECONDS"
  after="$(cpu_ticks "$kafka_pid")"
  cpu="$(awk -v t="$((after - before))" -v hz="$clk_tck" -v s="$IDLE_SECONDS" 'BEGIN{printf "%.0f", t / hz / s * 60 * 1000}')"
  # The previous run's gigabyte may still be being written back: start every produce from a
  # clean page cache state, or the later mode pays for the earlier one's disk writes.
  sync
  log "metrics $mode: producing $RECORDS records of $RECORD_SIZE bytes"
  line="$(perf)"
  echo "  $mode: $line" >>"$work/perf-lines"
  [[ -n "$scraper_pid" ]] && { kill "$scraper_pid"; wait "$scraper_pid" 2>/dev/null || true; scraper_pid=''; }
  if [[ "$mode" == on ]]; then
    series="$(grep -vc '^#' "$work/last.prom")"
    kafka_series="$(grep -v '^#' "$work/last.prom" | grep -c '^kafka_')"
  fi
  stop_kafka
  rm -rf "$work/$mode" # its gigabyte goes now, not during the next mode's run
  echo "$mode $cpu $(sed -E 's/.*records sent, ([0-9.]+) records\/sec \(([0-9.]+) MB\/sec\).*/\1 \2/' <<<"$line")" >>"$work/results"
}
# MODES="off on agent" adds a node with the agent loaded but never scraped: it tells the cost of
# the agent's presence from the cost of the scrapes.
# Each round starts one mode later (off on agent, on agent off, agent off on, ...): whatever
# runs after another inherits the machine it left, so no mode always goes first.
read -r -a modes <<<"${MODES:-off on}"
for round in $(seq "$ROUNDS"); do
  for i in $(seq 0 $((${#modes[@]} - 1))); do
    run_mode "${modes[$(((round - 1 + i) % ${#modes[@]}))]}"
  done
done

echo
echo "Kafka $KAFKA_DEFAULT_VERSION, one combined node (-Xmx1g), JMX exporter $JMX_EXPORTER_VERSION, kraftwerk's rules; $(nproc) cores"
echo "load average (1, 5, 15 min) at start: $load_start; at end: $(uptime | sed 's/.*load average: //')"
awk -v series="$series" -v ks="$kafka_series" '
  { t += $1; b += $2; n++; if ($1 > max) max = $1 }
  END {
    printf "scrape: %d series (%d kafka_*), %.0f bytes, %.1f ms mean / %.1f ms max over %d scrapes\n",
      series, ks, b / n, t / n * 1000, max * 1000, n
  }' "$work/scrapes-on"
echo "per round (mode, JVM CPU ms per minute idle, records/s, MB/s):"
sed 's/^/  /' "$work/results"
echo "producer summaries:"
cat "$work/perf-lines"
awk '
  { cpu[$1] += $2; rps[$1] += $3; n[$1]++ }
  END {
    if (n["agent"]) printf "agent loaded, not scraped: JVM CPU idle %.0f ms/min, %.0f records/s (on/off %.3f)\n",
      cpu["agent"] / n["agent"], rps["agent"] / n["agent"], (rps["agent"] / n["agent"]) / (rps["off"] / n["off"])
    printf "means: JVM CPU idle off %.0f, on %.0f ms/min (exporter, scraped every '"$SCRAPE_INTERVAL"' s: %+.0f ms/min)\n",
      cpu["off"] / n["off"], cpu["on"] / n["on"], cpu["on"] / n["on"] - cpu["off"] / n["off"]
    printf "throughput on/off: %.3f (records/s %.0f vs %.0f)\n",
      rps["on"] / rps["off"], rps["on"] / n["on"], rps["off"] / n["off"]
  }' "$work/results"
