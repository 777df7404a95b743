import { delimiter, isAbsolute } from 'node:path';
import { KitErrors } from '@maximus/kit/errors';

/** Where the healing runtime reads the time: injectable, so that tests can move it (Sabbath mode). */
export interface Clock {
  now(): number;
}

export interface HealingOptions {
  /** Directories patches may be written into (a workspace is one of them or a directory below). @default MAXIMUS_PENELOPE_WORKSPACES */
  workspaces?: string[];
  /** Sabbath mode: no patch is applied on Saturday or Sunday (UTC). @default MAXIMUS_PENELOPE_SABBATH */
  sabbath?: boolean;
  /** Analyser worker threads. @default MAXIMUS_PENELOPE_ANALYSER_WORKERS */
  workers?: number;
  /** Time limit of one test run. @default MAXIMUS_PENELOPE_TEST_TIMEOUT_MS */
  testTimeoutMs?: number;
  /** How often scheduled (Sabbath) patches are looked at. @default 60000 */
  scheduleTickMs?: number;
  /** @default the system clock */
  clock?: Clock;
  /** The analyser worker module. @default the built worker */
  workerUrl?: URL;
  /** Warm the analysers in the start hook (tests of other parts turn it off: workers then start on first use). @default true */
  warmOnStart?: boolean;
  /** Ask core's language model for a patch per diagnosis, after the analysers' patches. @default MAXIMUS_PENELOPE_MODEL_PATCHES */
  modelPatches?: boolean;
  /** Longest wait for core's model patch (`POST /query/propose-fix`). @default MAXIMUS_PENELOPE_MODEL_TIMEOUT_MS */
  modelTimeoutMs?: number;
}

export interface ResolvedHealingOptions {
  workspaces: string[];
  sabbath: boolean;
  workers: number;
  testTimeoutMs: number;
  scheduleTickMs: number;
  clock: Clock;
  workerUrl: URL | undefined;
  warmOnStart: boolean;
  modelPatches: boolean;
  modelTimeoutMs: number;
}

function intVar(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw new KitErrors.ConfigInvalid(name, `expected an integer in [${min}, ${max}], got "${raw}"`);
  return value;
}

function switchVar(name: string, fallback: boolean): boolean {
  const raw = (process.env[name] ?? '').toLowerCase();
  if (raw === '') return fallback;
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(raw)) throw new KitErrors.ConfigInvalid(name, `expected on or off, got "${raw}"`);
  return ['on', 'true', '1'].includes(raw);
}

/** Options over the environment (MAXIMUS_PENELOPE_*, declared in the kit's ENV_VARS). */
export function resolveHealingOptions(options: HealingOptions = {}): ResolvedHealingOptions {
  const rawWorkspaces = process.env.MAXIMUS_PENELOPE_WORKSPACES ?? '';
  const workspaces = options.workspaces ?? rawWorkspaces.split(new RegExp(`[,${delimiter}]`)).map((w) => w.trim()).filter(Boolean);
  for (const w of workspaces) if (!isAbsolute(w)) throw new KitErrors.ConfigInvalid('MAXIMUS_PENELOPE_WORKSPACES', `"${w}" is not an absolute path`);
  return {
    workspaces,
    sabbath: options.sabbath ?? switchVar('MAXIMUS_PENELOPE_SABBATH', false),
    workers: options.workers ?? intVar('MAXIMUS_PENELOPE_ANALYSER_WORKERS', 1, 1, 16),
    testTimeoutMs: options.testTimeoutMs ?? intVar('MAXIMUS_PENELOPE_TEST_TIMEOUT_MS', 30_000, 100, 600_000),
    scheduleTickMs: options.scheduleTickMs ?? 60_000,
    clock: options.clock ?? { now: () => Date.now() },
    workerUrl: options.workerUrl,
    warmOnStart: options.warmOnStart ?? !['off', 'false', '0'].includes((process.env.MAXIMUS_PENELOPE_WARM_ON_START ?? 'on').toLowerCase()),
    modelPatches: options.modelPatches ?? switchVar('MAXIMUS_PENELOPE_MODEL_PATCHES', true),
    modelTimeoutMs: options.modelTimeoutMs ?? intVar('MAXIMUS_PENELOPE_MODEL_TIMEOUT_MS', 90_000, 1_000, 600_000),
  };
}
