"""One listener's numbers for bench/tls/run.ts (prints one JSON line).

  python client.py TOPIC MESSAGES SIZE LATENCY_MESSAGES LATENCY_RATE   (librdkafka settings in KAFKA_CONFIG)

throughput: MESSAGES of SIZE bytes, idempotent acks=all, linger.ms 5, as fast as they go; from the
first produce() to the end of flush(). consume: the same messages read back by a fresh consumer
(assign from the beginning), from its first message to the last: the handshake (TLS, SCRAM) is
not in it, it is a one-off per connection. latency: LATENCY_MESSAGES at LATENCY_RATE per second
with linger.ms 0, produce() → delivery report, each on its own (no queue behind it).
"""
import json
import os
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

conf = json.loads(os.environ["KAFKA_CONFIG"])
# Nagle off on every listener: with it (librdkafka's default), plaintext requests waited for the
# broker's delayed ACKs and plaintext produced ~10x SLOWER than TLS, whose records hide it.
conf.setdefault("socket.nagle.disable", True)
topic, n, size, lat_n, lat_rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
payload = os.urandom(size)
errors = []


def check(err, _msg):
    if err is not None:
        errors.append(str(err))


p = Producer({**conf, "acks": "all", "enable.idempotence": True, "linger.ms": 5})
p.list_topics(topic, timeout=30)  # connect (and handshake) before the clock starts
t0 = time.perf_counter()
for _ in range(n):
    while True:
        try:
            p.produce(topic, payload, on_delivery=check)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
if p.flush(300):
    sys.exit("produce: flush timed out")
produce_s = time.perf_counter() - t0
if errors:
    sys.exit("produce: %s" % errors[:3])

c = Consumer({**conf, "group.id": "bench-%d" % os.getpid(), "enable.auto.commit": False, "fetch.max.bytes": 52428800})
parts = c.list_topics(topic, timeout=30).topics[topic].partitions
c.assign([TopicPartition(topic, q, 0) for q in parts])
got, first = 0, None
while got < n:
    m = c.poll(30)
    if m is None:
        sys.exit("consume: nothing for 30 s after %d of %d" % (got, n))
    if m.error():
        sys.exit("consume: %s" % m.error())
    if first is None:
        first = time.perf_counter()
    got += 1
consume_s = time.perf_counter() - first
c.close()

lp = Producer({**conf, "acks": "all", "enable.idempotence": True, "linger.ms": 0})
lp.list_topics(topic, timeout=30)
lat = []


def timed(sent):
    def done(err, _msg):
        if err is None:
            lat.append((time.perf_counter() - sent) * 1000)
        else:
            errors.append(str(err))
    return done


interval, due = 1.0 / lat_rate, time.perf_counter()
for _ in range(lat_n):
    lp.produce(topic, payload, on_delivery=timed(time.perf_counter()))
    due += interval
    while True:
        left = due - time.perf_counter()
        if left <= 0:
            break
        lp.poll(left)
lp.flush(60)
if errors or len(lat) != lat_n:
    sys.exit("latency: %d of %d delivered, %s" % (len(lat), lat_n, errors[:3]))
lat.sort()
mb = n * size / 1e6
print(json.dumps({
    "produce_msgs_s": n / produce_s,
    "produce_mb_s": mb / produce_s,
    "consume_msgs_s": n / consume_s,
    "consume_mb_s": mb / consume_s,
    "p50_ms": lat[len(lat) // 2],
    "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
}))
