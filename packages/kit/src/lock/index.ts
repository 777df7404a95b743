import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KitErrors } from '../errors/index.js';

export interface DirLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>.lock` for this process (PGlite is single-process: two processes on one data
 * directory would corrupt it). A lock whose process is gone is taken over.
 * @throws KIT_ERR_DATADIR_LOCKED when a live process holds the directory.
 */
export function lockDirectory(dir: string): DirLock {
  const path = `${dir}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Written aside and linked into place: the lock file appears with its pid already in it. (Created
      // empty and then written, a second process could read it empty in between, call it stale and take it.)
      const pending = `${path}.${process.pid}.tmp`;
      writeFileSync(pending, String(process.pid), { mode: 0o600 });
      try {
        linkSync(pending, path);
      } finally {
        rmSync(pending, { force: true });
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return { path, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let content: string;
      try {
        content = readFileSync(path, 'utf8');
      } catch (readError) {
        if ((readError as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw readError;
      }
      const holder = Number.parseInt(content, 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new KitErrors.DataDirLocked(dir, String(holder));
      }
      if (holder === process.pid) throw new KitErrors.DataDirLocked(dir, `${holder}, this very process`);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new KitErrors.DataDirLocked(dir, 'unknown');
}
