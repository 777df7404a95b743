import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ServiceInstance, ServiceInstanceList, ServiceListQuery, ServiceRegisterParams } from '@maximus/contracts';
import { HermesErrors } from '../../errors.js';
import type { RegistryStore } from '../../store/registry.js';

/** `/services`: register or heartbeat (an upsert that moves the expiry), discover the unexpired, deregister. */
export async function serviceRoutes(app: FastifyInstance, registry: RegistryStore): Promise<void> {
  app.post(
    '/services',
    { schema: { summary: 'Register a service instance, or heartbeat it (extends its expiry by ttl_seconds)', tags: ['services'], body: ServiceRegisterParams, response: { 200: ServiceInstance } } },
    async (request) => registry.upsert(request.body as ServiceRegisterParams),
  );
  app.get(
    '/services',
    { schema: { summary: 'Registered instances whose TTL has not run out', tags: ['services'], querystring: ServiceListQuery, response: { 200: ServiceInstanceList } } },
    async (request) => ({ data: await registry.list((request.query as ServiceListQuery).name) }),
  );
  app.delete(
    '/services/:instance_id',
    {
      schema: {
        summary: 'Deregister an instance',
        tags: ['services'],
        params: Type.Object({ instance_id: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: ServiceInstance },
      },
    },
    async (request) => {
      const { instance_id: id } = request.params as { instance_id: string };
      const removed = await registry.remove(id);
      if (!removed) throw new HermesErrors.InstanceNotFound(id);
      return removed;
    },
  );
  await Promise.resolve();
}
