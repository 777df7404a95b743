import type { ApiKeyInfo } from '@maximus/contracts';
import { ROLES, type Role } from '@maximus/contracts/roles';
import { defineCommand, ExitError } from '../../spec.js';
import { gatewayClient, URL_OPTION } from '../../client.js';
import { painter, table } from '../../output.js';
import { describeApiError } from '../../errors.js';

interface KeysOptions {
  url?: string;
  role?: string;
  name?: string;
  bootstrap?: boolean;
  dataDir?: string;
  json?: boolean;
}

function role(value: string | undefined): Role {
  if (!value || !(ROLES as readonly string[]).includes(value)) throw new ExitError(`--role must be one of ${ROLES.join(', ')}`, 2);
  return value as Role;
}

export const keys = defineCommand<KeysOptions>({
  name: 'keys',
  summary: 'Create, list and revoke API keys (admin)',
  description:
    'create prints a new key once (it is stored only as a digest); list shows id, name, role, created and last used, never a secret; ' +
    'revoke <id> takes effect on the next request, on every gateway replica. --bootstrap creates an admin key directly in the ' +
    'database (DATABASE_URL, or the PGlite directory with --data-dir) without a running gateway: the first key of a connected deployment.',
  args: [
    { name: 'action', description: 'create, list or revoke', required: true, choices: ['create', 'list', 'revoke'] },
    { name: 'id', description: 'the key to revoke' },
  ],
  options: [
    URL_OPTION,
    { flags: '--role <role>', description: 'create: admin, operator or readonly' },
    { flags: '--name <name>', description: 'create: a name to recognise the key by' },
    { flags: '--bootstrap', description: 'create: write the key straight into the database (no gateway needed)' },
    { flags: '--data-dir <dir>', description: '--bootstrap without DATABASE_URL: the PGlite data directory', env: 'MAXIMUS_DATA_DIR' },
    { flags: '--json', description: 'machine-readable output' },
  ],
  examples: [
    { command: 'maximus keys create --role operator --name ci-bot', explains: 'a key for CI, printed once' },
    { command: 'maximus keys list', explains: 'every key, never a secret' },
    { command: 'maximus keys revoke 3f2a9c1b0d4e', explains: 'refused from the next request on' },
    { command: 'DATABASE_URL=postgres://… MAXIMUS_SECRET=… maximus keys create --role admin --bootstrap', explains: 'the first admin key of a connected deployment' },
  ],
  async run(args, options, io) {
    const [action, id] = args;
    if (action === 'create' && options.bootstrap) {
      const { bootstrapApiKey } = await import('@maximus/gateway');
      const created = await bootstrapApiKey({ env: io.env, ...(options.dataDir ? { dataDir: options.dataDir } : {}) }, { name: options.name ?? 'bootstrap-admin', role: role(options.role ?? 'admin') });
      io.stdout.write(options.json ? JSON.stringify(created, null, 2) + '\n' : `${created.role} API key: ${created.key}\n(shown once: store it now)\n`);
      return 0;
    }
    const { client } = gatewayClient(options, io, { maxRetries: 1 });
    try {
      if (action === 'create') {
        const created = await client.keys.create({ name: options.name ?? 'unnamed', role: role(options.role) });
        io.stdout.write(options.json ? JSON.stringify(created, null, 2) + '\n' : `${created.role} API key: ${created.key}\n(id ${created.id}; shown once: store it now)\n`);
        return 0;
      }
      if (action === 'list') {
        const list = await client.keys.list();
        io.stdout.write(options.json ? JSON.stringify(list, null, 2) + '\n' : renderKeys(list, io.stdout));
        return 0;
      }
      if (!id) throw new ExitError('keys revoke needs the id of the key (see maximus keys list)', 2);
      const revoked = await client.keys.revoke(id);
      io.stdout.write(options.json ? JSON.stringify(revoked, null, 2) + '\n' : `revoked ${revoked.id} (${revoked.name}, ${revoked.role})\n`);
      return 0;
    } catch (error) {
      throw describeApiError(error);
    } finally {
      await client.close();
    }
  },
});

function renderKeys(list: readonly ApiKeyInfo[], stream: NodeJS.WriteStream): string {
  const c = painter(stream);
  const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');
  return table(
    ['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'STATE'],
    list.map((k) => [k.id, k.name, k.role, when(k.created_at), when(k.last_used_at), k.revoked_at ? c.red('revoked') : c.green('active')]),
  );
}
