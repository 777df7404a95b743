import { relative } from 'node:path';
import { defineCommand, ExitError } from '../../spec.js';
import type { ClientRole, DevCertificates } from './dev.js';

interface CertsOptions {
  out: string;
  host?: string[];
  client: string;
  clientRole: string;
  json?: boolean;
}

const ROLES = ['admin', 'operator', 'readonly'];

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

/** The human summary of `maximus certs dev`: what was written and how to use it. */
export function renderDevCertificates(result: DevCertificates, hosts: readonly string[], client: string, role: string): string {
  const show = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel && !rel.startsWith('..') ? rel : path;
  };
  const exports = Object.entries(result.env).map(([name, value]) => `  export ${name}=${shellQuote(value)}`);
  return [
    `Development certificates in ${result.dir}${result.caReused ? ' (existing CA reused)' : ''}`,
    `  ca.crt, ca.key          development CA, ${result.caReused ? 'kept' : '1 year'}: trust ca.crt in clients, keep ca.key private`,
    `  server.crt, server.key  ${['localhost', '127.0.0.1', '::1', ...hosts].join(', ')}; 90 days; serial ${result.serials.server}`,
    `  client.crt, client.key  CN=${client} OU=${role}: the mTLS principal user:${client} (${role}); 90 days`,
    '',
    'Gateway (TLS 1.3 only, HTTP/2 and HTTP/1.1; client certificates optional):',
    ...exports,
    '  maximus up                                # MAXIMUS_TLS_CLIENT_AUTH=require to refuse clients without one',
    '',
    'SDK (@maximus/sdk):',
    "  import { readFileSync } from 'node:fs';",
    '  const client = new Maximus({',
    "    baseURL: 'https://localhost:8000',",
    `    tls: { ca: readFileSync('${show(result.ca)}'), cert: readFileSync('${show(result.clientCert)}'), key: readFileSync('${show(result.clientKey)}') },`,
    '  });',
    '',
    'Other clients:',
    `  curl --cacert ${shellQuote(show(result.ca))} --cert ${shellQuote(show(result.clientCert))} --key ${shellQuote(show(result.clientKey))} https://localhost:8000/health`,
    `  NODE_EXTRA_CA_CERTS=${shellQuote(show(result.ca))} maximus health --url https://localhost:8000`,
    '',
    'Run it again to renew the server and client certificates from the same CA: a running gateway loads them',
    'without a restart (file change or SIGHUP).',
    '',
  ].join('\n');
}

export const certs = defineCommand<CertsOptions>({
  name: 'certs',
  summary: 'Make development TLS certificates (CA, server, client for mTLS)',
  description:
    '`maximus certs dev` writes a development CA (ca.crt, ca.key), a server certificate for localhost, 127.0.0.1, ::1 and the ' +
    '--host names (server.crt, server.key) and a client certificate whose CN and OU become the mTLS principal and role ' +
    '(client.crt, client.key), all ECDSA P-256, keys mode 0600: the server and client certificates valid 90 days, the CA one year. ' +
    'A CA already in --out is reused. Needs the `openssl` command. For development only: use your own PKI in production.',
  args: [{ name: 'action', description: 'what to make', required: true, choices: ['dev'] }],
  options: [
    { flags: '--out <dir>', description: 'directory to write to', default: '.maximus/certs' },
    { flags: '--host <name...>', description: 'more DNS names or IP addresses for the server certificate (repeatable)' },
    { flags: '--client <name>', description: 'CN of the client certificate (the principal user:<name>)', default: 'developer' },
    { flags: '--client-role <role>', description: 'OU of the client certificate: admin, operator or readonly', default: 'readonly' },
    { flags: '--json', description: 'print the paths (and the gateway variables) as JSON' },
  ],
  examples: [
    { command: 'maximus certs dev', explains: 'CA, server and client certificates in ./.maximus/certs, and the variables to set' },
    { command: 'maximus certs dev --host maximus.lan --host 10.0.0.5', explains: 'the server certificate also covers these names' },
    { command: 'maximus certs dev --client ci-bot --client-role operator --json', explains: 'a client certificate for an operator, paths as JSON' },
  ],
  async run(_args, options, io) {
    if (!ROLES.includes(options.clientRole)) throw new ExitError(`--client-role must be one of ${ROLES.join(', ')}, not "${options.clientRole}"`, 2);
    // Loaded here, not at the top: `maximus --help` stays quick to start.
    const { createDevCertificates } = await import('./dev.js');
    const hosts = options.host ?? [];
    let result: DevCertificates;
    try {
      result = await createDevCertificates({ out: options.out, hosts, client: options.client, clientRole: options.clientRole as ClientRole });
    } catch (error) {
      throw new ExitError((error as Error).message, 1, { cause: error });
    }
    io.stdout.write(options.json ? JSON.stringify(result, null, 2) + '\n' : renderDevCertificates(result, hosts, options.client, options.clientRole));
    return 0;
  },
});
