import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';
import { tempDir } from './helpers.js';

// `maximus analyze` as a user runs it: the built CLI in a child process, against the embedded platform over HTTP.
const CLI = new URL('../apps/cli/bin/maximus.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_CONFIG_HOME: tempDir('xdg'), NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('maximus analyze', () => {
  let gateway: TestGateway;
  let env: Record<string, string>;
  let operatorKey: string;
  beforeAll(async () => {
    gateway = await embeddedGateway({ MAXIMUS_RATE_LIMITS: 'read=6000/60,write=1200/60,expensive=1000/60' });
    for (const service of gateway.services) await service.start();
    const url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    operatorKey = (await gateway.security.keys.create({ name: 'cli', role: 'operator', createdBy: null })).key;
    env = { MAXIMUS_URL: url, MAXIMUS_API_KEY: operatorKey };
  });
  afterAll(async () => {
    for (const service of gateway?.services ?? []) await service.stop();
    await gateway?.close();
  });

  it('has help with examples', async () => {
    const help = await run(['analyze', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('maximus analyze -');
  });

  it('reads stdin, prints the Markdown answer and the confidence as a percentage', async () => {
    const r = await run(['analyze', '-', '--language', 'python'], env, 'def f(:\n    return 1\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## Answer');
    expect(r.stdout).toContain('diagnose_code');
    expect(r.stdout).toContain('no language model was used');
    expect(r.stdout).toMatch(/^Confidence: \d{1,3}%/m);
  });

  it('sends a directory\'s source files (skipping node_modules) and prints JSON with --json', async () => {
    const dir = tempDir('analyze');
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a: number = "x";\n');
    writeFileSync(join(dir, 'src', 'b.py'), 'import os\nos.system(input())\n');
    writeFileSync(join(dir, 'README.md'), '# not code\n');
    writeFileSync(join(dir, 'node_modules', 'dep.js'), 'module.exports = 1;\n');
    const r = await run(['analyze', dir, '--json'], env);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { confidence_score: number; tool_execution_results: { tool: string; input: { files: { path: string }[] } }[] };
    expect(answer.confidence_score).toBeGreaterThanOrEqual(0);
    const diagnose = answer.tool_execution_results.find((t) => t.tool === 'diagnose_code');
    expect(diagnose?.input.files.map((f) => f.path)).toEqual([join('src', 'a.ts'), join('src', 'b.py')]);
  });

  it('streams with --stream, and the answer ends with the confidence', async () => {
    const file = join(tempDir('analyze-one'), 'x.js');
    writeFileSync(file, 'eval(process.argv[2]);\n');
    const r = await run(['analyze', file, '--stream', '--question', 'is eval risky here?'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## Answer');
    expect(r.stdout).toMatch(/\nConfidence: \d{1,3}%/);
  });

  it('fails clearly: a missing path (exit 2), an empty stdin (exit 2), a readonly key (exit 1, 403)', async () => {
    const missing = await run(['analyze', '/nonexistent/path.py'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
    const empty = await run(['analyze', '-'], env, '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('stdin was empty');
    const readonly = (await gateway.security.keys.create({ name: 'ro', role: 'readonly', createdBy: null })).key;
    const refused = await run(['analyze', '-'], { ...env, MAXIMUS_API_KEY: readonly }, 'x = 1\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('403');
  });
});
