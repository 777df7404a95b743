import { createHash, randomBytes } from 'node:crypto';
import { lstat, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { SourceFile } from '@maximus/contracts';

/** A workspace or a file write that the allow-list refuses (an expected failure, recorded on the decision). */
export class WorkspaceRefusal extends Error {
  override readonly name = 'WorkspaceRefusal';
}

const inside = (root: string, path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * The real path of a requested workspace, when it is one of the allowed directories or below one: absolute, no `..`
 * segment, an existing directory, and still inside an allowed directory once symbolic links are resolved.
 */
export async function resolveWorkspace(requested: string, allowed: readonly string[]): Promise<string> {
  if (!allowed.length) throw new WorkspaceRefusal('no workspace is allowed (MAXIMUS_PENELOPE_WORKSPACES is unset)');
  if (!isAbsolute(requested)) throw new WorkspaceRefusal('it is not an absolute path');
  if (requested.split(/[\\/]/).includes('..')) throw new WorkspaceRefusal('it contains a .. segment');
  let real: string;
  try {
    real = await realpath(normalize(requested));
    if (!(await stat(real)).isDirectory()) throw new WorkspaceRefusal('it is not a directory');
  } catch (error) {
    if (error instanceof WorkspaceRefusal) throw error;
    throw new WorkspaceRefusal('it does not exist');
  }
  for (const root of allowed) {
    let rootReal: string;
    try {
      rootReal = await realpath(root);
    } catch {
      continue;
    }
    if (inside(rootReal, real)) return real;
  }
  throw new WorkspaceRefusal('it is outside every allowed workspace');
}

/** The real target of a relative file path inside a workspace: its directory must resolve inside, and it must not be a symbolic link. */
async function target(workspace: string, path: string): Promise<string> {
  if (isAbsolute(path) || path.split(/[\\/]/).some((s) => s === '..')) throw new WorkspaceRefusal(`${path}: not a relative path inside the workspace`);
  const full = join(workspace, path);
  let dir: string;
  try {
    dir = await realpath(dirname(full));
  } catch {
    throw new WorkspaceRefusal(`${path}: its directory does not exist in the workspace`);
  }
  if (!inside(workspace, dir)) throw new WorkspaceRefusal(`${path}: its directory leads outside the workspace`);
  const file = join(dir, basename(full));
  try {
    const info = await lstat(file);
    if (info.isSymbolicLink()) throw new WorkspaceRefusal(`${path}: is a symbolic link`);
    if (!info.isFile()) throw new WorkspaceRefusal(`${path}: is not a regular file`);
  } catch (error) {
    if (error instanceof WorkspaceRefusal) throw error;
    // Missing: checked by the caller against the diagnosed content.
  }
  return file;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export interface WrittenFile {
  path: string;
  sha256: string;
  /** `written`, or `unchanged` (the file already had the patched content: a repeated execution). */
  state: 'written' | 'unchanged';
}

/**
 * Writes a patch's final content into a workspace, all files or none: every target is checked first (inside the
 * workspace, no symbolic link, and still holding the diagnosed content — or already the patched one), then each is
 * written to a temporary file beside it and renamed over it; a failure part-way restores the files written so far.
 */
export async function writePatch(workspace: string, original: readonly SourceFile[], final: readonly SourceFile[]): Promise<WrittenFile[]> {
  const plans: { path: string; file: string; content: string; previous: string | undefined; state: WrittenFile['state'] }[] = [];
  for (const f of final) {
    const file = await target(workspace, f.path);
    let current: string | undefined;
    try {
      current = await readFile(file, 'utf8');
    } catch {
      current = undefined;
    }
    const diagnosed = original.find((o) => o.path === f.path)?.content;
    if (current === f.content) {
      plans.push({ path: f.path, file, content: f.content, previous: current, state: 'unchanged' });
      continue;
    }
    if (current === undefined) throw new WorkspaceRefusal(`${f.path}: not found in the workspace`);
    if (current !== diagnosed) throw new WorkspaceRefusal(`${f.path}: changed since it was diagnosed (sha256 ${sha(current).slice(0, 12)}…, diagnosed ${diagnosed === undefined ? 'none' : `${sha(diagnosed).slice(0, 12)}…`})`);
    plans.push({ path: f.path, file, content: f.content, previous: current, state: 'written' });
  }
  const done: typeof plans = [];
  try {
    for (const plan of plans) {
      if (plan.state === 'unchanged') continue;
      const temp = `${plan.file}.penelope-${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temp, plan.content, { flag: 'wx' });
      try {
        await rename(temp, plan.file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      done.push(plan);
    }
  } catch (error) {
    for (const plan of done) if (plan.previous !== undefined) await writeFile(plan.file, plan.previous).catch(() => undefined);
    throw new WorkspaceRefusal(`writing failed, nothing changed: ${(error as Error).message}`);
  }
  return plans.map((p) => ({ path: p.path, sha256: sha(p.content), state: p.state }));
}
