/** How a subscription's connection is kept alive and bounded. */
export interface StreamLimits {
  /** A comment (SSE) or heartbeat frame (WebSocket) this often. @default 15000 */
  readonly heartbeatMs: number;
  /** Bytes written but not yet taken by the client before hermes waits for it. @default 1 MiB */
  readonly maxBufferedBytes: number;
  /** How long a client may stay above `maxBufferedBytes` before it is dropped with a final event. @default 10000 */
  readonly slowConsumerMs: number;
}

export const DEFAULT_LIMITS: StreamLimits = { heartbeatMs: 15_000, maxBufferedBytes: 1024 * 1024, slowConsumerMs: 10_000 };

/** Resolves true once `buffered()` falls to `max` or below, false after `ms` or on abort. */
export async function waitBelow(buffered: () => number, max: number, ms: number, signal: AbortSignal): Promise<boolean> {
  const until = Date.now() + ms;
  while (buffered() > max) {
    if (signal.aborted || Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
