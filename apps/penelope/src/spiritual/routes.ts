import type { FastifyInstance } from 'fastify';
import { FruitsReport, VirtuesReport } from '@maximus/contracts';
import type { SpiritualRuntime } from './runtime.js';

const tags = ['spiritual'];

/** `/api/v1/spiritual/*`: the fruits and virtues, cached (`cache` in the body, `X-Cache: HIT | MISS`). */
export async function spiritualRoutes(app: FastifyInstance, runtime: SpiritualRuntime): Promise<void> {
  app.get(
    '/spiritual/fruits',
    { schema: { summary: 'The nine fruits of Galatians 5:22-23, each a score from measured signals with its formula and inputs', tags, response: { 200: FruitsReport } } },
    async (_request, reply) => {
      const report = await runtime.fruits();
      return reply.header('x-cache', report.cache.status.toUpperCase()).send(report);
    },
  );
  app.get(
    '/spiritual/virtues',
    { schema: { summary: 'The virtues sophia, praotes and tapeinophrosyne, from governance and healing outcomes', tags, response: { 200: VirtuesReport } } },
    async (_request, reply) => {
      const report = await runtime.virtues();
      return reply.header('x-cache', report.cache.status.toUpperCase()).send(report);
    },
  );
  await Promise.resolve();
}
