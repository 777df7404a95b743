export { service } from './service.js';
export { build } from './app.js';
