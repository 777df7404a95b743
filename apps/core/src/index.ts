export { service, createCoreService, governanceOf, consciousnessOf, isShutDown, type CoreServiceOptions } from './service.js';
export type { ConsciousnessRuntime, ConsciousnessOptions } from './consciousness/index.js';
export { build } from './app.js';
export { CoreErrors } from './errors.js';
export type { Clock } from './governance/engine.js';
export type { GovernanceRuntime } from './governance/runtime.js';
export { RISK_WEIGHTS, SLA_MINUTES } from './domain/risk.js';
export { ACTIONS } from './domain/catalogue.js';
export {
  passThroughRetriever,
  passThroughScreener,
  TOOL_DEFINITIONS,
  type ContextItem,
  type ContextRetriever,
  type QueryPlugs,
  type RetrievedContext,
  type Screener,
  type ScreeningVerdict,
  type ToolDefinition,
} from './query/index.js';
export { CONFIDENCE_WEIGHTS, confidenceScore } from './domain/confidence.js';
