import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Between two readings: CPU seconds this process used, wall seconds elapsed, and the event loop's p99 delay. */
export interface ProcessReading {
  readonly cpu_seconds: number;
  readonly elapsed_seconds: number;
  readonly event_loop_lag_p99_seconds: number;
  /** Unix seconds. */
  readonly start_time_seconds: number;
}

/**
 * penelope's own process, measured between collection passes: in embedded mode it is the process of every
 * service (none of them exports process metrics there), so it stands for them all.
 */
export class ProcessMonitor {
  readonly #delay: IntervalHistogram;
  #cpu = process.cpuUsage();
  #at = performance.now();

  constructor() {
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
  }

  /** Since the previous reading (or since the monitor started). */
  read(): ProcessReading {
    const now = performance.now();
    const cpu = process.cpuUsage(this.#cpu);
    const reading: ProcessReading = {
      cpu_seconds: (cpu.user + cpu.system) / 1e6,
      elapsed_seconds: (now - this.#at) / 1000,
      // The histogram is in nanoseconds; it includes the sampling resolution (10 ms), as prom-client's does.
      event_loop_lag_p99_seconds: this.#delay.count ? this.#delay.percentile(99) / 1e9 : 0,
      start_time_seconds: (Date.now() - process.uptime() * 1000) / 1000,
    };
    this.#cpu = process.cpuUsage();
    this.#at = now;
    this.#delay.reset();
    return reading;
  }

  stop(): void {
    this.#delay.disable();
  }
}
