import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, Maximus } from '@maximus/sdk';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

// `GET /api/v1/whoami` through the SDK and the real gateway: what the TUI's status bar shows.
describe('client.whoami()', () => {
  let gateway: TestGateway;
  let url: string;
  const clients: Maximus[] = [];
  const client = (options: ConstructorParameters<typeof Maximus>[0]) => {
    const c = new Maximus({ baseURL: url, maxRetries: 0, ...options });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    gateway = await embeddedGateway();
    url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gateway?.close();
  });

  it('names the principal of an API key of any role, with the key id', async () => {
    expect(await client({ apiKey: gateway.adminKey }).whoami()).toMatchObject({ kind: 'user', role: 'admin', via: 'api_key' });
    const reader = await gateway.security.keys.create({ name: 'reader', role: 'readonly', createdBy: null });
    const me = await client({ apiKey: reader.key }).whoami();
    expect(me).toEqual({ id: `user:key-${reader.id}`, kind: 'user', role: 'readonly', via: 'api_key', key_id: reader.id });
  });

  it('names the subject of a platform JWT', async () => {
    const { token } = await gateway.security.tokens.mint({ role: 'operator', subject: 'alice', ttlSeconds: 600 });
    expect(await client({ apiKey: null, token }).whoami()).toMatchObject({ id: 'user:alice', role: 'operator', via: 'jwt', subject: 'alice' });
  });

  it('refuses a caller without credentials, or with a revoked key, with 401', async () => {
    await expect(client({ apiKey: null, token: null }).whoami()).rejects.toBeInstanceOf(AuthenticationError);
    const gone = await gateway.security.keys.create({ name: 'gone', role: 'operator', createdBy: null });
    await gateway.security.keys.revoke(gone.id);
    await expect(client({ apiKey: gone.key }).whoami()).rejects.toMatchObject({ status: 401, code: 'GATEWAY_ERR_AUTH_KEY_INVALID' });
  });
});
