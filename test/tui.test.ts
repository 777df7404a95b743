import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Maximus } from '@maximus/sdk';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';
import { tempDir } from './helpers.js';

// `maximus tui` in a real terminal: the built CLI inside tmux at 80×24, driven with send-keys and read with
// capture-pane, against the embedded platform (`npm test` builds first).
const CLI = new URL('../apps/cli/bin/maximus.js', import.meta.url).pathname;
if (!existsSync(new URL('../apps/cli/dist/main.js', import.meta.url))) throw new Error('run `npm run build` first (npm test does)');
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!HAS_TMUX) console.log('notice: tmux is not installed; the TUI terminal tests are skipped (apt-get install tmux)');

const LOW = { threat: 0.1, asset: 0.1, business: 0.1, action: 0.1, compliance: 0.1, environment: 0.1 };
const SOCKET = `maximus-tui-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'tui').stdout;
/** Keys by their tmux names (`Enter`, `Tab`, `Up`, `C-c`). */
const keys = (...names: string[]) => tmux('send-keys', '-t', 'tui', ...names);
/** Text typed as it is. */
const type = (text: string) => tmux('send-keys', '-t', 'tui', '-l', text);
const bottom = () => screen().split('\n').filter((l) => l.trim() !== '').at(-1) ?? '';
/** The line the cursor is on (the prompt while it waits). */
const cursorLine = () => {
  const row = Number(tmux('display-message', '-p', '-t', 'tui', '#{cursor_y}').stdout.trim());
  return screen().split('\n')[row] ?? '';
};

/** Ctrl-L at the prompt: readline clears the screen (the status bar is drawn again), so that a test reads only its own output. */
async function clearScreen(): Promise<void> {
  keys('C-l');
  await waitFor(() => /^maximus› ?$/.test(screen().split('\n')[0] ?? '') && /connected/.test(bottom()));
}

async function waitFor(what: RegExp | (() => boolean), timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (typeof what === 'function' ? what() : what.test(text)) return text;
    if (Date.now() > until) throw new Error(`the screen never showed ${String(what)}; it shows:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A pass-through proxy in front of the gateway that can hold `GET /health` without answering (a stalled
 * upstream), and records whether the client gave up on it (the TUI's Ctrl-C aborting the SDK call).
 */
function stallingProxy(target: string): Promise<{ url: string; server: Server; stall: { on: boolean; held: number; abandoned: number } }> {
  const stall = { on: false, held: 0, abandoned: 0 };
  const server = createServer((req, res) => {
    if (stall.on && req.url === '/health') {
      stall.held++;
      res.on('close', () => {
        if (!res.writableEnded) stall.abandoned++;
      });
      return;
    }
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, stall })));
}

describe.skipIf(!HAS_TMUX)('maximus tui in a terminal (tmux, 80×24)', () => {
  let gateway: TestGateway;
  let proxy: Awaited<ReturnType<typeof stallingProxy>>;
  let operator: Maximus;
  let readonlyKey: string;
  let home: string;
  let env: Record<string, string>;

  const startTui = (args: string[]) => {
    tmux('kill-session', '-t', 'tui');
    const exports = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const command = `${process.execPath} ${CLI} ${args.join(' ')}; echo "EXIT=$?"; sleep 600`;
    const started = tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', '-c', home, ...exports, command);
    expect(started.status, started.stderr).toBe(0);
  };

  beforeAll(async () => {
    gateway = await embeddedGateway();
    const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    proxy = await stallingProxy(url);
    operator = new Maximus({ baseURL: url, apiKey: (await gateway.security.keys.create({ name: 'proposer', role: 'operator', createdBy: null })).key });
    readonlyKey = (await gateway.security.keys.create({ name: 'reader', role: 'readonly', createdBy: null })).key;
    home = tempDir('tui-home');
    mkdirSync(join(home, 'reports'));
    writeFileSync(join(home, 'alpha-findings.py'), 'import os\n\ndef run(cmd):\n    return os.system(cmd)\n');
    env = {
      MAXIMUS_URL: proxy.url,
      MAXIMUS_API_KEY: gateway.adminKey,
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_STATE_HOME: join(home, 'state'),
      LANG: 'C.UTF-8',
      TERM: 'screen',
    };
  });
  afterAll(async () => {
    tmux('kill-server');
    await operator?.close();
    await new Promise((r) => proxy?.server.close(r));
    await gateway?.close();
  });

  it('opens with the status bar: gateway, principal and role (from whoami), connected', async () => {
    startTui(['tui']);
    await waitFor(() => /connected/.test(bottom()));
    const bar = bottom();
    expect(bar).toContain(proxy.url.replace('http://', ''));
    expect(bar).toMatch(/user:key-[0-9a-f]{12} \(admin\)/);
    expect(bar).toContain('● connected');
    expect(screen().split('\n').length).toBeGreaterThanOrEqual(24);
    expect(screen().split('\n')[23]).toBe(bar.trimEnd()); // the last row of the 80×24 terminal
    expect(cursorLine()).toMatch(/^maximus› ?$/); // capture-pane drops trailing spaces
  });

  it('/help lists every slash command', async () => {
    await clearScreen();
    type('/help');
    keys('Enter');
    const text = await waitFor(/\/quit/);
    for (const command of ['/health', '/analyze <path>', '/heal <path>', '/spiritual', '/governance', '/consciousness', '/help', '/quit']) expect(text).toContain(command);
    expect(text.split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('/health prints the table of every service', async () => {
    await clearScreen();
    type('/health');
    keys('Enter');
    const text = await waitFor(/critical: the platform is DOWN/);
    expect(text).toMatch(/SERVICE\s+STATUS\s+LATENCY\s+COMPONENTS/);
    for (const service of ['core*', 'penelope*', 'maba', 'nis', 'adw', 'eikos', 'thoth', 'hermes']) expect(text).toMatch(new RegExp(`^${service.replace('*', '\\*')}\\s+HEALTHY\\s+\\d+\\.\\d ms`, 'm'));
  });

  it('completes commands and paths with Tab', async () => {
    type('/gov');
    keys('Tab');
    await waitFor(() => /^maximus› \/governance ?$/.test(cursorLine()));
    keys('C-u');
    type('/he');
    keys('Tab', 'Tab'); // /health, /heal and /help: a second Tab lists them
    await waitFor(/^\/health\s+\/heal\s+\/help$/m);
    type('a');
    keys('Tab'); // /heal and /health share "/heal"
    await waitFor(() => /^maximus› \/heal$/.test(cursorLine()));
    type('t');
    keys('Tab');
    await waitFor(() => /^maximus› \/health$/.test(cursorLine()));
    keys('C-u');
    type('/analyze al');
    keys('Tab');
    await waitFor(() => /^maximus› \/analyze alpha-findings\.py$/.test(cursorLine()));
    keys('C-u');
    type('/heal rep');
    keys('Tab');
    await waitFor(() => /^maximus› \/heal reports\/$/.test(cursorLine()));
    keys('C-u');
  });

  it('walks the history with Up, and keeps it in $XDG_STATE_HOME/maximus/history', async () => {
    keys('Up');
    await waitFor(() => /^maximus› \/health$/.test(cursorLine()));
    keys('Up');
    await waitFor(() => /^maximus› \/help$/.test(cursorLine()));
    keys('C-u');
    const saved = readFileSync(join(home, 'state', 'maximus', 'history'), 'utf8').trim().split('\n');
    expect(saved).toEqual(['/help', '/health']);
  });

  it('says which services are not built yet', async () => {
    await clearScreen();
    type('/heal alpha-findings.py');
    keys('Enter');
    await waitFor(/PENELOPE healing is not built yet/);
  });

  it('/analyze streams the answer of the query pipeline and its confidence', async () => {
    await clearScreen();
    type('/analyze alpha-findings.py is os.system safe here?');
    keys('Enter');
    const text = await waitFor(/Confidence: \d+%\s+\(provider local/);
    expect(text).toContain('## Answer');
    expect(text.split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('/spiritual shows the fruits and virtues in a frame that fits 80 columns', async () => {
    await clearScreen();
    type('/spiritual');
    keys('Enter');
    const text = await waitFor(/└─+┘/);
    expect(text).toContain('Fruits of the Spirit');
    expect(text).toMatch(/Virtues\s+overall/);
    const framed = text.split('\n').filter((l) => l.startsWith('│'));
    expect(framed.length).toBeGreaterThan(5);
    for (const line of framed) {
      expect(line.length).toBeLessThanOrEqual(80);
      expect(line.trimEnd().endsWith('│')).toBe(true);
    }
  });

  it('/governance shows a pending decision as a panel and approves it with y', async () => {
    await clearScreen();
    const d = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.77' }, reasoning: 'a sweep of 40 ports from one address', confidence: 0.7, risk_factors: LOW });
    type('/governance');
    keys('Enter');
    const text = await waitFor(/approve\? \[y\]es/);
    expect(text).toContain(`block_ip  ${d.id}`);
    expect(text).toContain('{"address":"203.0.113.77"}');
    expect(text).toMatch(/┌─+┐/);
    type('y');
    keys('Enter');
    await waitFor(new RegExp(`→ block_ip ${d.id}: (approved|executing|executed) \\(1/1 approvals\\)`));
    const after = await operator.governance.decisions.retrieve(d.id);
    expect(['approved', 'executing', 'executed']).toContain(after.status);
    expect(after.approvals).toHaveLength(1);
    await waitFor(() => /^maximus› ?$/.test(cursorLine()));
  });

  it('/governance reject <id> completes the id, asks a reason and a y/N confirmation', async () => {
    await clearScreen();
    const d = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.79' }, reasoning: 'our own scanner', confidence: 0.7, risk_factors: LOW });
    type('/governance');
    keys('Enter');
    await waitFor(/approve\? \[y\]es/);
    type('q'); // stop reviewing; the listed ids stay for completion
    keys('Enter');
    await waitFor(() => /^maximus› ?$/.test(cursorLine()));
    type(`/governance reject ${d.id.slice(0, 6)}`);
    keys('Tab');
    await waitFor(() => cursorLine().trimEnd() === `maximus› /governance reject ${d.id}`);
    keys('Enter');
    await waitFor(/reason for rejecting ›/);
    type('a false positive: our own scanner');
    keys('Enter');
    await waitFor(/Reject block_ip [0-9a-f]{8}\? \[y\/N\] ›/);
    type('y');
    keys('Enter');
    await waitFor(new RegExp(`→ block_ip ${d.id}: rejected`));
    const after = await operator.governance.decisions.retrieve(d.id);
    expect(after.status).toBe('rejected');
    expect(JSON.stringify(after)).toContain('a false positive: our own scanner');
  });

  it('shows a spinner on long work and cancels it with Ctrl-C, aborting the call, without leaving', async () => {
    await clearScreen();
    proxy.stall.on = true;
    try {
      type('/health');
      keys('Enter');
      await waitFor(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
      const spinning = await waitFor(/health [1-9]\d*\.\ds\s+Ctrl-C cancels/);
      expect(spinning).toMatch(/health \d+\.\ds/);
      expect(proxy.stall.held).toBe(1);
      keys('C-c');
      await waitFor(/\/health cancelled/);
      await waitFor(() => proxy.stall.abandoned === 1, 5_000);
    } finally {
      proxy.stall.on = false;
    }
    await waitFor(() => /^maximus› ?$/.test(cursorLine()));
    type('/health');
    keys('Enter');
    await waitFor(/\/health cancelled[^]*hermes\s+HEALTHY[^]*maximus›/);
  });

  it('/quit leaves with exit code 0 and gives the whole screen back', async () => {
    type('/quit');
    keys('Enter');
    await waitFor(/EXIT=0/);
    expect(screen()).not.toContain('● connected');
  });

  it('`maximus` alone in a terminal opens it, with the history of the last session', async () => {
    startTui([]);
    await waitFor(() => /\(admin\)\s+● connected/.test(bottom()));
    keys('Up');
    await waitFor(() => /^maximus› \/quit$/.test(cursorLine()));
    keys('C-u');
    keys('C-c');
    await waitFor(/Ctrl-C again/);
    keys('C-c'); // twice at an empty prompt
    await waitFor(/EXIT=0/);
  });

  it('falls back to plain text when stdout is not a terminal: commands from stdin, no escape codes', async () => {
    const child = spawn(process.execPath, [CLI, 'tui'], { env: { ...process.env, ...env, MAXIMUS_API_KEY: readonlyKey }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const d = await operator.governance.decisions.create({ action_type: 'block_ip', params: { address: '203.0.113.78' }, reasoning: 'plain mode', confidence: 0.7, risk_factors: LOW });
    child.stdin.end('/health\n/governance\n/nope\n/quit\n/help\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(out).not.toContain('\x1b');
    expect(out).toMatch(/^maximus tui \(line mode\): gateway http:\/\/127\.0\.0\.1:\d+, user:key-[0-9a-f]{12} \(readonly\), connected$/m);
    expect(out).toContain('> /health\nMAXIMUS HEALTHY');
    expect(out).toContain(`block_ip  ${d.id}`);
    expect(out).toContain('(readonly: you may read them, not vote)');
    expect(out).toContain('unknown command /nope');
    expect(out).not.toContain('> /help'); // /quit ended the session
    expect(code).toBe(1); // /nope failed
  });

  it('`maximus` alone without a terminal prints the help, as before', () => {
    const r = spawnSync(process.execPath, [CLI], { env: { ...process.env, ...env }, encoding: 'utf8', input: '' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: maximus');
    expect(r.stdout).toMatch(/^\s+tui \[options\]\s+Interactive terminal/m);
  });
});
