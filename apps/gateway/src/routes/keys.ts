import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiKeyCreateParams, ApiKeyCreated, ApiKeyInfo, ApiKeyList, TokenCreateParams, TokenCreated } from '@maximus/contracts';
import { createError } from '@maximus/kit/errors';
import type { Outbox } from '@maximus/kit/outbox';
import type { ApiKeyStore } from '../auth/api-keys.js';
import type { TokenService } from '../auth/tokens.js';

const KeyNotFound = createError('GATEWAY_ERR_KEY_NOT_FOUND', 'No API key with id %s', 404);

/** `/api/v1/keys` and `/api/v1/tokens`: the gateway's own API (admin only, by the permission table). */
export async function credentialRoutes(app: FastifyInstance, deps: { keys: ApiKeyStore; tokens: TokenService; outbox: Outbox }): Promise<void> {
  const { keys, tokens, outbox } = deps;
  app.post('/api/v1/keys', { schema: { summary: 'Create an API key (the key is in this answer only)', tags: ['keys'], body: ApiKeyCreateParams, response: { 201: ApiKeyCreated } } }, async (request, reply) => {
    const body = request.body as ApiKeyCreateParams;
    const actor = request.principal?.id ?? null;
    const created = await outbox.transaction(async (tx, emit) => {
      const key = await keys.create({ name: body.name, role: body.role, createdBy: actor }, tx);
      await emit('audit.key.created', { key_id: key.id, name: key.name, role: key.role, actor });
      return key;
    });
    return reply.code(201).send(created);
  });
  app.get('/api/v1/keys', { schema: { summary: 'List API keys (never their secrets)', tags: ['keys'], response: { 200: ApiKeyList } } }, async () => ({ data: await keys.list() }));
  app.delete(
    '/api/v1/keys/:id',
    { schema: { summary: 'Revoke an API key: refused on the next request, on every replica', tags: ['keys'], params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$' }) }), response: { 200: ApiKeyInfo } } },
    async (request) => {
      const { id } = request.params as { id: string };
      return outbox.transaction(async (tx, emit) => {
        const revoked = await keys.revoke(id, tx);
        if (!revoked) throw new KeyNotFound(id);
        await emit('audit.key.revoked', { key_id: id, actor: request.principal?.id ?? null });
        return revoked;
      });
    },
  );
  app.post('/api/v1/tokens', { schema: { summary: 'Mint a JWT signed with the platform key', tags: ['tokens'], body: TokenCreateParams, response: { 201: TokenCreated } } }, async (request, reply) => {
    const body = request.body as { role: 'admin' | 'operator' | 'readonly'; ttl?: number | string; subject?: string };
    const subject = body.subject ?? request.principal?.id.replace(/^user:/, '') ?? 'anonymous';
    const minted = await tokens.mint({ role: body.role, subject, ttlSeconds: seconds(body.ttl ?? 3600) });
    return reply.code(201).send(minted);
  });
  app.get('/.well-known/jwks.json', { schema: { summary: 'Public keys that verify platform tokens', tags: ['tokens'] } }, () => tokens.jwks());
  await Promise.resolve();
}

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** `3600`, `'90s'`, `'15m'`, `'1h'`, `'7d'` → seconds. */
export function seconds(ttl: number | string): number {
  if (typeof ttl === 'number') return ttl;
  const match = /^(\d+)([smhd])$/.exec(ttl);
  return match ? Number(match[1]) * (UNIT[match[2]!] ?? 1) : Number.NaN;
}
