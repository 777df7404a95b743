export { service, createPenelopeService, type PenelopeServiceOptions } from './service.js';
export { build } from './app.js';
export { healingRuntime, existingHealing, type HealingRuntime } from './healing/runtime.js';
export { PenelopeErrors } from './healing/errors.js';
export { measureMansidao, changedLines, MANSIDAO_LIMITS } from './domain/mansidao.js';
export { patchConfidence } from './domain/confidence.js';
export { applyTime, nextMonday, isRestDay } from './domain/sabbath.js';
export { AnalyserPool, defaultWorkerUrl, type AnalyserPoolOptions } from './healing/pool.js';
export { loadDefectCases, runDefectCase, summarise, type DefectCase, type CaseOutcome, type SuiteSummary } from './healing/suite.js';
