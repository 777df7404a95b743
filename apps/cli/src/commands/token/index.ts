import { ROLES, type Role } from '@maximus/contracts/roles';
import { defineCommand, ExitError } from '../../spec.js';
import { gatewayClient, URL_OPTION } from '../../client.js';
import { describeApiError } from '../../errors.js';

interface TokenOptions {
  url?: string;
  role?: string;
  ttl?: string;
  subject?: string;
  json?: boolean;
}

export const token = defineCommand<TokenOptions>({
  name: 'token',
  summary: 'Mint a JWT signed with the platform key (admin)',
  description: 'token mint issues an EdDSA JWT that every gateway replica accepts until it expires. Send it as Authorization: Bearer <token> (MAXIMUS_TOKEN for the CLI and SDK).',
  args: [{ name: 'action', description: 'mint', required: true, choices: ['mint'] }],
  options: [
    URL_OPTION,
    { flags: '--role <role>', description: 'admin, operator or readonly' },
    { flags: '--ttl <duration>', description: 'lifetime: seconds or 90s, 15m, 1h, 7d', default: '1h' },
    { flags: '--subject <sub>', description: 'the token\'s subject (default: the caller)' },
    { flags: '--json', description: 'print the whole answer as JSON' },
  ],
  examples: [
    { command: 'maximus token mint --role readonly --ttl 1h', explains: 'a read-only token for an hour; prints the token alone' },
    { command: 'export MAXIMUS_TOKEN=$(maximus token mint --role operator --ttl 15m)', explains: 'use it from the CLI' },
  ],
  async run(_args, options, io) {
    if (!options.role || !(ROLES as readonly string[]).includes(options.role)) throw new ExitError(`--role must be one of ${ROLES.join(', ')}`, 2);
    const ttl = options.ttl ?? '1h';
    if (!/^\d+[smhd]?$/.test(ttl)) throw new ExitError(`--ttl takes seconds or a duration like 15m, 1h, 7d, not "${ttl}"`, 2);
    const { client } = gatewayClient(options, io, { maxRetries: 1 });
    try {
      const minted = await client.tokens.create({
        role: options.role as Role,
        ttl: /^\d+$/.test(ttl) ? Number(ttl) : ttl,
        ...(options.subject ? { subject: options.subject } : {}),
      });
      io.stdout.write(options.json ? JSON.stringify(minted, null, 2) + '\n' : minted.token + '\n');
      if (!options.json && io.stderr.isTTY) io.stderr.write(`${minted.role} token for ${minted.subject}, expires ${minted.expires_at}\n`);
      return 0;
    } catch (error) {
      throw describeApiError(error);
    } finally {
      await client.close();
    }
  },
});
