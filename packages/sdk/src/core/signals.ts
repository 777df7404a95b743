/** The callbacks waiting on each caller signal: one real listener per signal, however many calls share it. */
const waiting = new WeakMap<AbortSignal, { callbacks: Set<() => void>; listener: () => void }>();

/**
 * Calls `callback` once when `signal` aborts; the returned function unsubscribes. Every subscription to one
 * signal shares a single `abort` listener, so that a long-lived signal passed to many concurrent calls carries
 * one listener, not one per call (no MaxListenersExceededWarning, nothing to leak).
 * @internal
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let entry = waiting.get(signal);
  if (!entry) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      waiting.delete(signal);
      for (const cb of callbacks) cb();
      callbacks.clear();
    };
    entry = { callbacks, listener };
    waiting.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks } = entry;
  const own = entry;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    if (waiting.get(signal) === own) {
      waiting.delete(signal);
      signal.removeEventListener('abort', own.listener);
    }
  };
}
