import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Local HTTP servers that speak the real wire protocols of the two remote providers, for the tests: Anthropic's
 * Messages API (`POST /v1/messages`, `tool_use`/`tool_result` blocks, and the SSE event sequence message_start,
 * content_block_start, ping, content_block_delta, content_block_stop, message_delta, message_stop) and OpenAI's
 * chat completions (`POST /v1/chat/completions`, `tool_calls`, and `data: {chunk}` lines ending with `data: [DONE]`).
 *
 * The scripted model: on a fresh question it asks for one tool (`diagnose_code` when the question carries a code
 * block, else `governance_stats`); given the tool's result it answers from it, quoting the figure or the failure.
 * Asked for a fix (core's propose-fix prompt), it answers with {@link FakeLlm.fixAnswer} of the files in the prompt.
 */
export type FakeMode = 'ok' | 'error500' | 'rate-limited' | 'stall' | 'stall-mid-stream' | 'garbage';

export interface FakeRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface FakeLlm {
  readonly kind: 'anthropic' | 'openai';
  /** The base URL to configure (`MAXIMUS_LLM_BASE_URL`). */
  readonly baseUrl: string;
  mode: FakeMode;
  /** The query turns received (fix prompts are in {@link FakeLlm.fixes}). */
  readonly requests: FakeRequest[];
  /** The fix prompts received (core's `POST /query/propose-fix`). */
  readonly fixes: FakeRequest[];
  /** The requests left unanswered in `stall` mode: when they came, and when the caller closed them. */
  readonly stalled: { at: number; closedAt: number | undefined }[];
  /** The model's answer to a fix prompt, given the files in it. @default {@link scriptedFix} */
  fixAnswer: (files: PromptFile[]) => string;
  /** Stops listening (connections refused) until {@link FakeLlm.restart}. */
  down(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface Turn {
  text: string;
  tool: { id: string; name: string; input: Record<string, unknown> } | undefined;
}

/** What the scripted model says, given the conversation so far (already reduced to plain facts by each protocol). */
function script(question: string, toolResult: { content: string; isError: boolean } | undefined, n: number): Turn {
  if (!toolResult) {
    const name = question.includes('flux_capacitor') ? 'flux_capacitor' : question.includes('```') ? 'diagnose_code' : 'governance_stats';
    return { text: 'Let me check the platform.', tool: { id: `${n}`, name, input: name === 'diagnose_code' ? { language: 'python' } : {} } };
  }
  if (toolResult.isError || toolResult.content.includes('"error"')) {
    return { text: `The tool failed: ${toolResult.content}. I cannot say more without it.`, tool: undefined };
  }
  const stats = JSON.parse(toolResult.content) as { pending?: { total?: number } };
  return { text: `According to governance_stats, **${stats.pending?.total ?? 'an unknown number of'}** decisions are pending.`, tool: undefined };
}

const chunks = (text: string) => text.match(/.{1,12}/gs) ?? [];

export interface PromptFile {
  path: string;
  content: string;
}

/** The marker of core's fix prompt (its system prompt's opening words). */
const FIX_PROMPT = 'You are the code fixer of MAXIMUS';

/** The files of a fix prompt: each `File <path>:` and its fenced content. */
export function promptFiles(prompt: string): PromptFile[] {
  return [...prompt.matchAll(/^File (.+):\n(`{3,})[A-Za-z]*\n([\s\S]*?)\n\2$/gm)].map((m) => ({ path: m[1]!, content: `${m[3]!}\n` }));
}

/** The scripted fix: every comparison to None made with `is` (Ruff's E711), answered as the prompt asks, in a ```json fence. */
export function scriptedFix(files: PromptFile[]): string {
  const changed = files.filter((f) => / [!=]= None\b/.test(f.content)).map((f) => ({ path: f.path, content: f.content.replace(/ == None\b/g, ' is None').replace(/ != None\b/g, ' is not None') }));
  return `Here is the fix.\n\n\`\`\`json\n${JSON.stringify({ files: changed, explanation: 'Compared to None with `is`, as E711 asks.' }, null, 2)}\n\`\`\``;
}

/** The system and user text of a request, by protocol; null when it is not a fix prompt. */
function fixPromptOf(kind: 'anthropic' | 'openai', body: Record<string, unknown>): string | null {
  const messages = body.messages as { role: string; content: unknown }[];
  const system = kind === 'anthropic' ? body.system : messages.find((m) => m.role === 'system')?.content;
  if (typeof system !== 'string' || !system.startsWith(FIX_PROMPT)) return null;
  const user = messages.find((m) => m.role === 'user')?.content;
  return typeof user === 'string' ? user : '';
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

function sse(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

// ---- Anthropic Messages API ----

type Block = { type: string; text?: string; content?: unknown; tool_use_id?: string; is_error?: boolean };

function anthropicTurn(body: Record<string, unknown>, n: number): Turn {
  const messages = body.messages as { role: string; content: string | Block[] }[];
  const first = messages[0]?.content;
  const question = typeof first === 'string' ? first : (first ?? []).map((b) => b.text ?? '').join('');
  const last = messages[messages.length - 1]?.content;
  const result = Array.isArray(last) ? last.find((b) => b.type === 'tool_result') : undefined;
  const content = result ? (typeof result.content === 'string' ? result.content : JSON.stringify(result.content)) : undefined;
  return script(question, content === undefined ? undefined : { content, isError: result?.is_error === true }, n);
}

function anthropicMessage(turn: Turn, model: string, n: number) {
  const content: unknown[] = [{ type: 'text', text: turn.text }];
  if (turn.tool) content.push({ type: 'tool_use', id: `toolu_0${turn.tool.id}`, name: turn.tool.name, input: turn.tool.input });
  return { id: `msg_0${n}`, type: 'message', role: 'assistant', model, content, stop_reason: turn.tool ? 'tool_use' : 'end_turn', stop_sequence: null, usage: { input_tokens: 25, output_tokens: 12 } };
}

function anthropicStream(res: ServerResponse, turn: Turn, model: string, n: number, stallAfterFirst: boolean) {
  sse(res);
  const send = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send('message_start', { message: { id: `msg_0${n}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1 } } });
  send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  send('ping', {});
  const pieces = chunks(turn.text);
  for (const [i, piece] of pieces.entries()) {
    send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
    if (stallAfterFirst && i === 0) return; // the connection stays open, silent
  }
  send('content_block_stop', { index: 0 });
  if (turn.tool) {
    send('content_block_start', { index: 1, content_block: { type: 'tool_use', id: `toolu_0${turn.tool.id}`, name: turn.tool.name, input: {} } });
    const json = JSON.stringify(turn.tool.input);
    send('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } });
    for (const piece of chunks(json)) send('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: piece } });
    send('content_block_stop', { index: 1 });
  }
  send('message_delta', { delta: { stop_reason: turn.tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 12 } });
  send('message_stop', {});
  res.end();
}

// ---- OpenAI chat completions ----

function openaiTurn(body: Record<string, unknown>, n: number): Turn {
  const messages = body.messages as { role: string; content: string | null }[];
  const question = messages.find((m) => m.role === 'user')?.content ?? '';
  const last = messages[messages.length - 1];
  const result = last?.role === 'tool' ? { content: last.content ?? '', isError: false } : undefined;
  return script(question, result, n);
}

function openaiCompletion(turn: Turn, model: string, n: number) {
  const message: Record<string, unknown> = { role: 'assistant', content: turn.text, refusal: null };
  if (turn.tool) message.tool_calls = [{ id: `call_0${turn.tool.id}`, type: 'function', function: { name: turn.tool.name, arguments: JSON.stringify(turn.tool.input) } }];
  return {
    id: `chatcmpl-0${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: turn.tool ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 },
  };
}

function openaiStream(res: ServerResponse, turn: Turn, model: string, n: number, stallAfterFirst: boolean) {
  sse(res);
  const base = { id: `chatcmpl-0${n}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const send = (delta: Record<string, unknown>, finish: string | null = null) =>
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`);
  send({ role: 'assistant', content: '', refusal: null });
  for (const [i, piece] of chunks(turn.text).entries()) {
    send({ content: piece });
    if (stallAfterFirst && i === 0) return;
  }
  if (turn.tool) {
    send({ tool_calls: [{ index: 0, id: `call_0${turn.tool.id}`, type: 'function', function: { name: turn.tool.name, arguments: '' } }] });
    for (const piece of chunks(JSON.stringify(turn.tool.input))) send({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
  }
  send({}, turn.tool ? 'tool_calls' : 'stop');
  res.write('data: [DONE]\n\n');
  res.end();
}

/** Starts a fake provider on a free loopback port. */
export async function startFakeLlm(kind: 'anthropic' | 'openai'): Promise<FakeLlm> {
  const sockets = new Set<Socket>();
  let n = 0;
  const fake = {
    kind,
    baseUrl: '',
    mode: 'ok' as FakeMode,
    requests: [] as FakeRequest[],
    fixes: [] as FakeRequest[],
    stalled: [] as { at: number; closedAt: number | undefined }[],
    fixAnswer: scriptedFix,
  };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '';
    const body = await readJson(req);
    const fixPrompt = fixPromptOf(kind, body);
    (fixPrompt === null ? fake.requests : fake.fixes).push({ path, headers: req.headers, body });
    const expected = kind === 'anthropic' ? '/v1/messages' : '/v1/chat/completions';
    if (req.method !== 'POST' || path !== expected) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${path}` } }));
      return;
    }
    const mode = fake.mode;
    if (mode === 'stall') {
      // never answers; notes when the caller gives up
      const entry = { at: Date.now(), closedAt: undefined as number | undefined };
      fake.stalled.push(entry);
      res.once('close', () => (entry.closedAt = Date.now()));
      return;
    }
    if (mode === 'error500') {
      const error = kind === 'anthropic' ? { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } : { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } };
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(error));
      return;
    }
    if (mode === 'rate-limited') {
      const error = kind === 'anthropic' ? { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } } : { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' }).end(JSON.stringify(error));
      return;
    }
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'not a model answer' }));
      return;
    }
    n += 1;
    const model = String(body.model);
    if (fixPrompt !== null) {
      const turn = { text: fake.fixAnswer(promptFiles(fixPrompt)), tool: undefined };
      const answer = kind === 'anthropic' ? anthropicMessage(turn, model, n) : openaiCompletion(turn, model, n);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    const stallAfterFirst = mode === 'stall-mid-stream';
    if (kind === 'anthropic') {
      const turn = anthropicTurn(body, n);
      if (body.stream === true) anthropicStream(res, turn, model, n, stallAfterFirst);
      else res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_0${n}` }).end(JSON.stringify(anthropicMessage(turn, model, n)));
    } else {
      const turn = openaiTurn(body, n);
      if (body.stream === true) openaiStream(res, turn, model, n, stallAfterFirst);
      else res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_0${n}` }).end(JSON.stringify(openaiCompletion(turn, model, n)));
    }
  };
  let server: Server = createServer();
  let port = 0;
  const listen = async () => {
    server = createServer((req, res) => void handler(req, res));
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen();
  fake.baseUrl = kind === 'anthropic' ? `http://127.0.0.1:${port}` : `http://127.0.0.1:${port}/v1`;
  return Object.assign(fake, { down: stop, restart: listen, close: stop });
}
