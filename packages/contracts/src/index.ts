export * from './services.js';
export * from './health.js';
export * from './problem.js';
export * from './auth.js';
