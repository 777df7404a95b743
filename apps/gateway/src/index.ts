export { build, GATEWAY_VERSION, type GatewayOptions, type EmbeddedGatewayOptions, type ConnectedGatewayOptions } from './app.js';
export { runEmbedded, runConnected, type RunGatewayOptions, type RunningGateway } from './run.js';
export { overallStatus } from './health.js';
