/** Fruits and virtues: scores of the platform's character, from what the signal collector measured. */
export { spiritualRoutes } from './routes.js';
export { spiritualRuntime, existingSpiritualRuntime, type SpiritualRuntime } from './runtime.js';
export { SignalCollector, type CollectorOptions, type PassReport } from './signals/collector.js';
export { checkConsistency, checkSignature, type LedgerCheck, type TrustedHead } from './domain/ledger-check.js';
export { parseSamples, scrapeTotals, counterDeltas, type Sample, type ScrapeTotals } from './domain/prometheus.js';
export { classifyIgnition, type IgnitionOutcome } from './domain/ignition.js';
