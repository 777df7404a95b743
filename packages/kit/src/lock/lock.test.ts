import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freshPgliteDir, tempDir } from '../../../../test/helpers.js';
import { createPgliteDatabase } from '../db/index.js';
import { lockDirectory } from './index.js';

const fixture = fileURLToPath(new URL('../../../../test/fixtures/lock-hold.mjs', import.meta.url));

/** A pid that belonged to a process which has exited (and so is free). */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(result.stdout);
}

function catchError(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('lockDirectory', () => {
  const children = new Set<ChildProcess>();
  afterEach(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
  });

  it('refuses a directory held by another live process, naming its pid; takes it over once that process is dead', async () => {
    expect(existsSync(new URL('../../dist/lock/index.js', import.meta.url)), 'run `npm run build` first').toBe(true);
    const dir = join(tempDir('lock'), 'data');
    const child = spawn(process.execPath, [fixture, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const { value: line } = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
    expect(line, stderr).toBe(`locked ${child.pid}`);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(String(child.pid));

    const error = catchError(() => lockDirectory(dir));
    expect(error.code).toBe('KIT_ERR_DATADIR_LOCKED');
    expect(error.message).toContain(`pid ${child.pid}`);
    expect(error.message).toContain(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(String(child.pid)); // the refusal left it alone

    // SIGKILL: no exit handler runs, the lock file stays behind, stale.
    child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(String(child.pid));
    const lock = lockDirectory(dir);
    expect(readFileSync(lock.path, 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('takes over a stale lock file (its pid is dead, or it holds no pid)', () => {
    const dir = join(tempDir('lock'), 'data');
    writeFileSync(`${dir}.lock`, String(deadPid()));
    const lock = lockDirectory(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
    lock.release();

    writeFileSync(`${dir}.lock`, 'garbage');
    lockDirectory(dir).release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('release removes the file (once; it leaves a lock someone else took alone); the same process cannot lock twice', () => {
    const parent = tempDir('lock');
    const dir = join(parent, 'nested', 'data'); // the parent directories are created
    const lock = lockDirectory(dir);
    expect(lock.path).toBe(`${dir}.lock`);
    expect(readFileSync(lock.path, 'utf8')).toBe(String(process.pid));
    expect(readdirSync(dirname(lock.path))).toEqual(['data.lock']); // no temporary file left behind

    const twice = catchError(() => lockDirectory(dir));
    expect(twice.code).toBe('KIT_ERR_DATADIR_LOCKED');
    expect(twice.message).toContain('this very process');

    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    lock.release(); // idempotent

    const again = lockDirectory(dir);
    writeFileSync(again.path, '1'); // pid 1 (init) took it over meanwhile
    again.release();
    expect(readFileSync(again.path, 'utf8')).toBe('1');
  });

  it('createPgliteDatabase refuses a data dir already open in this process with KIT_ERR_DATADIR_LOCKED', async () => {
    const dataDir = freshPgliteDir();
    const first = await createPgliteDatabase({ dataDir });
    try {
      await expect(createPgliteDatabase({ dataDir })).rejects.toMatchObject({ code: 'KIT_ERR_DATADIR_LOCKED' });
      expect((await first.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]); // the first is unharmed
      expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(String(process.pid));
    } finally {
      await first.close();
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
