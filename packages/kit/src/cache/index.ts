export type { Cache } from './types.js';
export { createMemoryCache, type MemoryCacheOptions } from './memory.js';
export { createRedisCache, type RedisCacheOptions } from './redis.js';
