/**
 * Wakes readers of the event log when it grows. A reader notes `version` before it queries and waits only
 * if nothing was appended since, so an append between its query and its wait is never missed.
 */
export class Notifier {
  #version = 0;
  readonly #waiters = new Set<() => void>();

  get version(): number {
    return this.#version;
  }

  notify(): void {
    this.#version++;
    const woken = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of woken) wake();
  }

  /** Resolves at the next append after `since`, after `ms`, or when `signal` aborts. */
  wait(since: number, ms: number, signal: AbortSignal): Promise<void> {
    if (this.#version !== since || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}
