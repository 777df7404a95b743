export { service, createHermesService, LOG_DURABLE, type HermesOptions } from './service.js';
export { build } from './app.js';
export { HermesErrors } from './errors.js';
export type { StreamLimits } from './stream/limits.js';
