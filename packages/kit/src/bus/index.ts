export * from './types.js';
export { createMemoryBus, type MemoryBusOptions } from './memory.js';
export { createNatsBus, natsConnectOptions, durableName, type NatsBusOptions } from './nats.js';
