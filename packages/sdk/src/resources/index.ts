export { Health } from './health.js';
export { Keys } from './keys.js';
export { Tokens } from './tokens.js';
export { Whoami } from './whoami.js';
