// The write fence at a port boundary: every method call first asks `guard` (the manager's
// assertLeader), so a deposed leader's next Kafka request fails before it is sent. Used where
// a port is handed to reconcilers (operator.ts); the port's code stays unaware of leadership.

/**
 * Returns a function that wraps a port: its methods (except `exempt`) reject with what
 * `guard` throws instead of running. One wrapper per port object, so identity is stable.
 */
export function portFence(
  guard: () => void,
  exempt: readonly string[] = ['close'],
): <T extends object>(port: T) => T {
  const wrapped = new WeakMap<object, object>();
  return <T extends object>(port: T): T => {
    const known = wrapped.get(port);
    if (known) return known as T;
    const proxy = new Proxy(port, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string' || exempt.includes(prop)) {
          return value;
        }
        return (...args: unknown[]): unknown => {
          try {
            guard();
          } catch (err) {
            // A rejection, like the request's own failures: callers await these methods.
            return Promise.reject(err as Error);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    wrapped.set(port, proxy);
    return proxy;
  };
}
