import { readFileSync, watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SecureServerOptions } from 'node:http2';
import type { Socket } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { ROLES, type Principal, type Role } from '@maximus/contracts';
import { KitErrors } from '@maximus/kit/errors';
import type { ResolvedConfig } from '@maximus/kit/config';
import type { Logger } from '@maximus/kit/logger';

/** The TLS part of the configuration (MAXIMUS_TLS_*), when a certificate is configured. */
export type TlsConfig = NonNullable<ResolvedConfig['tls']>;

/** Fastify server options for the gateway with TLS: HTTP/2 and HTTP/1.1 by ALPN. */
export interface TlsServerOptions {
  readonly http2: true;
  readonly https: SecureServerOptions;
}

/** The PEM material of a {@link TlsConfig}, read and checked. */
interface TlsMaterial {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly ca: Buffer | undefined;
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new KitErrors.ConfigInvalid(variable, `cannot read ${path} (${code})`);
  }
}

/**
 * Reads the certificate, key and client CA named by `tls` and checks that they make a usable context
 * (certificate parses, key parses and matches it, CA bundle parses).
 * @throws KIT_ERR_CONFIG_INVALID naming the variable (MAXIMUS_TLS_CERT, MAXIMUS_TLS_KEY, MAXIMUS_TLS_CLIENT_CA) at fault
 */
function readMaterial(tls: TlsConfig): TlsMaterial {
  const cert = readPem('MAXIMUS_TLS_CERT', tls.certPath);
  const key = readPem('MAXIMUS_TLS_KEY', tls.keyPath);
  const ca = tls.clientAuth !== 'off' && tls.clientCaPath ? readPem('MAXIMUS_TLS_CLIENT_CA', tls.clientCaPath) : undefined;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new KitErrors.ConfigInvalid('MAXIMUS_TLS_CERT', `${tls.certPath} is not a PEM certificate (${(error as Error).message})`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new KitErrors.ConfigInvalid('MAXIMUS_TLS_KEY', `${tls.keyPath} is not a PEM private key (${(error as Error).message})`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new KitErrors.ConfigInvalid('MAXIMUS_TLS_KEY', `${tls.keyPath} is not the key of the certificate ${tls.certPath} (MAXIMUS_TLS_CERT)`);
  }
  if (ca) {
    try {
      createSecureContext({ ca });
      new X509Certificate(ca);
    } catch (error) {
      throw new KitErrors.ConfigInvalid('MAXIMUS_TLS_CLIENT_CA', `${tls.clientCaPath ?? ''} is not a PEM CA bundle (${(error as Error).message})`);
    }
  }
  return { key, cert, ca };
}

function contextOptions(tls: TlsConfig, material: TlsMaterial): SecureContextOptions {
  return { key: material.key, cert: material.cert, minVersion: tls.minVersion, ...(material.ca ? { ca: material.ca } : {}) };
}

/**
 * Fastify server options (`Fastify({ ...tlsServerOptions(tls) })`) for the gateway with a certificate:
 * HTTP/2 with HTTP/1.1 allowed (ALPN offers `h2` and `http/1.1`), TLS 1.3 only unless
 * MAXIMUS_TLS_MIN_VERSION=1.2, and for mTLS the client CA with `requestCert` (a client certificate is
 * asked for; `clientAuth: 'require'` refuses a connection without a valid one, `'optional'` lets it
 * through unauthenticated by certificate). The files are read now.
 * @throws KIT_ERR_CONFIG_INVALID naming the variable whose file is missing, unreadable or not valid PEM
 */
export function tlsServerOptions(tls: TlsConfig): TlsServerOptions {
  const material = readMaterial(tls);
  const mtls = tls.clientAuth !== 'off';
  return {
    http2: true,
    https: {
      allowHTTP1: true,
      ...contextOptions(tls, material),
      requestCert: mtls,
      rejectUnauthorized: tls.clientAuth === 'require',
    },
  };
}

/** The part of a TLS server that {@link watchTls} needs (`tls.Server`, `http2.Http2SecureServer`). */
export interface ReloadableServer {
  setSecureContext(options: SecureContextOptions): void;
}

export interface WatchTlsOptions {
  /** Quiet time after the last file event before reloading (several files change together). @default 200 */
  debounceMs?: number;
  /** Also reload on SIGHUP. @default true */
  onSighup?: boolean;
}

/**
 * Reloads the certificate, key and client CA of `server` without a restart, on SIGHUP and when one of the
 * files changes (the directories holding them are watched, so that files replaced by rename and
 * Kubernetes' symlink swaps are seen too). New connections get the new certificate; open ones keep theirs.
 * A file that does not read or check (half written, key of another certificate) is logged and the
 * context in force is kept; the next change tries again.
 * @returns a function that stops watching (and removes the SIGHUP listener)
 */
export function watchTls(server: ReloadableServer, tls: TlsConfig, log: Logger, options: WatchTlsOptions = {}): () => void {
  const debounceMs = options.debounceMs ?? 200;
  const paths = [tls.certPath, tls.keyPath, ...(tls.clientAuth !== 'off' && tls.clientCaPath ? [tls.clientCaPath] : [])];
  let current = fingerprint(safeRead(paths));
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const reload = (reason: string) => {
    timer = undefined;
    if (stopped) return;
    let material: TlsMaterial;
    try {
      material = readMaterial(tls);
    } catch (error) {
      log.error({ err: error, reason }, 'TLS reload failed: keeping the certificate in force');
      return;
    }
    const next = fingerprint([material.cert, material.key, material.ca]);
    if (reason !== 'SIGHUP' && next === current) return;
    try {
      server.setSecureContext(contextOptions(tls, material));
    } catch (error) {
      log.error({ err: error, reason }, 'TLS reload failed: keeping the certificate in force');
      return;
    }
    current = next;
    const certificate = new X509Certificate(material.cert);
    log.info({ reason, serial: certificate.serialNumber, subject: certificate.subject, valid_to: certificate.validTo }, 'TLS certificate reloaded');
  };
  const schedule = (reason: string) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => reload(reason), reason === 'SIGHUP' ? 0 : debounceMs);
    timer.unref();
  };

  const onSighup = () => schedule('SIGHUP');
  if (options.onSighup !== false) process.on('SIGHUP', onSighup);

  const watchers: FSWatcher[] = [];
  const polled: string[] = [];
  const byDir = new Map<string, Set<string>>();
  for (const path of paths) {
    const names = byDir.get(dirname(path)) ?? new Set<string>();
    names.add(basename(path));
    byDir.set(dirname(path), names);
  }
  for (const [dir, names] of byDir) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        // null: the platform did not say which file; `..data`: a Kubernetes secret's atomic symlink swap.
        if (filename === null || names.has(filename) || filename.startsWith('..')) schedule('file change');
      });
      watcher.on('error', (error) => log.warn({ err: error, dir }, 'TLS file watch failed: reload with SIGHUP'));
      watchers.push(watcher);
    } catch {
      // A directory that cannot be watched (some network filesystems): poll its files instead.
      for (const name of names) {
        const path = join(dir, name);
        watchFile(path, { persistent: false, interval: 2000 }, () => schedule('file change'));
        polled.push(path);
      }
    }
  }

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    process.off('SIGHUP', onSighup);
    for (const watcher of watchers) watcher.close();
    for (const path of polled) unwatchFile(path);
  };
}

function safeRead(paths: readonly string[]): (Buffer | undefined)[] {
  return paths.map((path) => {
    try {
      return readFileSync(path);
    } catch {
      return undefined;
    }
  });
}

function fingerprint(parts: readonly (Buffer | undefined)[]): string {
  return parts.map((part) => (part ? part.toString('base64') : '-')).join('|');
}

/** What {@link principalFromCertificate} reads of a connection: a `tls.TLSSocket` (or HTTP/2's proxy of one). */
export interface CertificateSocket {
  readonly authorized?: boolean;
  /** Node gives an array for an attribute with several values (two OUs), whatever `PeerCertificate`'s types say. */
  getPeerCertificate?(detailed?: boolean): { readonly subject?: Readonly<Record<string, string | string[] | undefined>> };
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The principal a client certificate stands for (mTLS), or undefined when the connection carries no
 * certificate the server verified against MAXIMUS_TLS_CLIENT_CA (`socket.authorized` false, plain HTTP,
 * no certificate). The mapping:
 *
 * | certificate subject           | principal                                       |
 * |-------------------------------|-------------------------------------------------|
 * | `CN` (exactly one value)      | `id: 'user:<CN>'`, `subject: '<CN>'`            |
 * | `OU` = admin/operator/readonly| `role`: that role                               |
 * | `OU` absent, other, several   | `role: 'readonly'` (least privilege)            |
 * | always                        | `kind: 'user'`, `via: 'mtls'`                   |
 *
 * A certificate without exactly one CN yields undefined. `maximus certs dev --client <name> --client-role <role>`
 * issues certificates of this shape. Call it from the authentication hook with `request.socket`.
 * @example
 * const principal = principalFromCertificate(request.socket); // { id: 'user:ci-bot', role: 'operator', via: 'mtls', … }
 */
export function principalFromCertificate(socket: Socket | CertificateSocket | null | undefined): Principal | undefined {
  const tls = socket as CertificateSocket | null | undefined;
  if (!tls || tls.authorized !== true || typeof tls.getPeerCertificate !== 'function') return undefined;
  const subject = tls.getPeerCertificate(false).subject;
  const cn = single(subject?.CN);
  if (!cn) return undefined;
  const ou = single(subject?.OU);
  const role: Role = ou !== undefined && (ROLES as readonly string[]).includes(ou) ? (ou as Role) : 'readonly';
  return { id: `user:${cn}`, kind: 'user', role, via: 'mtls', subject: cn };
}

/** A plain-HTTP listener serving the same Fastify instance as the TLS one (MAXIMUS_HTTP_PORT). */
export interface PlainListener {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `app` (ready, routes registered) over plain HTTP/1.1 on `host:port` as well: the extra listener
 * of MAXIMUS_HTTP_PORT beside the TLS one. The caller decides the host (loopback unless --insecure-http).
 */
export async function listenPlainHttp(app: FastifyInstance, host: string, port: number): Promise<PlainListener> {
  await app.ready();
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => app.routing(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
