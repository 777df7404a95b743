export { createServer, type ServerOptions, type ServerTransportOptions } from './server.js';
export { defineService, packageVersion, type ServiceContext, type ServiceDefinition, type ApiRoutes } from './definition.js';
export { prepareService, type PreparedService, type PrepareOptions } from './prepare.js';
export { servicePlugin } from './plugin.js';
export { buildService, runService, closeOnSignals, assertListenAllowed, type BuildServiceOptions, type RunServiceOptions, type RunningService } from './run.js';
