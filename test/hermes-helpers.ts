import { request } from 'node:http';
import type { PreparedService } from '@maximus/kit/service';
import type { StreamEvent } from '@maximus/sdk';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

/** Starts the services (idempotent: `embeddedGateway()` already did). */
export async function startAll(services: readonly PreparedService[]): Promise<void> {
  for (const service of services) await service.start();
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The first `n` events of a subscription (then it is closed). */
export async function collect(events: AsyncIterable<StreamEvent>, n: number, timeoutMs = 10_000): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  const iterator = events[Symbol.asyncIterator]();
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${out.length} of ${n} events within ${timeoutMs} ms`)), timeoutMs).unref());
  try {
    while (out.length < n) {
      const next = await Promise.race([iterator.next(), timer]);
      if (next.done) break;
      out.push(next.value);
    }
  } finally {
    void iterator.return?.(undefined);
  }
  return out;
}

export interface SseFrame {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/** A raw SSE connection (node:http), to check the wire format and to stop reading at will. */
export function openSse(
  base: string,
  apiKey: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; raw: () => string; frames(n: number, timeoutMs?: number): Promise<SseFrame[]>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/hermes/api/v1/events/subscribe?${query}`, { headers: { 'x-api-key': apiKey, accept: 'text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('error', () => undefined);
      const parse = () =>
        text
          .split('\n\n')
          .slice(0, -1)
          .map((block) => {
            const lines = block.split('\n').filter((l) => !l.startsWith(':') && !l.startsWith('retry:'));
            const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
            return { id: field('id'), event: field('event'), data: lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n') };
          })
          .filter((f) => f.data !== '');
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => text,
        async frames(n, timeoutMs = 10_000) {
          await waitFor(() => parse().length >= n, timeoutMs, `${n} SSE frames`);
          return parse().slice(0, n);
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** `embeddedGateway()` on a data directory of the caller's choosing. */
export function embeddedGatewayAt(dataDir: string, env: Record<string, string> = {}): Promise<TestGateway> {
  return embeddedGateway(env, dataDir);
}
