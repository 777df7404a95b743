// Development certificates with the system's `openssl` (OpenSSL 1.1.1+ or LibreSSL): Node's crypto makes
// the ECDSA P-256 keys; openssl signs the X.509 certificates (Node cannot issue certificates by itself).
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLIENT_ROLES = ['admin', 'operator', 'readonly'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

/** Validity in days. */
export const VALIDITY_DAYS = { ca: 365, server: 90, client: 90 } as const;

export interface DevCertificatesOptions {
  /** Directory to write to (created, mode 0700). */
  out: string;
  /** Names and addresses the server certificate covers besides localhost, 127.0.0.1 and ::1. */
  hosts?: readonly string[];
  /** CN of the client certificate: the mTLS principal is `user:<client>`. @default 'developer' */
  client?: string;
  /** OU of the client certificate: the mTLS principal's role. @default 'readonly' */
  clientRole?: ClientRole;
  /** @default 'openssl' */
  openssl?: string;
}

/** Absolute paths of the files written. */
export interface DevCertificates {
  readonly dir: string;
  readonly ca: string;
  readonly caKey: string;
  /** True when `ca.crt`/`ca.key` were already there and signed the new certificates. */
  readonly caReused: boolean;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Serial numbers (hex) of the new server and client certificates. */
  readonly serials: { readonly server: string; readonly client: string };
  /** The gateway's variables for these files (mTLS optional). */
  readonly env: Readonly<Record<string, string>>;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** A subject alternative name for `host`, or an error message. */
function subjectAltName(host: string): string {
  if (isIP(host)) return `IP:${host}`;
  if (DNS_NAME.test(host) && host.length <= 253) return `DNS:${host}`;
  throw new Error(`--host "${host}" is neither a DNS name nor an IP address`);
}

function serial(): string {
  const bytes = randomBytes(16);
  // Positive (top bit clear) and without a leading zero byte, so that every tool prints the same 16 bytes.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex').toUpperCase();
}

/** Runs openssl; rejects with its stderr, or with a hint when it is not installed. */
function openssl(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`"${command}" was not found: \`maximus certs dev\` needs OpenSSL (Debian/Ubuntu: apt-get install openssl; macOS: it is preinstalled)`, { cause: error })
          : error,
      );
    });
    child.once('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`openssl ${args[0] ?? ''} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

function newKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Writes `content` to `path` through a temporary file and a rename, so that a watcher never sees it half written. */
function writeAtomic(path: string, content: string | Buffer, mode: number): void {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

function extensionsFile(sans: readonly string[]): string {
  return [
    '[req]',
    'distinguished_name = dn',
    '[dn]',
    '[ca]',
    'basicConstraints = critical, CA:TRUE, pathlen:0',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    '[server]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${sans.join(', ')}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '[client]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = clientAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
}

/**
 * Writes a development CA (`ca.crt`, `ca.key`; reused when `out` already holds one), a server certificate
 * for localhost, 127.0.0.1, ::1 and `hosts` (`server.crt`, `server.key`) and a client certificate
 * (`client.crt`, `client.key`; CN = `client`, OU = `clientRole`), all ECDSA P-256 / SHA-256, keys mode 0600.
 * Running it again on the same directory issues new server and client certificates from the same CA.
 * @throws when a host or the client name is not valid, or openssl fails or is missing
 */
export async function createDevCertificates(options: DevCertificatesOptions): Promise<DevCertificates> {
  const client = options.client ?? 'developer';
  const clientRole = options.clientRole ?? 'readonly';
  if (!CLIENT_NAME.test(client)) throw new Error(`--client "${client}": use letters, digits and . _ @ - (at most 64, starting with a letter or digit)`);
  if (!(CLIENT_ROLES as readonly string[]).includes(clientRole)) throw new Error(`--client-role must be one of ${CLIENT_ROLES.join(', ')}, not "${clientRole}"`);
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...(options.hosts ?? [])])];
  const sans = hosts.map(subjectAltName);
  const command = options.openssl ?? 'openssl';

  const dir = resolve(options.out);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = {
    ca: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
  const work = mkdtempSync(join(tmpdir(), 'maximus-certs-'));
  try {
    const cnf = join(work, 'openssl.cnf');
    writeFileSync(cnf, extensionsFile(sans), { mode: 0o600 });

    const caReused = existsSync(paths.ca) && existsSync(paths.caKey);
    if (!caReused) {
      if (existsSync(paths.ca) || existsSync(paths.caKey)) throw new Error(`${dir} holds only one of ca.crt and ca.key: remove it or use another --out`);
      const caKey = join(work, 'ca.key');
      writeFileSync(caKey, newKey(), { mode: 0o600 });
      const caCert = join(work, 'ca.crt');
      await openssl(command, [
        'req', '-new', '-x509', '-sha256', '-config', cnf, '-extensions', 'ca',
        '-key', caKey, '-subj', '/O=MAXIMUS development/CN=MAXIMUS development CA',
        '-days', String(VALIDITY_DAYS.ca), '-set_serial', `0x${serial()}`, '-out', caCert,
      ]);
      writeAtomic(paths.caKey, readFileSync(caKey), 0o600);
      writeAtomic(paths.ca, readFileSync(caCert), 0o644);
    }
    const ca = new X509Certificate(readFileSync(paths.ca));

    const issue = async (name: 'server' | 'client', subject: string, certPath: string, keyPath: string): Promise<string> => {
      const key = join(work, `${name}.key`);
      writeFileSync(key, newKey(), { mode: 0o600 });
      const csr = join(work, `${name}.csr`);
      const cert = join(work, `${name}.crt`);
      const number = serial();
      await openssl(command, ['req', '-new', '-sha256', '-config', cnf, '-key', key, '-subj', subject, '-out', csr]);
      await openssl(command, [
        'x509', '-req', '-sha256', '-in', csr, '-CA', paths.ca, '-CAkey', paths.caKey, '-set_serial', `0x${number}`,
        '-days', String(VALIDITY_DAYS[name]), '-extfile', cnf, '-extensions', name, '-out', cert,
      ]);
      const issued = new X509Certificate(readFileSync(cert));
      if (!issued.checkIssued(ca) || !issued.verify(ca.publicKey)) throw new Error(`the new ${name} certificate does not verify against ${paths.ca}`);
      // Key first, then certificate: a watcher that sees the new certificate finds its key already there.
      writeAtomic(keyPath, readFileSync(key), 0o600);
      writeAtomic(certPath, readFileSync(cert), 0o644);
      return issued.serialNumber;
    };
    const serverSerial = await issue('server', '/O=MAXIMUS development/CN=localhost', paths.serverCert, paths.serverKey);
    const clientSerial = await issue('client', `/OU=${clientRole}/CN=${client}`, paths.clientCert, paths.clientKey);
    return {
      dir,
      ...paths,
      caReused,
      serials: { server: serverSerial, client: clientSerial },
      env: {
        MAXIMUS_TLS_CERT: paths.serverCert,
        MAXIMUS_TLS_KEY: paths.serverKey,
        MAXIMUS_TLS_CLIENT_CA: paths.ca,
        MAXIMUS_TLS_CLIENT_AUTH: 'optional',
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
