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

/**
 * Once listening, the owner adds its address to the lock (`<pid>\n<host>:<port>\n`), so a
 * tool run while the server is up (`npm run recruiter:add`) can talk to it instead of
 * opening the journal a second time.
 */
export async function recordDataDirAddress(dir: string, host: string, port: number): Promise<void> {
  // Write beside it and rename over it: a reader (another starter checking the owner) sees the
  // old or the new content, never an empty file it would take for a stale lock.
  const temp = path.join(dir, `${LOCK_FILE}.${process.pid}.tmp`);
  await fsp.writeFile(temp, `${process.pid}\n${host}:${port}\n`);
  await fsp.rename(temp, path.join(dir, LOCK_FILE));
}

/** The live process holding `dir`, with its address when it recorded one; null when nobody holds it. */
export async function readDataDirOwner(dir: string): Promise<{ pid: number; address: { host: string; port: number } | null } | null> {
  const text = await fsp.readFile(path.join(dir, LOCK_FILE), 'utf8').catch(() => '');
  const [pidLine = '', addressLine = ''] = text.split('\n');
  const pid = Number(pidLine.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  const match = /^([0-9.]+|localhost|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(addressLine.trim());
  return { pid, address: match?.[1] && match[2] ? { host: match[1], port: Number(match[2]) } : null };
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
      // First line: the pid (a second line may hold the owner's address, recordDataDirAddress).
      const owner = Number((await fsp.readFile(file, 'utf8').catch(() => '')).split('\n')[0]?.trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new DataDirInUseError(`data directory ${dir} is in use by process ${owner} (lock file ${file})`);
      }
      await fsp.rm(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new DataDirInUseError(`could not lock data directory ${dir} (lock file ${file} keeps reappearing)`);
}
