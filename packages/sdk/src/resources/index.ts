export { Health } from './health.js';
