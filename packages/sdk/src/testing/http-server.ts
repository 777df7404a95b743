// Test support only (not exported by the package): a real HTTP server on 127.0.0.1 that the tests
// script to misbehave, so that the SDK is tested against sockets, not mocks.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server saw it; `at` is `performance.now()` when its body had arrived. */
export interface Arrival {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** `index` counts requests from 0, so that a handler can misbehave on the first few only. */
export type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

export interface TestServer {
  url: string;
  arrivals: Arrival[];
  /** TCP connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const arrivals: Arrival[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index = arrivals.length;
      arrivals.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), at: performance.now() });
      handler(req, res, index);
    });
  });
  const state = { connections: 0 };
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    get connections() {
      return state.connections;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** An RFC 9457 answer shaped like the kit's error handler's. */
export function sendProblem(res: ServerResponse, status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  const requestId = `req-${code.toLowerCase()}`;
  res.writeHead(status, { 'content-type': 'application/problem+json', 'x-request-id': requestId, ...headers });
  res.end(JSON.stringify({ type: `urn:maximus:error:${code}`, title: 'Error', status, detail: `failed with ${code}`, code, request_id: requestId, ...extra }));
}

/** A URL on which nothing listens (a port just released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
