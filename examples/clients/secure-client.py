"""A client of a TLS + SCRAM-SHA-512 listener: writes a few messages, then reads exactly those back.

Needs confluent-kafka >= 2.6.1 (its librdkafka): Kafka 4 refuses the SCRAM handshake of older
librdkafka, such as Debian bookworm's 2.0.2. `bash hack/toolchain/python-clients.sh` prints a
python that has 2.12. `npm run demo` prints the full command; by hand, for the demo:

  kubectl -n kraftwerk-demo get secret alice -o jsonpath='{.data.ca\\.crt}' \\
    | base64 -d > /tmp/demo-ca.crt
  KAFKA_PASSWORD="$(kubectl -n kraftwerk-demo get secret alice \\
    -o jsonpath='{.data.password}' | base64 -d)" \\
    "$(bash hack/toolchain/python-clients.sh)" examples/clients/secure-client.py \\
    --bootstrap localhost:30096 --ca /tmp/demo-ca.crt --user alice --topic orders

The password comes from the environment (KAFKA_PASSWORD), never from the command line, where
other users of the machine could read it in the process list.
"""

import argparse
import os
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--bootstrap", default="localhost:30096")
    ap.add_argument("--ca", required=True, help="PEM file of the CA the listener's certificate is signed by")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--topic", default="orders")
    ap.add_argument("--count", type=int, default=5)
    args = ap.parse_args()
    password = os.environ.get("KAFKA_PASSWORD")
    if not password:
        sys.exit("set KAFKA_PASSWORD (the user's SCRAM password)")

    security = {
        "bootstrap.servers": args.bootstrap,
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": args.user,
        "sasl.password": password,
        "ssl.ca.location": args.ca,
    }

    written = []

    def delivered(err, msg):
        if err is not None:
            raise KafkaException(err)
        written.append((msg.partition(), msg.offset(), msg.value().decode()))

    producer = Producer({**security, "acks": "all", "enable.idempotence": True})
    stamp = time.strftime("%H:%M:%S")
    for i in range(args.count):
        producer.produce(args.topic, f"secure-{stamp}-{i}".encode(), on_delivery=delivered)
    left = producer.flush(30)
    if left or len(written) != args.count:
        sys.exit(f"{len(written)} of {args.count} messages acknowledged")
    for partition, offset, value in written:
        print(f"wrote {value} to {args.topic}[{partition}]@{offset}")

    # Read back exactly what was written: each partition from the first offset written there.
    first = {}
    for partition, offset, _ in written:
        first[partition] = min(offset, first.get(partition, offset))
    consumer = Consumer({**security, "group.id": f"secure-client-{stamp}", "enable.auto.commit": False})
    consumer.assign([TopicPartition(args.topic, p, o) for p, o in first.items()])
    want = {value for _, _, value in written}
    deadline = time.monotonic() + 30
    while want and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            raise KafkaException(msg.error())
        value = msg.value().decode()
        if value in want:
            want.discard(value)
            print(f"read  {value} from {args.topic}[{msg.partition()}]@{msg.offset()}")
    consumer.close()
    if want:
        sys.exit(f"not read back within 30 s: {sorted(want)}")
    print(f"ok: {args.count} messages over SASL_SSL (SCRAM-SHA-512) as {args.user}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
