import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HealingLanguage, SourceFile, TestRun } from '@maximus/contracts';
import type { CodeFacts } from '../domain/facts.js';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
  /** The program could not be started (not installed). */
  missing: boolean;
}

/**
 * Runs a program in its own process group with a time limit (the whole group is killed at the limit) and a minimal
 * environment: the platform's secrets never reach code under test.
 */
export function runProcess(command: string, args: readonly string[], options: { cwd: string; timeoutMs: number; input?: string; env?: Record<string, string> }): Promise<ProcessResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, LANG: 'C.UTF-8', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let missing = false;
    const cap = (s: string, chunk: Buffer) => (s.length > 4_000_000 ? s : s + chunk.toString('utf8'));
    child.stdout.on('data', (c: Buffer) => (stdout = cap(stdout, c)));
    child.stderr.on('data', (c: Buffer) => (stderr = cap(stderr, c)));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') missing = true;
      else stderr += String(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, ms: performance.now() - started, missing });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

const FACTS_SCRIPT = fileURLToPath(new URL('../../python/facts.py', import.meta.url));

/** Facts and node kinds of Python sources from Python's own `ast` (python3 in a child process). Null when python3 is missing. */
export async function pythonFacts(files: readonly { key: string; text: string }[], timeoutMs = 60_000): Promise<Record<string, CodeFacts & { kinds: string[] }> | null> {
  const result = await runProcess('python3', [FACTS_SCRIPT], { cwd: tmpdir(), timeoutMs, input: JSON.stringify({ files }) });
  if (result.missing) return null;
  if (result.code !== 0) throw new Error(`python3 facts.py failed (${result.timedOut ? 'timed out' : `exit ${result.code}`}): ${result.stderr.slice(-500)}`);
  return JSON.parse(result.stdout) as Record<string, CodeFacts & { kinds: string[] }>;
}

let pytest: Promise<boolean> | undefined;

/** Whether `python3 -m pytest` is available (asked once). */
function hasPytest(): Promise<boolean> {
  pytest ??= runProcess('python3', ['-c', 'import pytest'], { cwd: tmpdir(), timeoutMs: 20_000 }).then((r) => r.code === 0);
  return pytest;
}

function tail(text: string, max = 2000): string {
  return text.length > max ? text.slice(-max) : text;
}

function count(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Writes files below `root`; their paths were validated as relative, without `..`. */
async function writeTree(root: string, files: readonly SourceFile[]): Promise<void> {
  for (const f of files) {
    const target = join(root, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content);
  }
}

export interface TestRequest {
  language: HealingLanguage;
  /** For TypeScript: the sources and tests already transpiled to JavaScript (`esm` says whether they are ES modules). */
  files: readonly SourceFile[];
  tests: readonly SourceFile[];
  esm?: boolean;
  timeoutMs: number;
}

/**
 * Runs the tests against a version of the code in a fresh temporary directory (removed afterwards): Python with
 * `python3 -m pytest` when pytest is installed, else `python3 -m unittest`; JavaScript (and transpiled TypeScript) with
 * `node --test`. The counts come from the runner's own summary.
 */
export async function runTests(request: TestRequest): Promise<TestRun> {
  const dir = await mkdtemp(join(tmpdir(), 'penelope-tests-'));
  try {
    await writeTree(dir, [...request.files, ...request.tests]);
    const testPaths = request.tests.map((t) => t.path);
    if (request.language === 'python') {
      const env = { PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: dir };
      if (await hasPytest()) {
        const r = await runProcess('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--no-header', ...testPaths], { cwd: dir, timeoutMs: request.timeoutMs, env });
        const out = r.stdout + r.stderr;
        const passed = count(out, /(\d+) passed/);
        const failed = count(out, /(\d+) failed/) + count(out, /(\d+) errors?\b/);
        return { runner: 'pytest', passed, failed, total: passed + failed, ok: r.code === 0 && !r.timedOut, timed_out: r.timedOut, duration_ms: r.ms, output_tail: tail(out) };
      }
      const r = await runProcess('python3', ['-m', 'unittest', ...testPaths], { cwd: dir, timeoutMs: request.timeoutMs, env });
      const out = r.stderr + r.stdout;
      const total = count(out, /Ran (\d+) tests?/);
      const failed = count(out, /failures=(\d+)/) + count(out, /errors=(\d+)/);
      return { runner: 'unittest', passed: Math.max(0, total - failed), failed, total, ok: r.code === 0 && !r.timedOut, timed_out: r.timedOut, duration_ms: r.ms, output_tail: tail(out) };
    }
    if (request.esm) await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const r = await runProcess(process.execPath, ['--test', ...testPaths], { cwd: dir, timeoutMs: request.timeoutMs, env: { NODE_ENV: 'test' } });
    const out = r.stdout + r.stderr;
    const passed = count(out, /^# pass (\d+)/m) || count(out, /ℹ pass (\d+)/);
    const failed = count(out, /^# fail (\d+)/m) || count(out, /ℹ fail (\d+)/);
    return { runner: 'node --test', passed, failed, total: passed + failed, ok: r.code === 0 && !r.timedOut, timed_out: r.timedOut, duration_ms: r.ms, output_tail: tail(out) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
