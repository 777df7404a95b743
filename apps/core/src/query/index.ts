export { queryRoutes, type QueryPlugs } from './routes.js';
export { passThroughRetriever, passThroughScreener, type ContextItem, type ContextRetriever, type RetrievedContext, type Screener, type ScreeningVerdict } from './hooks.js';
export { TOOL_DEFINITIONS, TOOL_INTERNAL_ROUTES, type PeerClient, type ToolDefinition } from './tools.js';
export { PROPOSE_FIX_ROUTE } from './propose-fix.js';
