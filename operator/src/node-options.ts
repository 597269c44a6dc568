// The V8 heap limits the operator runs with (NODE_OPTIONS in the Helm chart, the cdk8s
// install and `npm run operator`). Measured with bench/topic/apply-topics.ts (1,000 topics):
// the JS heap in use stays at 30–50 MB, but by default V8 grows its reservation under bursts
// to a 185–189 MB peak RSS; with these limits the peak is ~130 MB at the same throughput, for
// slightly more GC CPU. Raise --max-old-space-size for very large installations (tens of
// thousands of cached objects).
export const operatorNodeOptions = '--max-old-space-size=96 --max-semi-space-size=2';
