import type { CommandIO } from '../../spec.js';
import { gatewayClient } from '../../client.js';
import type { LogSource } from './verify.js';

const PAGE = 1000;

/** The log through the gateway (`GET /eikos/api/v1/ledger/...`). */
export async function apiSource(options: { url?: string }, io: CommandIO): Promise<LogSource> {
  const { Ledger } = await import('@maximus/sdk');
  const { client } = gatewayClient(options, io, { maxRetries: 2 });
  const ledger = new Ledger(client);
  return {
    head: () => ledger.root(),
    publicKeyPem: async () => (await ledger.publicKey()).pem,
    pages: (from) => ledger.entries({ from, limit: PAGE }),
    consistency: async (from, to) => (await ledger.consistency({ from, to })).hashes,
    close: () => client.close(),
  };
}

/** The log straight from PostgreSQL (the public key is derived from the stored signing key: MAXIMUS_SECRET is needed). */
export async function databaseSource(databaseUrl: string, io: CommandIO): Promise<LogSource> {
  const [{ createPostgresDatabase }, { loadConfig }, eikos, { createPublicKey }] = await Promise.all([
    import('@maximus/kit/db'),
    import('@maximus/kit/config'),
    import('@maximus/eikos'),
    import('node:crypto'),
  ]);
  const db = createPostgresDatabase({ url: databaseUrl });
  try {
    const config = loadConfig({ ...io.env, DATABASE_URL: databaseUrl });
    const privateKey = await eikos.loadLedgerKey({ db, config });
    const store = new eikos.LedgerStore(db);
    const { TreeHeads } = eikos;
    const silent = (await import('@maximus/kit/logger')).createLogger({ level: 'silent' });
    const heads = new TreeHeads({ db, store, privateKey, log: silent });
    return {
      async head() {
        const head = await heads.latest();
        if (!head) throw new Error('the ledger has no signed tree head yet (eikos signs one within a second of the first append)');
        return head;
      },
      publicKeyPem: () => Promise.resolve(createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString()),
      async *pages(from) {
        const size = await store.size();
        for (let at = from; at < size; at += PAGE) {
          const rows = await store.page(at, Math.min(PAGE, size - at));
          yield { data: rows.map((e) => ({ index: e.index, bytes: e.bytes.toString('base64'), leaf_hash: e.leafHash.toString('hex') })), next: at + PAGE < size ? at + PAGE : null, tree_size: size };
        }
      },
      consistency: async (from, to) => (await store.consistency(from, to)).proof.map((h) => h.toString('hex')),
      close: () => db.close(),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
