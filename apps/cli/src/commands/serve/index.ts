import { SERVICES, SERVICE_NAMES, isServiceName } from '@maximus/contracts/services';
import { defineCommand, ExitError } from '../../spec.js';
import { listenOptions } from '../shared.js';

interface ServeOptions {
  host?: string;
  port?: string;
  insecureHttp?: boolean;
}

export const serve = defineCommand<ServeOptions>({
  name: 'serve',
  summary: 'Run one service alone on its own port (or the gateway, routing to services by URL)',
  description:
    'Connected mode building block. A service uses PostgreSQL, Redis and NATS when DATABASE_URL, REDIS_URL and NATS_URL are set; ' +
    'without DATABASE_URL it opens its own PGlite directory <MAXIMUS_DATA_DIR>/<service>, which a second process cannot open. ' +
    `The gateway routes /<service>/* to MAXIMUS_<SERVICE>_URL. Ports: gateway 8000, ${SERVICE_NAMES.map((n) => `${n} ${SERVICES[n].port}`).join(', ')}.`,
  args: [{ name: 'service', description: 'gateway, or one of the services', required: true, choices: ['gateway', ...SERVICE_NAMES] }],
  options: listenOptions('the port from the service table'),
  examples: [
    { command: 'maximus serve core', explains: 'core alone on 127.0.0.1:8100' },
    { command: 'DATABASE_URL=postgres://localhost/maximus maximus serve penelope', explains: 'penelope on PostgreSQL' },
    { command: 'maximus serve gateway', explains: 'the gateway on :8000, routing to http://127.0.0.1:<port> of each service' },
  ],
  async run(args, options, io) {
    const [{ runConnected }, { runService }, { redactUrl }, { SERVICE_DEFINITIONS }] = await Promise.all([
      import('@maximus/gateway'),
      import('@maximus/kit/service'),
      import('@maximus/kit/logger'),
      import('../../services.js'),
    ]);
    const name = args[0] ?? '';
    const common = {
      env: io.env,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: Number(options.port) } : {}),
      insecureHttp: options.insecureHttp ?? false,
    };
    if (name === 'gateway') {
      const running = await runConnected(common);
      io.stderr.write(
        `MAXIMUS gateway (connected): ${running.url}\n` +
          SERVICE_NAMES.map((n) => `  /${n.padEnd(9)} → ${redactUrl(running.config.serviceUrls[n])}`).join('\n') +
          '\n',
      );
      await io.interrupted;
      await running.close();
      return 0;
    }
    if (!isServiceName(name)) throw new ExitError(`unknown service "${name}": choose gateway or one of ${SERVICE_NAMES.join(', ')}`, 2);
    const running = await runService(SERVICE_DEFINITIONS[name], common);
    const { config } = running.platform;
    io.stderr.write(
      `MAXIMUS ${name}: ${running.url}  (database ${config.databaseUrl ? redactUrl(config.databaseUrl) : `PGlite ${config.dataDir}/${name}`}, ` +
        `cache ${running.platform.cache.kind}, bus ${running.platform.bus.kind})\n`,
    );
    await io.interrupted;
    await running.close();
    return 0;
  },
});
