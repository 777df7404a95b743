/**
 * A cancellation token lighter than an AbortController (which costs an EventTarget per call): `abort(reason)`
 * runs every subscriber once; a subscriber added after the abort runs at once.
 * @internal
 */
export class Cancel {
  aborted = false;
  reason: unknown = undefined;
  #subscribers: ((reason: unknown) => void)[] | undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const subscribers = this.#subscribers;
    this.#subscribers = undefined;
    if (subscribers) for (const subscriber of subscribers) subscriber(reason);
  }

  /** Runs `subscriber` on abort; the returned function unsubscribes. */
  subscribe(subscriber: (reason: unknown) => void): () => void {
    if (this.aborted) {
      subscriber(this.reason);
      return () => {};
    }
    (this.#subscribers ??= []).push(subscriber);
    return () => {
      const list = this.#subscribers;
      if (!list) return;
      const i = list.indexOf(subscriber);
      if (i >= 0) list.splice(i, 1);
    };
  }
}

/** A token that never aborts (background work bounded by its own timers). @internal */
export const NEVER = new Cancel();
