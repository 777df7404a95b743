export * from './services.js';
export * from './health.js';
export * from './problem.js';
export * from './auth.js';
export * from './governance.js';
export * from './events.js';
export * from './evidence.js';
export * from './spiritual.js';
