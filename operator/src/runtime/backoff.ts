// Exponential backoff with a cap, as client-go's ItemExponentialFailureRateLimiter and the
// reflector's reconnect backoff do. Pure: the caller keeps the failure count.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0..1: the delay is spread over [d*(1-jitter), d] so many clients do not retry in step. */
  jitter?: number;
}

export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  if (failures <= 0) return 0;
  // Cap the exponent before computing to avoid Infinity for long outages.
  const exp = Math.min(failures - 1, 52);
  const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
  const jitter = policy.jitter ?? 0;
  return jitter > 0 ? delay * (1 - jitter * random()) : delay;
}
