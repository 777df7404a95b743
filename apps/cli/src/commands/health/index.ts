import { Maximus, MaximusError } from '@maximus/sdk';
import type { AggregateHealth, HealthStatus, ServiceHealthEntry } from '@maximus/contracts';
import { defineCommand, ExitError } from '../../spec.js';
import { painter, table } from '../../output.js';

interface HealthOptions {
  url?: string;
  json?: boolean;
  watch?: string | boolean;
}

/** Latency colours: green under 50 ms, yellow above, red when the service is down. */
export const SLOW_MS = 50;

export function renderHealth(health: AggregateHealth, stream: NodeJS.WriteStream): string {
  const c = painter(stream);
  const status = (s: HealthStatus) => (s === 'healthy' ? c.green : s === 'degraded' ? c.yellow : c.red)(s.toUpperCase());
  const latency = (e: ServiceHealthEntry) => {
    const text = `${e.latency_ms.toFixed(1)} ms`;
    return e.status === 'down' ? c.red(text) : e.latency_ms < SLOW_MS ? c.green(text) : c.yellow(text);
  };
  const components = (e: ServiceHealthEntry) =>
    e.error
      ? c.red(e.error)
      : Object.entries(e.components)
          .map(([name, comp]) => `${name}:${comp.kind} ${comp.status === 'healthy' ? c.green('✓') : comp.status === 'degraded' ? c.yellow('~') : c.red('✗')}`)
          .join('  ');
  const rows = Object.entries(health.services).map(([name, e]) => [name + (e.critical ? '*' : ''), status(e.status), latency(e), components(e)]);
  return (
    `MAXIMUS ${status(health.status)}  (${health.mode}, gateway ${health.version}, up ${Math.round(health.uptime_seconds)} s)\n\n` +
    table(['SERVICE', 'STATUS', 'LATENCY', 'COMPONENTS'], rows) +
    '\n* critical: the platform is DOWN when one of these is down\n'
  );
}

/** Exit codes: 0 when no critical service is down, 1 when one is, 2 when the gateway cannot be reached. */
export function exitCodeFor(health: AggregateHealth): number {
  return health.status === 'down' ? 1 : 0;
}

export const health = defineCommand<HealthOptions>({
  name: 'health',
  summary: 'Show the health of every service (from the gateway)',
  description:
    'Reads the gateway\'s aggregate GET /health. Exit code 0 when the platform is healthy or degraded, 1 when a critical service ' +
    '(core, penelope) is down, 2 when the gateway cannot be reached.',
  options: [
    { flags: '--url <url>', description: 'gateway URL', env: 'MAXIMUS_URL', default: undefined },
    { flags: '--json', description: 'print the raw JSON (for scripts)' },
    { flags: '--watch [seconds]', description: 'refresh every N seconds (default 2) until Ctrl-C' },
  ],
  examples: [
    { command: 'maximus health', explains: 'one table, then exit' },
    { command: 'maximus health --json | jq .services.core.status', explains: 'for scripts' },
    { command: 'maximus health --watch 5', explains: 'refresh every 5 s' },
  ],
  async run(_args, options, io) {
    const client = new Maximus({
      ...(options.url ? { baseURL: options.url } : {}),
      maxRetries: 1,
      timeout: 5_000,
      deadline: 10_000,
    });
    const once = async (): Promise<AggregateHealth> => {
      try {
        return await client.health();
      } catch (error) {
        const where = options.url ?? io.env.MAXIMUS_URL ?? 'http://127.0.0.1:8000';
        const reason = error instanceof MaximusError ? error.message : String(error);
        throw new ExitError(`cannot reach the MAXIMUS gateway at ${where}: ${reason}\n(start it with \`maximus up\`, or pass --url)`, 2, { cause: error });
      }
    };
    try {
      if (!options.watch) {
        const result = await once();
        io.stdout.write(options.json ? JSON.stringify(result, null, 2) + '\n' : renderHealth(result, io.stdout));
        return exitCodeFor(result);
      }
      const seconds = typeof options.watch === 'string' ? Number(options.watch) : 2;
      if (!Number.isFinite(seconds) || seconds <= 0) throw new ExitError(`--watch takes a positive number of seconds, not "${String(options.watch)}"`, 2);
      let stopped = false;
      void io.interrupted.then(() => {
        stopped = true;
      });
      let last = 0;
      while (!stopped) {
        let text: string;
        try {
          const result = await once();
          last = exitCodeFor(result);
          text = options.json ? JSON.stringify(result) + '\n' : renderHealth(result, io.stdout);
        } catch (error) {
          last = 2;
          text = (error as Error).message + '\n';
        }
        if (!options.json && io.stdout.isTTY) io.stdout.write('\x1b[2J\x1b[H');
        io.stdout.write(options.json ? text : `${text}\nrefreshing every ${seconds} s: Ctrl-C to stop\n`);
        await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), io.interrupted]);
      }
      return last;
    } finally {
      await client.close();
    }
  },
});
