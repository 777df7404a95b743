import { X509Certificate } from 'node:crypto';
import { copyFileSync, cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SERVICE_NAMES } from '@maximus/contracts';
import { loadConfig } from '@maximus/kit/config';
import { createLogger } from '@maximus/kit/logger';
import { createServer } from '@maximus/kit/service';
import { principalFromCertificate, runEmbedded, tlsServerOptions, watchTls, type RunningGateway } from '@maximus/gateway';
import { program, SERVICE_DEFINITIONS } from '@maximus/cli';
import { Maximus } from '@maximus/sdk';
import { freshPgliteDir, silentLog, tempDir } from './helpers.js';

interface DevCertificates {
  dir: string;
  ca: string;
  caKey: string;
  caReused: boolean;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  serials: { server: string; client: string };
  env: Record<string, string>;
}

/** `maximus certs dev … --json`, in process. */
async function certsDev(args: string[]): Promise<DevCertificates> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const err = new PassThrough();
  let exit = -1;
  const io = { stdout: out as unknown as NodeJS.WriteStream, stderr: err as unknown as NodeJS.WriteStream, env: {}, interrupted: new Promise<NodeJS.Signals>(() => {}) };
  await program(io, (code) => (exit = code)).parseAsync(['certs', 'dev', '--json', ...args], { from: 'user' });
  expect(exit).toBe(0);
  return JSON.parse(text) as DevCertificates;
}

/** A TLS handshake: the version and the server certificate's serial, or the handshake's error. */
function handshake(port: number, options: ConnectionOptions): Promise<{ protocol: string | null; serial: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...options });
    socket.once('secureConnect', () => resolve({ protocol: socket.getProtocol(), serial: socket.getPeerCertificate().serialNumber, socket }));
    socket.once('error', reject);
  });
}

async function serialOf(port: number, ca: Buffer): Promise<string> {
  const { serial, socket } = await handshake(port, { ca });
  socket.destroy();
  return serial;
}

interface Answer {
  status: number;
  body: string;
  alpn: string | false | null | undefined;
  httpVersion?: string;
}

/** GET over HTTPS/1.1 (a fresh connection each time). */
function httpsGet(url: string, options: { ca: Buffer; cert?: Buffer; key?: Buffer; ALPNProtocols?: string[] }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ...options, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn: (res.socket as TLSSocket).alpnProtocol, httpVersion: res.httpVersion }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET over HTTP/2 (a session of its own unless one is given). */
async function h2Get(origin: string, path: string, options: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<Answer> {
  const session = http2Connect(origin, options);
  try {
    return await new Promise<Answer>((resolve, reject) => {
      session.once('error', reject);
      const stream = session.request({ ':path': path });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.setEncoding('utf8').on('data', (c: string) => (body += c));
      stream.on('end', () => resolve({ status, body, alpn: session.alpnProtocol }));
      stream.on('error', reject);
    });
  } finally {
    session.close();
  }
}

/** Plain HTTP/1.1 GET. */
function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}

const definitions = SERVICE_NAMES.map((n) => SERVICE_DEFINITIONS[n]);
/** The second and third gateways test only the handshake: the two critical services are enough. */
const critical = [SERVICE_DEFINITIONS.core, SERVICE_DEFINITIONS.penelope];

function tlsEnv(certs: DevCertificates, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MAXIMUS_DATA_DIR: freshPgliteDir(),
    MAXIMUS_LOG_LEVEL: 'silent',
    MAXIMUS_TLS_CERT: certs.serverCert,
    MAXIMUS_TLS_KEY: certs.serverKey,
    MAXIMUS_TLS_CLIENT_CA: certs.ca,
    ...extra,
  };
}

/** A copy of the certificate directory (so that a reload test changes only its own files). */
function copyCerts(certs: DevCertificates, name: string): DevCertificates {
  const dir = join(tempDir(name), 'certs');
  cpSync(certs.dir, dir, { recursive: true });
  const moved = (p: string) => join(dir, p.slice(certs.dir.length + 1));
  return { ...certs, dir, ca: moved(certs.ca), caKey: moved(certs.caKey), serverCert: moved(certs.serverCert), serverKey: moved(certs.serverKey), clientCert: moved(certs.clientCert), clientKey: moved(certs.clientKey) };
}

describe('TLS at the gateway', () => {
  let certs: DevCertificates;
  let ca: Buffer;
  let clientCert: Buffer;
  let clientKey: Buffer;
  let main: RunningGateway; // defaults: TLS 1.3 only, client certificates optional, plain HTTP on MAXIMUS_HTTP_PORT
  let mainCerts: DevCertificates;
  let mainLines: Record<string, unknown>[];
  let legacy: RunningGateway; // MAXIMUS_TLS_MIN_VERSION=1.2
  let strict: RunningGateway; // MAXIMUS_TLS_CLIENT_AUTH=require
  const port = (g: RunningGateway) => Number(new URL(g.url).port);

  beforeAll(async () => {
    certs = await certsDev(['--out', join(tempDir('certs'), 'certs'), '--client', 'ci-bot', '--client-role', 'operator', '--host', 'maximus.test']);
    ca = readFileSync(certs.ca);
    clientCert = readFileSync(certs.clientCert);
    clientKey = readFileSync(certs.clientKey);
    mainCerts = copyCerts(certs, 'main');
    const captured = capturingLogger();
    mainLines = captured.lines;
    [main, legacy, strict] = await Promise.all([
      runEmbedded(definitions, { env: tlsEnv(mainCerts, { MAXIMUS_TLS_CLIENT_AUTH: 'optional', MAXIMUS_HTTP_PORT: '0' }), host: '127.0.0.1', port: 0, log: captured.log }),
      runEmbedded(critical, { env: tlsEnv(certs, { MAXIMUS_TLS_MIN_VERSION: '1.2' }), host: '127.0.0.1', port: 0 }),
      runEmbedded(critical, { env: tlsEnv(certs, { MAXIMUS_TLS_CLIENT_AUTH: 'require' }), host: '127.0.0.1', port: 0 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([main?.close(), legacy?.close(), strict?.close()]);
  });

  it('writes a CA, a server and a client certificate with `maximus certs dev`', () => {
    expect(certs.caReused).toBe(false);
    for (const key of [certs.caKey, certs.serverKey, certs.clientKey]) expect((statSync(key).mode & 0o777).toString(8)).toBe('600');
    const server = new X509Certificate(readFileSync(certs.serverCert));
    const client = new X509Certificate(clientCert);
    const authority = new X509Certificate(ca);
    expect(server.checkIssued(authority) && server.verify(authority.publicKey)).toBe(true);
    expect(client.checkIssued(authority) && client.verify(authority.publicKey)).toBe(true);
    expect(authority.ca).toBe(true);
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(server.subjectAltName).toContain('DNS:maximus.test');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.subjectAltName).toMatch(/IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
    expect(server.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(client.subject).toContain('CN=ci-bot');
    expect(client.subject).toContain('OU=operator');
    const days = (c: X509Certificate) => Math.round((Date.parse(c.validTo) - Date.parse(c.validFrom)) / 86_400_000);
    expect([days(server), days(client), days(authority)]).toEqual([90, 90, 365]);
    expect(certs.env).toMatchObject({ MAXIMUS_TLS_CERT: certs.serverCert, MAXIMUS_TLS_KEY: certs.serverKey, MAXIMUS_TLS_CLIENT_CA: certs.ca });
  });

  it('serves https:// and refuses a TLS 1.2-only client by default', async () => {
    expect(main.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await expect(handshake(port(main), { ca, maxVersion: 'TLSv1.2' })).rejects.toThrow(/version|protocol/i);
    const { protocol, socket } = await handshake(port(main), { ca });
    socket.destroy();
    expect(protocol).toBe('TLSv1.3');
  });

  it('accepts TLS 1.2 when MAXIMUS_TLS_MIN_VERSION=1.2', async () => {
    const { protocol, socket } = await handshake(port(legacy), { ca, maxVersion: 'TLSv1.2' });
    socket.destroy();
    expect(protocol).toBe('TLSv1.2');
  });

  it('answers no plain HTTP on the TLS port', async () => {
    await expect(httpGet(`http://127.0.0.1:${port(main)}/health`)).rejects.toThrow();
  });

  it('serves plain HTTP on MAXIMUS_HTTP_PORT only when asked, on loopback', async () => {
    const line = mainLines.find((l) => l.msg === 'plain HTTP listener (MAXIMUS_HTTP_PORT) beside TLS');
    expect(line?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await httpGet(`${String(line?.url)}/health`)).toBe(200);
    expect(mainLines.some((l) => l.msg === 'plain HTTP listener (MAXIMUS_HTTP_PORT) beside TLS' && l !== line)).toBe(false);
  });

  it('negotiates HTTP/2 by ALPN, and still speaks HTTP/1.1', async () => {
    const h2 = await h2Get(main.url, '/health', { ca });
    expect(h2.alpn).toBe('h2');
    expect(h2.status).toBe(200);
    expect(JSON.parse(h2.body)).toMatchObject({ service: 'gateway', status: 'healthy' });
    const h1 = await httpsGet(`${main.url}/health`, { ca, ALPNProtocols: ['http/1.1'] });
    expect([h1.status, h1.alpn, h1.httpVersion]).toEqual([200, 'http/1.1', '1.1']);
    const noAlpn = await httpsGet(`${main.url}/health`, { ca });
    expect(noAlpn.status).toBe(200);
  });

  it('with MAXIMUS_TLS_CLIENT_AUTH=require, refuses a client without a certificate and serves one with the dev client certificate', async () => {
    await expect(httpsGet(`${strict.url}/health`, { ca })).rejects.toThrow();
    await expect(h2Get(strict.url, '/health', { ca })).rejects.toThrow();
    const h1 = await httpsGet(`${strict.url}/health`, { ca, cert: clientCert, key: clientKey });
    expect(h1.status).toBe(200);
    const h2 = await h2Get(strict.url, '/health', { ca, cert: clientCert, key: clientKey });
    expect([h2.status, h2.alpn]).toEqual([200, 'h2']);
  });

  it('the SDK calls health() over TLS with a CA bundle and a client certificate', async () => {
    const client = new Maximus({ baseURL: strict.url, tls: { ca, cert: clientCert, key: clientKey }, maxRetries: 0, timeout: 5000 });
    try {
      expect((await client.health()).status).toBe('healthy');
    } finally {
      await client.close();
    }
    const trusting = new Maximus({ baseURL: main.url, tls: { ca }, maxRetries: 0, timeout: 5000 });
    try {
      expect((await trusting.health()).status).toBe('healthy');
    } finally {
      await trusting.close();
    }
    const untrusting = new Maximus({ baseURL: main.url, maxRetries: 0, timeout: 5000 });
    try {
      // Not retried: an untrusted certificate does not get better by asking again.
      await expect(untrusting.health()).rejects.toMatchObject({ code: 'SDK_ERR_REQUEST_INVALID', message: expect.stringMatching(/certificate/) });
    } finally {
      await untrusting.close();
    }
  });

  it('authenticates /api/ requests by the client certificate alone (CN ci-bot, OU operator)', async () => {
    const client = new Maximus({ baseURL: strict.url, tls: { ca, cert: clientCert, key: clientKey }, apiKey: null, token: null, maxRetries: 0, timeout: 5000 });
    try {
      // An operator may read, not manage keys: authenticated by the certificate, authorised by its OU.
      const read = await client.request({ method: 'GET', path: '/core/api/v1/anything' }).catch((e: unknown) => e);
      expect(read).toMatchObject({ status: 404 });
      await expect(client.keys.list()).rejects.toMatchObject({ status: 403, code: 'GATEWAY_ERR_AUTH_FORBIDDEN' });
    } finally {
      await client.close();
    }
  });

  it('reloads the certificate without a restart when its files change and on SIGHUP', async () => {
    const before = await serialOf(port(main), ca);
    expect(before).toBe(certs.serials.server);
    // A connection opened before the reload keeps working.
    const session = http2Connect(main.url, { ca });
    await new Promise((r) => session.once('connect', r));
    // A new server certificate from the same CA, copied over the gateway's files: the file watch loads it.
    const next = copyCerts(certs, 'next');
    const renewed = await certsDev(['--out', next.dir]);
    expect(renewed.caReused).toBe(true);
    expect(renewed.serials.server).not.toBe(before);
    copyFileSync(renewed.serverKey, mainCerts.serverKey);
    copyFileSync(renewed.serverCert, mainCerts.serverCert);
    await until(async () => (await serialOf(port(main), ca)) === renewed.serials.server);
    // Another one, and SIGHUP.
    const again = await certsDev(['--out', next.dir]);
    copyFileSync(again.serverKey, mainCerts.serverKey);
    copyFileSync(again.serverCert, mainCerts.serverCert);
    process.kill(process.pid, 'SIGHUP');
    await until(async () => (await serialOf(port(main), ca)) === again.serials.server);
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': '/health' });
      stream.on('response', (h) => resolve(Number(h[':status'])));
      stream.on('error', reject);
      stream.resume();
    });
    expect(status).toBe(200);
    session.close();
    expect((await h2Get(main.url, '/health', { ca })).alpn).toBe('h2');
    const reloads = mainLines.filter((l) => l.msg === 'TLS certificate reloaded');
    expect(reloads.map((l) => l.serial)).toEqual(expect.arrayContaining([renewed.serials.server, again.serials.server]));
  });
});

describe('principalFromCertificate and watchTls', () => {
  let certs: DevCertificates;
  let ca: Buffer;
  let app: FastifyInstance;
  let stop: () => void;
  let lines: Record<string, unknown>[];
  let origin: string;

  beforeAll(async () => {
    certs = await certsDev(['--out', join(tempDir('unit'), 'certs'), '--client', 'alice', '--client-role', 'admin']);
    ca = readFileSync(certs.ca);
    const tls = loadConfig({ MAXIMUS_TLS_CERT: certs.serverCert, MAXIMUS_TLS_KEY: certs.serverKey, MAXIMUS_TLS_CLIENT_CA: certs.ca, MAXIMUS_TLS_CLIENT_AUTH: 'optional' }).tls!;
    app = createServer({ log: silentLog, accessLog: false, serverOptions: tlsServerOptions(tls) });
    app.get('/whoami', (request) => ({ principal: principalFromCertificate(request.socket) ?? null, http: request.raw.httpVersion }));
    origin = await app.listen({ host: '127.0.0.1', port: 0 });
    const captured = capturingLogger();
    lines = captured.lines;
    // File changes wait a minute here: only SIGHUP reloads within the test.
    stop = watchTls(app.server as never, tls, captured.log, { debounceMs: 60_000 });
  });
  afterAll(async () => {
    stop?.();
    await app?.close();
  });

  it('maps an authorised client certificate to a principal (CN → id, OU → role), over HTTP/2 and HTTP/1.1', async () => {
    const options = { ca, cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) };
    const expected = { id: 'user:alice', kind: 'user', role: 'admin', via: 'mtls', subject: 'alice' };
    expect(JSON.parse((await h2Get(origin, '/whoami', options)).body)).toEqual({ principal: expected, http: '2.0' });
    expect(JSON.parse((await httpsGet(`${origin}/whoami`, options)).body)).toEqual({ principal: expected, http: '1.1' });
    expect(JSON.parse((await httpsGet(`${origin}/whoami`, { ca })).body)).toEqual({ principal: null, http: '1.1' });
  });

  it('the SDK speaks HTTP/2 when offered, with its client certificate (and HTTP/1.1 when told to)', async () => {
    const tls = { ca, cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) };
    const h2 = new Maximus({ baseURL: origin, tls, maxRetries: 0 });
    const h1 = new Maximus({ baseURL: origin, tls, maxRetries: 0, http2: false });
    try {
      expect(await h2.request({ method: 'GET', path: '/whoami' })).toMatchObject({ principal: { id: 'user:alice', role: 'admin' }, http: '2.0' });
      expect(await h1.request({ method: 'GET', path: '/whoami' })).toMatchObject({ principal: { id: 'user:alice', role: 'admin' }, http: '1.1' });
    } finally {
      await Promise.all([h2.close(), h1.close()]);
    }
  });

  it('gives readonly for an unknown or ambiguous OU, and nothing without an authorised certificate or a CN', () => {
    const socket = (subject: Record<string, string | string[]>, authorized = true) => ({ authorized, getPeerCertificate: () => ({ subject }) as never });
    expect(principalFromCertificate(socket({ CN: 'bob', OU: 'operator' }))).toEqual({ id: 'user:bob', kind: 'user', role: 'operator', via: 'mtls', subject: 'bob' });
    expect(principalFromCertificate(socket({ CN: 'bob', OU: 'superuser' }))?.role).toBe('readonly');
    expect(principalFromCertificate(socket({ CN: 'bob', OU: ['admin', 'readonly'] }))?.role).toBe('readonly');
    expect(principalFromCertificate(socket({ CN: 'bob' }))?.role).toBe('readonly');
    expect(principalFromCertificate(socket({ CN: 'bob', OU: 'admin' }, false))).toBeUndefined();
    expect(principalFromCertificate(socket({ OU: 'admin' }))).toBeUndefined();
    expect(principalFromCertificate(undefined)).toBeUndefined();
    expect(principalFromCertificate({})).toBeUndefined();
  });

  it('reloads on SIGHUP, and keeps the certificate in force when the new files are bad', async () => {
    const port = Number(new URL(origin).port);
    const first = await serialOf(port, ca);
    writeFileSync(certs.serverCert, 'not a certificate');
    process.kill(process.pid, 'SIGHUP');
    await until(() => lines.some((l) => l.msg === 'TLS reload failed: keeping the certificate in force'));
    expect(await serialOf(port, ca)).toBe(first);
    const renewed = await certsDev(['--out', certs.dir]);
    process.kill(process.pid, 'SIGHUP');
    await until(async () => (await serialOf(port, ca)) === renewed.serials.server);
    // The client CA came along: client certificates still identify their holder.
    const answer = await h2Get(origin, '/whoami', { ca, cert: readFileSync(renewed.clientCert), key: readFileSync(renewed.clientKey) });
    expect(JSON.parse(answer.body)).toMatchObject({ principal: { id: 'user:developer', role: 'readonly' }, http: '2.0' });
  });

  it('refuses to start with a missing file, naming the variable', () => {
    const base = { MAXIMUS_TLS_CERT: certs.serverCert, MAXIMUS_TLS_KEY: certs.serverKey };
    expect(() => tlsServerOptions(loadConfig({ ...base, MAXIMUS_TLS_CERT: '/nonexistent/server.crt' }).tls!)).toThrow(/MAXIMUS_TLS_CERT.*\/nonexistent\/server\.crt/);
    expect(() => tlsServerOptions(loadConfig({ ...base, MAXIMUS_TLS_KEY: certs.caKey }).tls!)).toThrow(/MAXIMUS_TLS_KEY/);
  });
});
