export * from './types.js';
export { createMemoryBus, type MemoryBusOptions } from './memory.js';
export { createNatsBus, durableName, type NatsBusOptions } from './nats.js';
