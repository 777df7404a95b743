import type { AggregateHealth } from '@maximus/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { Maximus } from '../client.js';
import { ServiceUnavailableError } from '../errors.js';
import { sendJson, sendProblem, startServer, type Handler, type TestServer } from '../testing/http-server.js';

// A stand-in server for the answers the real gateway gives only in odd states (a proxy's 503, a problem body);
// test/sdk-gateway.test.ts runs health() against the real gateway, where a client/server mismatch fails.
function aggregate(status: AggregateHealth['status']): AggregateHealth {
  return {
    status,
    service: 'gateway',
    version: '0.1.0',
    mode: 'embedded',
    uptime_seconds: 12,
    components: {},
    timestamp: '2026-01-01T00:00:00.000Z',
    services: {
      core: { status: status === 'down' ? 'down' : 'healthy', latency_ms: 3, critical: true, components: {} },
      maba: { status: 'degraded', latency_ms: 5, critical: false, components: {}, error: 'chromium missing' },
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler): Promise<{ server: TestServer; client: Maximus }> {
  const server = await startServer(handler);
  const client = new Maximus({ baseURL: server.url, retry: { baseDelayMs: 5 } });
  cleanups.push(() => server.close(), () => client.close());
  return { server, client };
}

describe('client.health()', () => {
  it('returns the aggregate health on 200', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, aggregate('degraded')));
    await expect(client.health()).resolves.toEqual(aggregate('degraded'));
    expect(server.arrivals[0]).toMatchObject({ method: 'GET', url: '/health' });
  });

  it('returns the body on 503 (a critical service down) without retrying', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 503, aggregate('down'), { 'x-request-id': 'req-h' }));
    const { data, response } = await client.health().withResponse();
    expect(data).toEqual(aggregate('down'));
    expect(response).toMatchObject({ status: 503, requestId: 'req-h' });
    expect(server.arrivals).toHaveLength(1);
  });

  it('throws ServiceUnavailableError for a 503 problem (the gateway itself failing), after retrying', async () => {
    const { server, client } = await setup((_req, res) => sendProblem(res, 503, 'KIT_ERR_DB_UNAVAILABLE'));
    await expect(client.health()).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(server.arrivals).toHaveLength(3);
  });
});
