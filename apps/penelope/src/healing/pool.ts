import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@maximus/kit/logger';
import { workerExecArgv } from '@maximus/kit/threads';
import { PenelopeErrors } from './errors.js';
import type { WorkerOp, WorkerPayload, WorkerRequest, WorkerResults } from './analysis/protocol.js';

/**
 * The analyser worker: the built `analysis/worker.js` beside this module, or — when this module runs from its
 * TypeScript sources (vitest) — the one in the package's `dist/` (Node 20 cannot load a .ts worker).
 */
export function defaultWorkerUrl(): URL {
  const beside = new URL('./analysis/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/healing/analysis/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`no built analyser worker at ${fileURLToPath(built)}: run \`npm run build\``);
}

export interface AnalyserPoolOptions {
  /** Worker threads, each with its own warm analysers. @default 1 */
  size?: number;
  /** A job running longer is abandoned (its worker is replaced). @default 120000 */
  jobTimeoutMs?: number;
  /** Jobs waiting for a worker beyond this answer 503. @default 64 */
  maxQueue?: number;
  workerUrl?: URL;
  log: Logger;
}

interface Job {
  request: WorkerRequest;
  resolve(value: unknown): void;
  reject(error: Error): void;
  enqueuedAt: number;
  onStart?: (queueMs: number) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  warm: Promise<void>;
}

/** Consecutive workers dead before their warm-up ends, after which jobs fail fast with 503 until one warms. */
const START_FAILURES_MAX = 3;

/**
 * A small pool of analyser worker threads. `start()` (the service's start hook, after ready) spawns them and warms every
 * analyser in each; a job that arrives earlier waits for a worker. Each worker runs one job at a time; a crashed or
 * timed-out worker is replaced and its job fails, never the process.
 */
export class AnalyserPool {
  readonly #size: number;
  readonly #timeoutMs: number;
  readonly #maxQueue: number;
  readonly #log: Logger;
  readonly #url: URL | undefined;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #next = 0;
  #closed = false;
  #warmMs: number | undefined;
  #started: Promise<void> | undefined;
  /** Workers in a row that died before they were warm (a broken build, a missing analyser): not worth respawning at once. */
  #startFailures = 0;
  #respawn: NodeJS.Timeout | undefined;

  constructor(options: AnalyserPoolOptions) {
    this.#size = Math.max(1, options.size ?? 1);
    this.#timeoutMs = options.jobTimeoutMs ?? 120_000;
    this.#maxQueue = options.maxQueue ?? 64;
    this.#log = options.log;
    this.#url = options.workerUrl;
  }

  /** Milliseconds the first worker took to warm every analyser (undefined until then). */
  get warmMs(): number | undefined {
    return this.#warmMs;
  }

  /**
   * Spawns and warms the workers, one after the other (idempotent): warming takes a core for seconds, and the
   * service it runs in must keep answering meanwhile. The first warm worker serves requests while the next warms.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      for (let i = this.#slots.length; i < this.#size && !this.#closed; i++) await this.#spawn().warm;
    })();
    return this.#started;
  }

  /** Runs one job on a warm worker. `onStart` learns how long it waited. */
  run<Op extends WorkerOp>(op: Op, payload: WorkerPayload<Op>, onStart?: (queueMs: number) => void): Promise<WorkerResults[Op]> {
    if (this.#closed) return Promise.reject(new PenelopeErrors.AnalyserUnavailable('the analyser pool is closed'));
    if (this.#startFailures >= START_FAILURES_MAX) return Promise.reject(this.#unavailable());
    if (this.#queue.length >= this.#maxQueue) return Promise.reject(Object.assign(new PenelopeErrors.AnalyserBusy(String(this.#queue.length)), { retryAfterSeconds: 2 }));
    void this.start();
    return new Promise((resolve, reject) => {
      const request = { id: ++this.#next, op, ...(payload === undefined ? {} : { payload }) } as WorkerRequest;
      this.#queue.push({ request, resolve: resolve, reject, enqueuedAt: performance.now(), ...(onStart ? { onStart } : {}) });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#respawn);
    for (const job of this.#queue.splice(0)) job.reject(new PenelopeErrors.AnalyserUnavailable('the service is stopping'));
    await Promise.all(this.#slots.splice(0).map(async (s) => {
      if (s.timer) clearTimeout(s.timer);
      s.job?.reject(new PenelopeErrors.AnalyserUnavailable('the service is stopping'));
      await s.worker.terminate();
    }));
  }

  #spawn(): Slot {
    const worker = new Worker(this.#url ?? defaultWorkerUrl(), { execArgv: workerExecArgv() });
    worker.unref();
    const slot: Slot = { worker, job: undefined, timer: undefined, warm: Promise.resolve() };
    slot.warm = new Promise<void>((resolve) => {
      const started = performance.now();
      const warmJob: Job = {
        request: { id: ++this.#next, op: 'warm' },
        resolve: (timings) => {
          this.#startFailures = 0;
          this.#warmMs ??= performance.now() - started;
          this.#log.info({ timings, ms: Math.round(performance.now() - started) }, 'penelope analysers warm');
          resolve();
        },
        reject: (error) => {
          this.#log.error({ err: error }, 'penelope analyser warm-up failed');
          resolve();
        },
        enqueuedAt: started,
      };
      this.#assign(slot, warmJob);
    });
    worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const job = slot.job;
      if (!job || job.request.id !== message.id) return;
      this.#finish(slot);
      if (message.error !== undefined) job.reject(new PenelopeErrors.AnalysisFailed(message.error.split('\n')[0] ?? 'unknown', { cause: new Error(message.error) }));
      else job.resolve(message.result);
      this.#dispatch();
    });
    worker.on('error', (error) => this.#replace(slot, error));
    worker.on('exit', (code) => {
      if (!this.#closed && this.#slots.includes(slot)) this.#replace(slot, new Error(`analyser worker exited with code ${code}`));
    });
    this.#slots.push(slot);
    return slot;
  }

  #assign(slot: Slot, job: Job): void {
    slot.job = job;
    job.onStart?.(performance.now() - job.enqueuedAt);
    slot.timer = setTimeout(() => {
      void slot.worker.terminate();
      this.#replace(slot, new PenelopeErrors.AnalysisTimeout(String(this.#timeoutMs)));
    }, job.request.op === 'warm' ? Math.max(this.#timeoutMs, 300_000) : this.#timeoutMs);
    slot.timer.unref();
    slot.worker.postMessage(job.request);
  }

  #finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  #replace(slot: Slot, error: Error): void {
    const job = slot.job;
    this.#finish(slot);
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    void slot.worker.terminate();
    if (job) job.reject(error instanceof Error && 'code' in error ? error : new PenelopeErrors.AnalysisFailed(error.message, { cause: error }));
    this.#log.warn({ err: error }, 'penelope analyser worker replaced');
    if (this.#closed) return;
    if (job?.request.op === 'warm') this.#startFailures++;
    if (this.#startFailures < START_FAILURES_MAX) {
      this.#spawn();
      this.#dispatch();
      return;
    }
    // Workers keep dying before they are warm: answer 503 instead of letting requests wait for one, and try again later.
    for (const waiting of this.#queue.splice(0)) waiting.reject(this.#unavailable());
    const delayMs = Math.min(60_000, 1_000 * 2 ** (this.#startFailures - START_FAILURES_MAX));
    this.#log.error({ err: error, failures: this.#startFailures, retryInMs: delayMs }, 'penelope analyser workers die at start; analysis is unavailable');
    clearTimeout(this.#respawn);
    this.#respawn = setTimeout(() => {
      if (!this.#closed) this.#spawn();
    }, delayMs);
    this.#respawn.unref();
  }

  #unavailable(): Error {
    return Object.assign(new PenelopeErrors.AnalyserUnavailable('the analyser workers fail at start (see the service log)'), { retryAfterSeconds: 30 });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job) continue;
      const job = this.#queue.shift();
      if (!job) return;
      this.#assign(slot, job);
    }
  }
}
