// The consumer both autoscalers scale in the side-by-side bench (run.sh): a kafkajs group
// member that processes at most RATE messages a second (a fixed per-replica capacity, as in
// the model's simulator), commits every 5 s and on leaving. A message with the header
// kraftwerk-bench=stuck is a poison pill: its partition is paused and the message never
// processed nor committed, so whichever member owns the partition stalls on it (the "stuck
// partition" trace). Runs in its own image (image.sh) with Node's type stripping; nothing here
// is part of the operator.
import { Kafka, logLevel } from 'kafkajs';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
const rate = Number(env('RATE', '100'));
const topic = env('TOPIC');
const kafka = new Kafka({
  clientId: env('GROUP'),
  brokers: env('BOOTSTRAP').split(','),
  logLevel: logLevel.WARN,
});
const consumer = kafka.consumer({ groupId: env('GROUP') });

// A pacing clock rather than a sleep per message: the capacity stays RATE/s however long a
// message's own handling takes, and idle time is not banked for a later burst.
let next = 0;
const pace = async () => {
  const now = Date.now();
  next = Math.max(next, now);
  const wait = next - now;
  next += 1000 / rate;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // disconnect commits what was processed and leaves the group at once, so a scale-down
  // rebalances now instead of after the session timeout.
  await consumer.disconnect().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: env('FROM_BEGINNING', 'false') === 'true' });
await consumer.run({
  autoCommitInterval: 5000,
  // Offsets are resolved by hand so a poison message is never marked processed.
  eachBatchAutoResolve: false,
  eachBatch: async ({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
    pause,
  }) => {
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      if (message.headers?.['kraftwerk-bench']?.toString() === 'stuck') {
        pause();
        break;
      }
      await pace();
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  },
});
