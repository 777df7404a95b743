import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite, freshPostgres, tempDir, TEST_DATABASE_URL } from '../../../../test/helpers.js';
import { loadConfig } from '../config/index.js';
import { createPostgresDatabase, type Database } from '../db/index.js';
import { runMigrations } from '../migrations/index.js';
import { openSecrets, secretOptions, secretsKeyFile, secretsMigrations } from './index.js';

async function failure(promise: Promise<unknown>): Promise<{ code?: string; statusCode?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; statusCode?: number; message: string };
  }
  throw new Error('expected a failure');
}

async function storedRow(db: Database, name: string): Promise<{ nonce: Buffer; ciphertext: Buffer }> {
  const { rows } = await db.query<{ nonce: Uint8Array; ciphertext: Uint8Array }>('SELECT nonce, ciphertext FROM platform.secrets WHERE name = $1', [name]);
  expect(rows).toHaveLength(1);
  return { nonce: Buffer.from(rows[0]!.nonce), ciphertext: Buffer.from(rows[0]!.ciphertext) };
}

interface Target {
  /** The database under test. */
  db: Database;
  /** A second connection (pool) to the same database: what another replica would hold. */
  second(): Promise<Database>;
  cleanup(): Promise<void>;
}

function contract(open: () => Promise<Target>) {
  let target: Target;
  let db: Database;
  let other: Database;

  beforeAll(async () => {
    target = await open();
    db = target.db;
    other = await target.second();
  });
  afterAll(async () => {
    await target?.cleanup();
  });

  it('stores a secret and gives it back, to itself and to a second store with the same MAXIMUS_SECRET', async () => {
    const secrets = await openSecrets({ db, secret: 'round-trip secret' });
    const value = randomBytes(48);
    expect(await secrets.get('round-trip')).toBeUndefined();
    expect((await secrets.getOrCreate('round-trip', () => value)).equals(value)).toBe(true);
    // Created once: a later creator is not called and does not replace the value.
    expect((await secrets.getOrCreate('round-trip', () => randomBytes(48))).equals(value)).toBe(true);
    const again = await openSecrets({ db: other, secret: 'round-trip secret' });
    expect((await again.get('round-trip'))?.equals(value)).toBe(true);
  });

  it('stores AES-256-GCM ciphertext, not the plaintext, under the documented HKDF-SHA256 key', async () => {
    const secrets = await openSecrets({ db, secret: 'stored bytes secret' });
    const value = Buffer.from('plaintext that must not reach the database '.repeat(2));
    await secrets.getOrCreate('stored-bytes', () => value);
    const { nonce, ciphertext } = await storedRow(db, 'stored-bytes');
    expect(nonce).toHaveLength(12);
    expect(ciphertext).toHaveLength(value.length + 16);
    expect(ciphertext.includes(value.subarray(0, 16))).toBe(false);
    expect(ciphertext.toString('latin1')).not.toContain('plaintext');
    // Decrypt independently with the parameters documented in docs and the report: they are a contract.
    const key = Buffer.from(hkdfSync('sha256', Buffer.from('stored bytes secret'), 'maximus/platform-secrets/salt/v1', 'maximus/platform-secrets/aes-256-gcm/v1', 32));
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from('stored-bytes'));
    decipher.setAuthTag(ciphertext.subarray(-16));
    expect(Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]).equals(value)).toBe(true);
  });

  it('gives every racing caller of two stores (two connections) the same value', async () => {
    const [a, b] = await Promise.all([openSecrets({ db, secret: 'race secret' }), openSecrets({ db: other, secret: 'race secret' })]);
    for (const name of ['race-1', 'race-2', 'race-3']) {
      let created = 0;
      const create = () => {
        created += 1;
        return randomBytes(32);
      };
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).getOrCreate(name, create)));
      // More than one creator ran, so the conflict path was exercised; all the same, all equal to what is stored.
      expect(created).toBeGreaterThan(1);
      const stored = await a.get(name);
      for (const result of results) expect(result.equals(stored!)).toBe(true);
    }
  });

  it('refuses to decrypt with another MAXIMUS_SECRET, and never overwrites the stored value', async () => {
    const right = await openSecrets({ db, secret: 'the right secret' });
    const value = randomBytes(32);
    await right.getOrCreate('wrong-key', () => value);
    const wrong = await openSecrets({ db: other, secret: 'another secret' });
    for (const attempt of [() => wrong.get('wrong-key'), () => wrong.getOrCreate('wrong-key', () => randomBytes(32))]) {
      const error = await failure(attempt());
      expect(error.code).toBe('KIT_ERR_SECRETS_UNDECRYPTABLE');
      expect(error.statusCode).toBe(500);
      expect(error.message).toContain('wrong-key');
      expect(error.message).toContain('another MAXIMUS_SECRET or key file');
      expect(error.message).not.toContain(value.toString('hex'));
    }
    expect((await right.get('wrong-key'))?.equals(value)).toBe(true);
  });

  it('binds a ciphertext to its name: a row copied under another name does not decrypt', async () => {
    const secrets = await openSecrets({ db, secret: 'aad secret' });
    await secrets.getOrCreate('aad-source', () => randomBytes(32));
    await db.query('INSERT INTO platform.secrets (name, nonce, ciphertext) SELECT $2, nonce, ciphertext FROM platform.secrets WHERE name = $1', ['aad-source', 'aad-copy']);
    expect((await failure(secrets.get('aad-copy'))).code).toBe('KIT_ERR_SECRETS_UNDECRYPTABLE');
  });
}

describe('secret store on PGlite', () => {
  contract(async () => {
    const db = await freshPglite();
    return { db, second: () => Promise.resolve(db), cleanup: () => db.close() };
  });
});

describe.skipIf(!TEST_DATABASE_URL)('secret store on PostgreSQL', () => {
  contract(async () => {
    const { db, url, drop } = await freshPostgres();
    const second = createPostgresDatabase({ url });
    return {
      db,
      second: () => Promise.resolve(second),
      async cleanup() {
        await second.close();
        await drop();
      },
    };
  });
});

describe('embedded key file', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshPglite();
    // As a caller that migrates the platform schema itself would (then openSecrets({ migrate: false })).
    await runMigrations(db, 'platform', secretsMigrations());
  });
  afterAll(async () => {
    await db?.close();
  });

  it('is created with mode 0600 when missing, and reused by the next start', async () => {
    const keyFile = secretsKeyFile(join(tempDir('keys'), 'data'));
    const first = await openSecrets({ db, keyFile, migrate: false });
    const mode = statSync(keyFile).mode & 0o777;
    expect(mode.toString(8)).toBe('600');
    const text = readFileSync(keyFile, 'utf8');
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    const value = await first.getOrCreate('key-file', () => randomBytes(32));
    const second = await openSecrets({ db, keyFile });
    expect((await second.get('key-file'))?.equals(value)).toBe(true);
    expect(readFileSync(keyFile, 'utf8')).toBe(text);
  });

  it('is created once when two stores start together', async () => {
    const keyFile = secretsKeyFile(tempDir('keys'));
    const [a, b] = await Promise.all([openSecrets({ db, keyFile, migrate: false }), openSecrets({ db, keyFile, migrate: false })]);
    const value = await a.getOrCreate('key-file-race', () => randomBytes(32));
    expect((await b.get('key-file-race'))?.equals(value)).toBe(true);
  });

  it('is refused when group or others can read it', async () => {
    const keyFile = join(tempDir('keys'), 'maximus.key');
    const hex = randomBytes(32).toString('hex');
    writeFileSync(keyFile, hex);
    chmodSync(keyFile, 0o644);
    const error = await failure(openSecrets({ db, keyFile }));
    expect(error.code).toBe('KIT_ERR_SECRETS_KEY_FILE_INSECURE');
    expect(error.message).toContain(keyFile);
    expect(error.message).toContain('0644');
    expect(error.message).not.toContain(hex);
  });

  it('is refused when it does not hold 32 bytes in hex', async () => {
    const keyFile = join(tempDir('keys'), 'maximus.key');
    writeFileSync(keyFile, 'not a key\n', { mode: 0o600 });
    expect((await failure(openSecrets({ db, keyFile }))).code).toBe('KIT_ERR_SECRETS_KEY_FILE_INVALID');
  });

  it('does not open a key file with a MAXIMUS_SECRET store\'s secrets', async () => {
    const withSecret = await openSecrets({ db, secret: 'connected secret' });
    await withSecret.getOrCreate('mixed', () => randomBytes(32));
    const withFile = await openSecrets({ db, keyFile: secretsKeyFile(tempDir('keys')) });
    expect((await failure(withFile.get('mixed'))).code).toBe('KIT_ERR_SECRETS_UNDECRYPTABLE');
  });
});

describe('secretOptions', () => {
  it('uses MAXIMUS_SECRET when set, in either mode', () => {
    expect(secretOptions(loadConfig({ MAXIMUS_SECRET: 's3cret' }))).toEqual({ secret: 's3cret' });
    expect(secretOptions(loadConfig({ MAXIMUS_SECRET: 's3cret', DATABASE_URL: 'postgres://h/db' }))).toEqual({ secret: 's3cret' });
  });

  it('uses <dataDir>/maximus.key in embedded mode without MAXIMUS_SECRET', () => {
    const config = loadConfig({ MAXIMUS_DATA_DIR: '/var/lib/maximus' });
    expect(secretOptions(config)).toEqual({ keyFile: join('/var/lib/maximus', 'maximus.key') });
  });

  it('refuses connected mode without MAXIMUS_SECRET', () => {
    let error: { code?: string; message: string } | undefined;
    try {
      secretOptions(loadConfig({ DATABASE_URL: 'postgres://h/db' }));
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe('KIT_ERR_CONFIG_INVALID');
    expect(error?.message).toContain('MAXIMUS_SECRET');
    expect(error?.message).toContain('connected mode needs it to encrypt the platform secrets');
  });
});
