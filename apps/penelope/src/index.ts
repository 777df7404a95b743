export { service } from './service.js';
export { build } from './app.js';
export { spiritualRuntime, SignalCollector, type SpiritualRuntime, type PassReport } from './spiritual/index.js';
export { checkConsistency, checkSignature, type LedgerCheck } from './spiritual/index.js';
