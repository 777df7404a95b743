export { build, GATEWAY_VERSION, type GatewayOptions, type EmbeddedGatewayOptions, type ConnectedGatewayOptions } from './app.js';
export { runEmbedded, runConnected, type RunGatewayOptions, type RunningGateway } from './run.js';
export { overallStatus } from './health.js';
export { bootstrapApiKey, createGatewaySecurity, type GatewaySecurity, type GatewaySecurityOptions } from './security.js';
export { PERMISSIONS, permissionFor, isPublic, type PermissionRule } from './auth/permissions.js';
export { principalFromCertificate, tlsServerOptions, watchTls, type TlsConfig } from './tls/index.js';
