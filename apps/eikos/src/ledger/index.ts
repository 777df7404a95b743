import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ServiceContext } from '@maximus/kit/service';
import { openSecrets, secretOptions } from '@maximus/kit/secrets';
import { LedgerStore } from './store.js';
import { TreeHeads } from './tree-heads.js';

export { LedgerStore, type AppendInput, type StoredEntry, type StoredEntryWithBytes } from './store.js';
export { TreeHeads } from './tree-heads.js';
export { analyze, setForensicsWorker, verifyLedger, type VerifyOptions } from './forensics.js';
export { VerifyCore, type RawEntryRow, type RawNodeRow, type VerifyCoreResult } from './verify-core.js';
export { toWireEntry } from './wire.js';

/** Name of the ledger's Ed25519 signing key (PKCS#8 DER) in the platform secret store. */
export const LEDGER_KEY_SECRET = 'ledger-signing-key';

export interface Ledger {
  readonly store: LedgerStore;
  readonly heads: TreeHeads;
}

/**
 * The ledger's signing key: created at first start in the platform secret store (encrypted with MAXIMUS_SECRET,
 * or the data directory's key file when embedded), so every replica signs with the same key.
 */
export async function loadLedgerKey(ctx: Pick<ServiceContext, 'db' | 'config'>): Promise<KeyObject> {
  const secrets = await openSecrets({ db: ctx.db, ...secretOptions(ctx.config) });
  const der = await secrets.getOrCreate(LEDGER_KEY_SECRET, () => generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`secret ${LEDGER_KEY_SECRET} holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not Ed25519`);
  return key;
}

const ledgers = new WeakMap<ServiceContext, Promise<Ledger>>();

/** The ledger of a service context: one store (one writer loop) shared by the routes and the bus consumer. */
export function ledgerOf(ctx: ServiceContext): Promise<Ledger> {
  let ledger = ledgers.get(ctx);
  if (!ledger) {
    ledger = (async () => {
      const privateKey = await loadLedgerKey(ctx);
      const store = new LedgerStore(ctx.db);
      return { store, heads: new TreeHeads({ db: ctx.db, store, privateKey, log: ctx.log }) };
    })();
    ledger.catch(() => ledgers.delete(ctx));
    ledgers.set(ctx, ledger);
  }
  return ledger;
}
