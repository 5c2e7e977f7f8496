import { promises as fsp } from 'node:fs';
import path from 'node:path';

const LOCK_FILE = 'embedded.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/**
 * Exclusive use of a data directory: two servers appending to one journal would corrupt it.
 * The lock holds our pid; a lock left by a dead process (kill -9) is taken over.
 * Returns the release function.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await fsp.open(file, 'wx');
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      return async () => {
        await fsp.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await fsp.readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new DataDirInUseError(`data directory ${dir} is in use by process ${owner} (lock file ${file})`);
      }
      await fsp.rm(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new DataDirInUseError(`could not lock data directory ${dir} (lock file ${file} keeps reappearing)`);
}
