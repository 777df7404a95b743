import type { FastifyInstance } from 'fastify';
import { isLoopback, type ResolvedConfig } from '@maximus/kit/config';
import type { Logger } from '@maximus/kit/logger';
import { assertListenAllowed } from '@maximus/kit/service';
import { listenPlainHttp, tlsServerOptions, watchTls, type PlainListener, type ReloadableServer, type TlsServerOptions } from './index.js';

/** How the gateway listens (ARCHITECTURE.md, "Listening"), decided before anything else starts. */
export interface GatewayListener {
  /** The Fastify server options to build the gateway with: TLS + HTTP/2, or undefined for plain HTTP. */
  readonly serverOptions: TlsServerOptions | undefined;
  /**
   * Listens: with TLS, TLS only on `host:port` (certificate reloaded on SIGHUP and file change), plus plain HTTP on
   * MAXIMUS_HTTP_PORT when set (loopback unless --insecure-http); without TLS, plain HTTP on `host:port`.
   * @returns the gateway's URL (`https://…` with TLS)
   */
  listen(app: FastifyInstance, port: number, log: Logger): Promise<string>;
  /** Stops what {@link listen} added beside `app` (reload watcher, plain listener); `app.close()` stays the caller's. */
  close(): Promise<void>;
}

/**
 * Checks the listening rules and reads the TLS files, before the platform starts: without a certificate,
 * a non-loopback `host` needs `insecureHttp`; with one, every address is allowed (TLS only).
 * @throws when the address is not allowed, or KIT_ERR_CONFIG_INVALID naming the TLS variable whose file is missing or bad
 */
export function gatewayListener(config: ResolvedConfig, host: string, insecureHttp: boolean | undefined): GatewayListener {
  const tls = config.tls;
  if (!tls) assertListenAllowed(host, insecureHttp);
  const serverOptions = tls ? tlsServerOptions(tls) : undefined;
  let stopWatching: (() => void) | undefined;
  let plain: PlainListener | undefined;
  return {
    serverOptions,
    async listen(app, port, log) {
      const url = await app.listen({ host, port });
      if (!tls) return url;
      stopWatching = watchTls(app.server as unknown as ReloadableServer, tls, log);
      log.info({ url, min_version: tls.minVersion, client_auth: tls.clientAuth }, 'TLS: HTTP/2 and HTTP/1.1');
      if (config.httpPort !== undefined) {
        const plainHost = isLoopback(host) || insecureHttp ? host : '127.0.0.1';
        assertListenAllowed(plainHost, insecureHttp);
        plain = await listenPlainHttp(app, plainHost, config.httpPort);
        log.warn({ url: plain.url }, 'plain HTTP listener (MAXIMUS_HTTP_PORT) beside TLS');
      }
      return url;
    },
    async close() {
      stopWatching?.();
      stopWatching = undefined;
      await plain?.close();
      plain = undefined;
    },
  };
}
