import type { FastifyInstance } from 'fastify';
import { Principal } from '@maximus/contracts';

/** `GET /api/v1/whoami`: the principal the gateway authenticated for this request (any role may ask). */
export async function whoamiRoute(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/v1/whoami',
    { schema: { summary: 'The caller as the gateway sees it: principal id, role, and how it authenticated', tags: ['keys'], response: { 200: Principal } } },
    // The auth hook always sets the principal on this (non-public) route; with authentication off it is the anonymous admin.
    (request) => request.principal!,
  );
  await Promise.resolve();
}
