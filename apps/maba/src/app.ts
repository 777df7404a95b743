import { buildService, type BuildServiceOptions } from '@maximus/kit/service';
import { service } from './service.js';

/** maba as a Fastify instance that listens on nothing (tests use `inject()`). */
export function build(options: BuildServiceOptions) {
  return buildService(service, options);
}
