import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import type { Database } from '../db/index.js';
import { createError, KitErrors } from '../errors/index.js';
import { runMigrations, type Migration } from '../migrations/index.js';

/**
 * The platform's secrets (JWT signing key, ledger signing key, internal HMAC key): created once at first
 * start, stored encrypted in `platform.secrets`, shared by every replica through the database.
 *
 * Encryption: AES-256-GCM, a random 12-byte nonce per secret, the secret's name as additional
 * authenticated data (a row copied under another name does not decrypt); `ciphertext` is the encrypted
 * bytes followed by the 16-byte tag. The key is derived from MAXIMUS_SECRET with {@link SECRETS_HKDF}, or
 * read from a key file (embedded mode).
 */
export interface SecretStore {
  /**
   * The secret `name`, created with `create()` and stored when it does not exist yet. Concurrent callers,
   * in this process or others on the same database, all get the value that was stored first.
   * @throws KIT_ERR_SECRETS_UNDECRYPTABLE when the stored value was encrypted with another key.
   */
  getOrCreate(name: string, create: () => Buffer): Promise<Buffer>;
  /**
   * The secret `name`, or undefined when it was never created.
   * @throws KIT_ERR_SECRETS_UNDECRYPTABLE when the stored value was encrypted with another key.
   */
  get(name: string): Promise<Buffer | undefined>;
}

export interface SecretStoreOptions {
  db: Database;
  /** MAXIMUS_SECRET (connected mode). Exactly one of `secret` and `keyFile`. Use a high-entropy value, e.g. `openssl rand -hex 32`. */
  secret?: string;
  /** Embedded mode: a file of 32 random bytes in hex, created with mode 0600 when missing (see {@link secretsKeyFile}). */
  keyFile?: string;
  /**
   * Run the `platform` schema's migrations (the kit's and {@link secretsMigrations}) before use.
   * Pass false when the caller migrates the `platform` schema itself, with `secretsMigrations()` in its list.
   * @default true
   */
  migrate?: boolean;
}

export const SecretsErrors = {
  Undecryptable: createError(
    'KIT_ERR_SECRETS_UNDECRYPTABLE',
    'The platform secret %s cannot be decrypted: it was encrypted with another MAXIMUS_SECRET or key file',
    500,
  ),
  KeyFileInsecure: createError(
    'KIT_ERR_SECRETS_KEY_FILE_INSECURE',
    'The key file %s is accessible by group or others (mode %s); it holds the key of the platform secrets: run chmod 600 on it',
    500,
  ),
  KeyFileInvalid: createError('KIT_ERR_SECRETS_KEY_FILE_INVALID', 'The key file %s is not usable: %s', 500),
} as const;

/**
 * How the AES-256-GCM key is derived from MAXIMUS_SECRET: HKDF-SHA256 (RFC 5869) over the UTF-8 bytes of
 * the secret, with these fixed salt and info strings (UTF-8), 32 bytes long. Changing any of them makes
 * every stored secret undecryptable.
 */
export const SECRETS_HKDF = {
  hash: 'sha256',
  salt: 'maximus/platform-secrets/salt/v1',
  info: 'maximus/platform-secrets/aes-256-gcm/v1',
  length: 32,
} as const;

/** The schema that holds `secrets`. */
export const SECRETS_SCHEMA = 'platform';

/** The migration that creates `platform.secrets` (for callers that migrate the `platform` schema themselves). */
export function secretsMigrations(): Migration[] {
  return [
    {
      version: 'secrets:0001',
      name: 'secrets',
      sql: `CREATE TABLE {{schema}}.secrets (
  name text PRIMARY KEY,
  nonce bytea NOT NULL,
  ciphertext bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);`,
    },
  ];
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const NAME = /^[a-z0-9][a-z0-9._:-]{0,127}$/;

/** `<dataDir>/maximus.key`: the embedded mode's key file. */
export function secretsKeyFile(dataDir: string): string {
  return join(dataDir, 'maximus.key');
}

/**
 * The key source the configuration asks for: `{ secret }` when MAXIMUS_SECRET is set, else `{ keyFile }` in
 * embedded mode (no DATABASE_URL).
 * @throws KIT_ERR_CONFIG_INVALID in connected mode without MAXIMUS_SECRET.
 */
export function secretOptions(
  config: Pick<ResolvedConfig, 'dataDir' | 'databaseUrl'> & { readonly auth: Pick<ResolvedConfig['auth'], 'secret'> },
): { secret: string } | { keyFile: string } {
  if (config.auth.secret) return { secret: config.auth.secret };
  if (!config.databaseUrl) return { keyFile: secretsKeyFile(config.dataDir) };
  throw new KitErrors.ConfigInvalid('MAXIMUS_SECRET', 'connected mode needs it to encrypt the platform secrets');
}

/** The AES key for MAXIMUS_SECRET (see {@link SECRETS_HKDF}). */
function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync(SECRETS_HKDF.hash, Buffer.from(secret, 'utf8'), SECRETS_HKDF.salt, SECRETS_HKDF.info, SECRETS_HKDF.length));
}

function parseKeyFile(path: string, text: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new SecretsErrors.KeyFileInvalid(path, `expected ${KEY_BYTES} bytes as ${KEY_BYTES * 2} hex digits`);
  return Buffer.from(hex, 'hex');
}

/** Reads the key file, refusing one that group or others may access. */
async function readKeyFile(path: string): Promise<Buffer> {
  const info = await stat(path);
  if (!info.isFile()) throw new SecretsErrors.KeyFileInvalid(path, 'it is not a regular file');
  // POSIX permissions only: Windows reports synthetic modes.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new SecretsErrors.KeyFileInsecure(path, `0${(info.mode & 0o777).toString(8)}`);
  }
  return parseKeyFile(path, await readFile(path, 'utf8'));
}

/**
 * The key in `path`, created (32 random bytes, mode 0600) when the file is missing. The new file is
 * written beside it and hard-linked into place, so that two processes starting at once never see a
 * half-written file and both end with the one that was linked first.
 */
async function loadOrCreateKeyFile(path: string): Promise<Buffer> {
  try {
    return await readKeyFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${randomBytes(KEY_BYTES).toString('hex')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  return readKeyFile(path);
}

function bytes(value: unknown): Buffer {
  // `pg` returns a Buffer, PGlite a plain Uint8Array.
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('expected bytea');
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new TypeError(`invalid secret name "${name}": expected [a-z0-9][a-z0-9._:-]{0,127}`);
}

/**
 * Opens the secret store on `db` (creating `platform.secrets` when needed).
 * @example
 * const secrets = await openSecrets({ db, ...secretOptions(config) });
 * const hmacKey = await secrets.getOrCreate('internal-hmac-key', () => randomBytes(32));
 * @throws KIT_ERR_SECRETS_KEY_FILE_INSECURE when the key file is readable by group or others.
 * @throws KIT_ERR_SECRETS_KEY_FILE_INVALID when the key file does not hold 64 hex digits.
 */
export async function openSecrets(options: SecretStoreOptions): Promise<SecretStore> {
  const { db, secret, keyFile } = options;
  if ((secret === undefined) === (keyFile === undefined)) throw new TypeError('openSecrets needs exactly one of `secret` and `keyFile`');
  if (secret === '' || keyFile === '') throw new TypeError('openSecrets: `secret` or `keyFile` is empty');
  const key = secret !== undefined ? deriveKey(secret) : await loadOrCreateKeyFile(keyFile as string);
  if (options.migrate !== false) await runMigrations(db, SECRETS_SCHEMA, secretsMigrations());

  function encrypt(name: string, plaintext: Buffer): { nonce: Buffer; ciphertext: Buffer } {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { nonce, ciphertext };
  }

  function decrypt(name: string, nonce: Buffer, ciphertext: Buffer): Buffer {
    try {
      if (nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES) throw new Error('stored nonce or ciphertext has the wrong length');
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
      return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)), decipher.final()]);
    } catch (error) {
      // The cause is OpenSSL's "unable to authenticate data": no secret bytes in it.
      throw new SecretsErrors.Undecryptable(name, { cause: error });
    }
  }

  async function get(name: string): Promise<Buffer | undefined> {
    checkName(name);
    const { rows } = await db.query<{ nonce: unknown; ciphertext: unknown }>(
      `SELECT nonce, ciphertext FROM "${SECRETS_SCHEMA}".secrets WHERE name = $1`,
      [name],
    );
    const row = rows[0];
    return row ? decrypt(name, bytes(row.nonce), bytes(row.ciphertext)) : undefined;
  }

  return {
    get,
    async getOrCreate(name, create) {
      const existing = await get(name);
      if (existing) return existing;
      const value = create();
      if (!(value instanceof Uint8Array) || value.length === 0) throw new TypeError(`the creator of secret "${name}" must return a non-empty Buffer`);
      const { nonce, ciphertext } = encrypt(name, Buffer.from(value));
      await db.query(`INSERT INTO "${SECRETS_SCHEMA}".secrets (name, nonce, ciphertext) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, [name, nonce, ciphertext]);
      // Another process may have inserted first: everyone returns the stored value.
      const stored = await get(name);
      if (!stored) throw new Error(`secret "${name}" vanished right after it was stored`);
      return stored;
    },
  };
}
