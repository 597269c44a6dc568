// Errors the runtime gives meaning to: what a failed reconcile reports and whether it retries.
// controller-runtime's reconcile.TerminalError is the model for TerminalError.

/**
 * A failure that retrying cannot fix (an input the API server or Kafka will always refuse):
 * it is reported like any other, but the key is not retried until the object changes.
 * `reason` becomes the Ready condition's and the Event's reason (CamelCase).
 */
export class TerminalError extends Error {
  override name = 'TerminalError';
  readonly reason: string;
  constructor(message: string, reason = 'TerminalError', options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** A reconcile ran past its deadline; it is reported and retried with backoff. */
export class ReconcileTimeoutError extends Error {
  override name = 'ReconcileTimeoutError';
  readonly reason = 'ReconcileTimeout';
  constructor(timeoutMs: number) {
    super(`reconcile did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
}

/**
 * This instance no longer holds the lease (or never did): a write was refused before it left
 * the process, because another instance may be leading by now.
 */
export class FencedError extends Error {
  override name = 'FencedError';
  constructor(message = 'not the leader: the lease may be held by another instance') {
    super(message);
  }
}

/** Errors a person must fix in the code, not in the cluster: these keep their stack trace. */
export function isProgrammingError(err: unknown): boolean {
  return (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError
  );
}

/** The condition and Event reason for a failure: the error's own when it has a valid one. */
export function failureReason(err: unknown): string {
  const reason = (err as { reason?: unknown } | null)?.reason;
  // KubeApiError's reason is the API server's ("Invalid", "Forbidden"); it describes the
  // request, not the resource, so only reasons set by our typed errors are taken.
  if (
    (err instanceof TerminalError || err instanceof ReconcileTimeoutError) &&
    typeof reason === 'string' &&
    /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/.test(reason)
  ) {
    return reason;
  }
  return 'ReconcileError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * An error as a log field: name, message and codes; the stack only when asked for, since an
 * operational failure (a 403, an unreachable broker) repeated every backoff step says nothing
 * more with 20 lines of frames.
 */
export function errorFields(err: unknown, withStack: boolean): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; statusCode?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.statusCode !== undefined ? { statusCode: e.statusCode } : {}),
    ...(withStack && e.stack ? { stack: e.stack } : {}),
  };
}
