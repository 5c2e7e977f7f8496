import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const mainTs = path.join(repoRoot, 'server/src/main.ts');

export interface CandorProcess {
  proc: ChildProcess;
  url: string;
  dataDir: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'candor-test-'));
}

/** Runs `server/src/main.ts` as a real child process (through tsx) and waits for it to listen. */
/** `timeoutMs`: a `tsx` child takes 3–5 s to listen on a quiet 2-core machine, far longer when two test files run beside it. */
export async function startCandorProcess(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CandorProcess> {
  const dataDir = env.DATA_DIR ?? makeDataDir();
  const child = runMain({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir, ...env });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`candor did not listen within ${timeoutMs} ms:\n${child.stderr()}`)), timeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(child.stdout());
      if (match?.[1]) {
        clearTimeout(timer);
        child.proc.stdout?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.proc.stdout?.on('data', onData);
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`candor exited (${code}) before listening:\n${child.stderr()}`));
    });
  });
  return { ...child, url, dataDir };
}

/** Spawns main.ts without waiting for anything (for start-up failure tests). */
export function runMain(env: Record<string, string>): Omit<CandorProcess, 'url' | 'dataDir'> {
  const proc = spawn(process.execPath, ['--import', 'tsx', mainTs], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Environment for a server that a test kills and starts again: a fixed port (the
 * successor takes over its predecessor's turn leases, and clients reconnect to the
 * same URL), one data dir, fsync durability, visible token pacing, no rate limits.
 */
export async function restartableServerEnv(
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string> & { PORT: string; DATA_DIR: string }; url: string }> {
  const { freePort } = await import('./processes.js');
  const port = String(await freePort());
  const env = {
    PORT: port,
    DATA_DIR: makeDataDir(),
    SCRIPTED_TOKEN_DELAY_MS: '40',
    ANSWER_MIN_INTERVAL_MS: '0',
    TURN_LEASE_MS: '30000',
    EMBEDDED_DB_DURABILITY: 'fsync',
    HTTP_RATE_LIMIT: '0',
    ...extra,
  };
  return { env, url: `http://127.0.0.1:${port}` };
}
