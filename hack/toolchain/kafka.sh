#!/usr/bin/env bash
# Assembles Apache Kafka from Maven Central jars, laid out like the official apache/kafka
# image's /opt/kafka (bin/, libs/, config/), because the release tarball's host is not
# reachable. The same tree later becomes our local Kafka image.
# usage: kafka.sh [version ...]   (default: every version in versions.env). Prints each home.
. "$(dirname "$0")/../lib/common.sh"
need java "Install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)."
need mvn "Install Maven (Debian: apt-get install maven)."
need jar "Install a full JDK (Debian: openjdk-17-jdk-headless); 'jar' lists the classes each tool needs."

versions=("$@")
[[ ${#versions[@]} -gt 0 ]] || read -r -a versions <<<"$KAFKA_VERSIONS"

logging_deps() { # the slf4j binding the official distribution ships for that major
  case "$1" in
    3.*) echo "ch.qos.reload4j:reload4j:1.2.25 org.slf4j:slf4j-reload4j:1.7.36" ;;
    *) echo "org.apache.logging.log4j:log4j-slf4j-impl:2.24.3" ;;
  esac
}

write_pom() { # write_pom DIR VERSION
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo '<groupId>dev.kraftwerk</groupId><artifactId>kafka-dist</artifactId><version>1</version><packaging>pom</packaging><dependencies>'
    for gav in "org.apache.kafka:kafka_2.13:$2" "org.apache.kafka:kafka-tools:$2" $(logging_deps "$2"); do
      IFS=: read -r g a v <<<"$gav"
      echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
    done
    echo '</dependencies></project>'
  } >"$1/pom.xml"
}

# Tool scripts as in the official bin/; the class moved between majors, so pick the one
# present in this version's jars.
tools=(
  "kafka-server-start.sh kafka.Kafka"
  "kafka-storage.sh kafka.tools.StorageTool"
  "kafka-topics.sh org.apache.kafka.tools.TopicCommand"
  "kafka-consumer-groups.sh org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"
  "kafka-metadata-quorum.sh org.apache.kafka.tools.MetadataQuorumCommand"
  "kafka-configs.sh kafka.admin.ConfigCommand org.apache.kafka.tools.ConfigCommand"
  "kafka-reassign-partitions.sh org.apache.kafka.tools.reassign.ReassignPartitionsCommand"
  "kafka-features.sh org.apache.kafka.tools.FeatureCommand"
  "kafka-console-producer.sh org.apache.kafka.tools.ConsoleProducer kafka.tools.ConsoleProducer"
  "kafka-console-consumer.sh org.apache.kafka.tools.consumer.ConsoleConsumer kafka.tools.ConsoleConsumer"
  "kafka-get-offsets.sh org.apache.kafka.tools.GetOffsetShell kafka.tools.GetOffsetShell"
)

assemble() { # assemble OUTDIR (uses $version)
  local out="$1" work="$KRAFTWERK_CACHE/kafka/.maven-$version"
  mkdir -p "$work" "$out/bin" "$out/config"
  write_pom "$work" "$version"
  (cd "$work" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$out/libs" >&2) ||
    die "Maven could not resolve Kafka $version from Maven Central"
  local classes="$work/classes.txt"
  for j in "$out"/libs/kafka*.jar; do jar tf "$j"; done | sed -n 's#\.class$##p' | tr / . >"$classes"

  cat >"$out/bin/kafka-run-class.sh" <<'SH'
#!/usr/bin/env bash
# Minimal kafka-run-class.sh: same environment variables as the official one.
base_dir="$(cd "$(dirname "$0")/.." && pwd)"
class="$1"; shift
heap="${KAFKA_HEAP_OPTS:--Xmx256M}"
# Tools log warnings to stderr (their stdout is output); kafka-server-start.sh picks the
# server's logging config itself.
if [[ -z "${KAFKA_LOG4J_OPTS:-}" ]]; then
  if [[ -f "$base_dir/config/tools-log4j2.properties" ]]; then
    KAFKA_LOG4J_OPTS="-Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.properties"
  else
    KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/config/tools-log4j.properties"
  fi
fi
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" $heap ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true} \
  $KAFKA_LOG4J_OPTS -Dkafka.logs.dir="${LOG_DIR:-$base_dir/logs}" ${KAFKA_OPTS:-} \
  -cp "$base_dir/libs/*" "$class" "$@"
SH
  local entry script cls c
  for entry in "${tools[@]}"; do
    read -r script cls <<<"$entry"
    for c in $cls; do if grep -qx "$c" "$classes"; then cls="$c"; break; fi; done
    grep -qx "$cls" "$classes" || { log "kafka $version: no class for $script, skipped"; continue; }
    local prelude=''
    if [[ "$script" == kafka-server-start.sh ]]; then
      prelude='export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
conf="$(cd "$(dirname "$0")/../config" && pwd)"
if [[ -z "${KAFKA_LOG4J_OPTS:-}" ]]; then
  if [[ -f "$conf/log4j2.properties" ]]; then export KAFKA_LOG4J_OPTS="-Dlog4j2.configurationFile=$conf/log4j2.properties"
  else export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$conf/log4j.properties"; fi
fi'
    fi
    printf '#!/usr/bin/env bash\n%s\nexec "$(dirname "$0")/kafka-run-class.sh" %s "$@"\n' "$prelude" "$cls" >"$out/bin/$script"
  done
  chmod +x "$out"/bin/*.sh

  # Logging to stdout only: containers and test fixtures collect stdout.
  case "$version" in
    3.*) cat >"$out/config/log4j.properties" <<'P'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
P
      cat >"$out/config/tools-log4j.properties" <<'P'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.stderr.Target=System.err
P
      ;;
    *) cat >"$out/config/log4j2.properties" <<'P'
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
P
      cat >"$out/config/tools-log4j2.properties" <<'P'
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
P
      ;;
  esac
  cat >"$out/config/server.properties" <<'P'
# A single combined KRaft node, as in the official image's default config.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=PLAINTEXT://localhost:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=/tmp/kraft-combined-logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
P
  echo "$version" >"$out/VERSION"
}

for version in "${versions[@]}"; do
  build_once "$KRAFTWERK_CACHE/kafka/$version" assemble
  echo "$KRAFTWERK_CACHE/kafka/$version"
done
