import { defineCommand, ExitError } from '../../spec.js';
import { URL_OPTION } from '../../client.js';
import { painter } from '../../output.js';
import { describeApiError } from '../../errors.js';

interface EvidenceOptions {
  url?: string;
  databaseUrl?: string;
  json?: boolean;
}

export const evidence = defineCommand<EvidenceOptions>({
  name: 'evidence',
  summary: 'Verify the evidence ledger: replay every entry and check the signed root',
  description:
    'verify replays the whole log (GET /eikos/api/v1/ledger/entries, a page at a time, or the database with --database-url), ' +
    'recomputes every leaf hash and the Merkle root (RFC 6962), and checks them against the latest signed tree head and the ledger public key. ' +
    'Prints OK with the tree size and root, or the first bad index; exits 1 on a mismatch.',
  args: [{ name: 'action', description: 'verify', required: true, choices: ['verify'] }],
  options: [
    URL_OPTION,
    { flags: '--database-url <url>', description: 'read the log from PostgreSQL instead of the gateway (needs MAXIMUS_SECRET)' },
    { flags: '--json', description: 'machine-readable output' },
  ],
  examples: [
    { command: 'maximus evidence verify', explains: 'replay the ledger of the local gateway' },
    { command: 'maximus evidence verify --url https://maximus.example.com --json', explains: 'a remote gateway, as JSON' },
    { command: 'MAXIMUS_SECRET=… maximus evidence verify --database-url postgres://…', explains: 'straight from the database' },
  ],
  async run(_args, options, io) {
    const [{ verifyLog }, sources] = await Promise.all([import('./verify.js'), import('./sources.js')]);
    let source;
    try {
      source = options.databaseUrl ? await sources.databaseSource(options.databaseUrl, io) : await sources.apiSource(options, io);
    } catch (error) {
      throw describeApiError(error);
    }
    try {
      const result = await verifyLog(source);
      if (options.json) {
        io.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } else {
        const c = painter(io.stdout);
        io.stdout.write(
          result.ok
            ? `${c.green('OK')}  ${result.tree_size} entries, root ${result.root_hash}\n    signature verified with key ${result.key_id}\n`
            : `${c.red('MISMATCH')}  ${result.problem ?? ''}\n    first bad index: ${result.first_bad_index ?? 'unknown'}\n    signed root   ${result.root_hash} (${result.tree_size} entries)\n    replayed root ${result.computed_root || '-'}\n`,
        );
      }
      return result.ok ? 0 : 1;
    } catch (error) {
      if (error instanceof ExitError) throw error;
      throw describeApiError(error);
    } finally {
      await source.close();
    }
  },
});
