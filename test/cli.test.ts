import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SERVICE_NAMES } from '@maximus/contracts';
import { tempDir } from './helpers.js';

// End to end: the built CLI in real child processes (`npm test` builds first).
const CLI = new URL('../apps/cli/bin/maximus.js', import.meta.url).pathname;
// Every child gets a configuration directory of its own: the saved admin key never touches the real ~/.config.
let XDG = '';
if (!existsSync(new URL('../apps/cli/dist/main.js', import.meta.url))) throw new Error('run `npm run build` first (npm test does)');

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_CONFIG_HOME: XDG, ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts a long-running CLI command and resolves once its banner names the URL it listens on. */
function start(args: string[], env: Record<string, string> = {}, until = /http:\/\/127/): Promise<{ child: ChildProcess; url: string; banner: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_CONFIG_HOME: XDG, MAXIMUS_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let banner = '';
    // Logs (stdout) join the banner (stderr), so that a test can look for a log line too.
    createInterface({ input: child.stdout }).on('line', (line) => {
      banner += line + '\n';
    });
    const lines = createInterface({ input: child.stderr });
    let url: string | undefined;
    lines.on('line', (line) => {
      banner += line + '\n';
      url ??= /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      if (url && until.test(line)) resolve({ child, url, banner, output: () => banner });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${banner}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

beforeAll(() => {
  XDG = tempDir('xdg');
});

describe('maximus --help and --version', () => {
  it('prints the version from package.json', () => {
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('has help for every command, with examples', () => {
    const top = run(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['up', 'serve', 'health', 'keys', 'token']) {
      expect(top.stdout).toContain(command);
      const help = run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
    }
    expect(run(['serve', '--help']).stdout).toContain('hermes');
  });

  it('rejects an unknown service with a usage error', () => {
    const r = run(['serve', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('nope');
  });
});

describe('maximus up, then maximus health against it', () => {
  let up: Awaited<ReturnType<typeof start>>;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = join(tempDir('up'), 'data');
    cpSync(inject('pgliteTemplate'), dataDir, { recursive: true });
    up = await start(['up', '--port', '0', '--data-dir', dataDir], {}, /Ctrl-C stops/);
  });
  afterAll(async () => {
    if (up) await stop(up.child);
  });

  it('prints where everything is, and the first admin key once, saved 0600 for the CLI', () => {
    expect(up.banner).toMatch(/ready in \d+ ms/);
    expect(up.banner).toContain(`PGlite at ${dataDir}`);
    expect(up.banner).toMatch(/^admin API key: mxk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/m);
    const saved = join(XDG, 'maximus', 'credentials.json');
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(readFileSync(saved, 'utf8')).toContain(/admin API key: (\S+)/.exec(up.banner)![1]);
  });

  it('maximus keys create / list / revoke and token mint work with the saved key', () => {
    const created = run(['keys', 'create', '--role', 'operator', '--name', 'ci-bot', '--json', '--url', up.url]);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; role: string };
    expect(key.role).toBe('operator');
    const list = run(['keys', 'list', '--url', up.url]);
    expect(list.stdout).toMatch(new RegExp(`^${key.id}\\s+ci-bot\\s+operator`, 'm'));
    expect(list.stdout).not.toContain(key.key);
    // The operator key works, as MAXIMUS_API_KEY, until it is revoked.
    const asOperator = run(['keys', 'list', '--url', up.url], { MAXIMUS_API_KEY: key.key });
    expect(asOperator.code).toBe(1);
    expect(asOperator.stderr).toContain('403 GATEWAY_ERR_AUTH_FORBIDDEN');
    expect(run(['keys', 'revoke', key.id, '--url', up.url]).stdout).toContain(`revoked ${key.id}`);
    expect(run(['keys', 'list', '--url', up.url], { MAXIMUS_API_KEY: key.key }).stderr).toContain('401 GATEWAY_ERR_AUTH_KEY_INVALID');
    const token = run(['token', 'mint', '--role', 'readonly', '--ttl', '1h', '--url', up.url]);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(run(['keys', 'list', '--url', up.url], { MAXIMUS_TOKEN: token.stdout.trim() }).stderr).toContain('403');
   }, 120_000); // eight CLI processes in a row: slow on a loaded 2-core machine

  it('maximus health --json reports every service healthy', () => {
    const r = run(['health', '--json', '--url', up.url]);
    expect(r.code).toBe(0);
    const health = JSON.parse(r.stdout) as { status: string; mode: string; services: Record<string, { status: string }> };
    expect(health.status).toBe('healthy');
    expect(health.mode).toBe('embedded');
    expect(Object.keys(health.services)).toEqual([...SERVICE_NAMES]);
    for (const name of SERVICE_NAMES) expect(health.services[name]!.status).toBe('healthy');
  });

  it('maximus health prints a table with uppercase statuses (MAXIMUS_URL honoured)', () => {
    const r = run(['health'], { MAXIMUS_URL: up.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SERVICE\s+STATUS\s+LATENCY\s+COMPONENTS/);
    for (const name of SERVICE_NAMES) expect(r.stdout).toMatch(new RegExp(`^${name}\\*?\\s+HEALTHY\\s+\\d+\\.\\d ms`, 'm'));
  });

  it('maximus health --watch refreshes until Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'health', '--watch', '0.2', '--json', '--url', up.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    // Wait for three complete snapshots (however slow a loaded machine starts the CLI), then press Ctrl-C.
    const three = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.split('\n').length > 3) resolve();
      });
    });
    await three;
    expect(await stop(child)).toBe(0);
    const snapshots = out.trim().split('\n').map((l) => JSON.parse(l) as { status: string; timestamp: string });
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    expect(new Set(snapshots.map((s) => s.timestamp)).size).toBe(snapshots.length);
    expect(snapshots.every((s) => s.status === 'healthy')).toBe(true);
  });

  it('a second process on the same data directory is refused, naming the holder', () => {
    const r = run(['up', '--port', '0', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('KIT_ERR_DATADIR_LOCKED');
    expect(r.stderr).toContain(String(up.child.pid));
  });

  it('stops cleanly on Ctrl-C and releases the directory', async () => {
    expect(await stop(up.child)).toBe(0);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});

describe('maximus up with MAXIMUS_AUTH=off', () => {
  it('warns loudly, in the banner and in the logs', async () => {
    const dataDir = join(tempDir('open'), 'data');
    cpSync(inject('pgliteTemplate'), dataDir, { recursive: true });
    const open = await start(['up', '--port', '0', '--data-dir', dataDir], { MAXIMUS_AUTH: 'off' }, /Ctrl-C stops/);
    try {
      expect(open.banner).toContain('WARNING: MAXIMUS_AUTH=off');
      expect(open.banner).not.toContain('admin API key:');
      // stdout and stderr are two pipes: the log line may be read a moment after the banner.
      for (let i = 0; i < 40 && !open.output().includes('AUTHENTICATION IS DISABLED'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(open.output()).toMatch(/"level":"warn".*AUTHENTICATION IS DISABLED/);
    } finally {
      await stop(open.child);
    }
  });
});

describe('maximus health when things are down', () => {
  it('exits 2 with a clear message when the gateway is unreachable', () => {
    const r = run(['health', '--url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot reach the MAXIMUS gateway at http://127.0.0.1:1');
  });

  it('exits 1 when a critical service is down (connected gateway, no services running)', async () => {
    const env: Record<string, string> = { MAXIMUS_HEALTH_TIMEOUT_MS: '500' };
    for (const name of SERVICE_NAMES) env[`MAXIMUS_${name.toUpperCase()}_URL`] = 'http://127.0.0.1:1';
    const gateway = await start(['serve', 'gateway', '--port', '0'], env);
    try {
      const r = run(['health', '--url', gateway.url]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^MAXIMUS DOWN/m);
      expect(r.stdout).toMatch(/^core\*\s+DOWN/m);
      const json = run(['health', '--json', '--url', gateway.url]);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).services.core.error).toContain('ECONNREFUSED');
    } finally {
      await stop(gateway.child);
    }
  }, 120_000);
});
