export { main, program, COMMANDS } from './main.js';
export { ExitError, type CommandSpec, type CommandIO } from './spec.js';
export { SERVICE_DEFINITIONS } from './services.js';
