import { SERVICE_NAMES } from '@maximus/contracts/services';
import { defineCommand } from '../../spec.js';
import { listenOptions, envWith } from '../shared.js';

interface UpOptions {
  host?: string;
  port?: string;
  dataDir?: string;
  insecureHttp?: boolean;
}

export const up = defineCommand<UpOptions>({
  name: 'up',
  summary: 'Start the whole platform in this process (gateway + all eight services)',
  description:
    'Embedded mode: one process, only the gateway listens (127.0.0.1:8000 by default); every service is mounted in process ' +
    'under /<service>/. State lives in one PGlite data directory, or in PostgreSQL/Redis/NATS when DATABASE_URL/REDIS_URL/NATS_URL are set.',
  options: [
    ...listenOptions('MAXIMUS_PORT (8000)'),
    { flags: '--data-dir <dir>', description: 'PGlite data directory', env: 'MAXIMUS_DATA_DIR', default: undefined },
  ],
  examples: [
    { command: 'maximus up', explains: 'start on 127.0.0.1:8000 with the data in ./.maximus/data' },
    { command: 'maximus up --port 9000 --data-dir /var/lib/maximus', explains: 'another port and data directory' },
  ],
  async run(_args, options, io) {
    // Loaded here, not at the top: `maximus --help` and `maximus health` stay quick to start.
    const [{ runEmbedded }, { SERVICE_DEFINITIONS }, { redactUrl }] = await Promise.all([
      import('@maximus/gateway'),
      import('../../services.js'),
      import('@maximus/kit/logger'),
    ]);
    const env = envWith(io.env, { MAXIMUS_DATA_DIR: options.dataDir });
    const running = await runEmbedded(
      SERVICE_NAMES.map((n) => SERVICE_DEFINITIONS[n]),
      { env, ...(options.host ? { host: options.host } : {}), ...(options.port ? { port: Number(options.port) } : {}), insecureHttp: options.insecureHttp ?? false },
    );
    const { config } = running;
    const base = running.url;
    const lines = [
      `MAXIMUS ${running.platform.mode} mode: ready in ${Math.round(running.readyMs)} ms`,
      `  gateway    ${base}`,
      `  health     ${base}/health    (maximus health)`,
      `  openapi    ${base}/openapi.json`,
      `  services   ${SERVICE_NAMES.map((n) => `/${n}`).join(' ')}   (each with /health /ready /metrics /openapi.json /api/v1)`,
      `  database   ${config.databaseUrl ? redactUrl(config.databaseUrl) : `PGlite at ${config.dataDir}`}`,
      `  cache      ${config.redisUrl ? redactUrl(config.redisUrl) : 'in-memory LRU'}`,
      `  bus        ${config.natsUrl ? `NATS JetStream ${redactUrl(config.natsUrl)}` : 'in-process, fed by each service outbox'}`,
    ];
    if (running.createdAdminKey) {
      const { saveApiKey } = await import('../../credentials.js');
      const path = saveApiKey(io.env, base, running.createdAdminKey);
      lines.push('', 'First start: an admin API key was created. It is shown this once:', `admin API key: ${running.createdAdminKey}`, `(saved for the CLI in ${path}, mode 0600)`);
    }
    if (!config.auth.enabled) lines.push('', 'WARNING: MAXIMUS_AUTH=off: every request is an anonymous admin. Local experiments only.');
    lines.push('Logs are JSON on stdout. Ctrl-C stops.');
    io.stderr.write(lines.join('\n') + '\n');
    const signal = await io.interrupted;
    running.log.info({ signal }, 'shutting down');
    await running.close();
    return 0;
  },
});
