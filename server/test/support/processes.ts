import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDataDir } from './candorProcess.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ChildHandle {
  proc: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function handle(proc: ChildProcess): ChildHandle {
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** `npm run db:embedded` as a real process; resolves with its mongodb:// URI. */
export async function startEmbeddedDbProcess(): Promise<ChildHandle & { uri: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/db/embedded/cli.ts', '--port', '0', '--dir', makeDataDir(), '--durability', 'none'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('embedded db did not start')), 15_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /mongodb:\/\/\S+/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    proc.once('exit', (code) => reject(new Error(`embedded db exited ${code}`)));
  });
  return { ...handle(proc), uri };
}

/** The first `name` on `searchPath` (PATH syntax) that is an executable file. */
export function findExecutable(name: string, searchPath = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A test-owned redis-server on its own port (never the machine's shared one); fails at once when there is no binary. */
export async function startRedisServer(port: number, binary = findExecutable('redis-server')): Promise<ChildHandle> {
  if (!binary) throw new Error('redis-server is not installed (not on PATH); this test starts its own Redis');
  const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    proc.once('error', (err) => (clearTimeout(timer), reject(new Error(`${binary} did not start: ${err.message}`))));
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => (clearTimeout(timer), reject(new Error(`redis-server exited ${code}: ${out}`))));
  });
  return handle(proc);
}

export function withDatabase(uri: string, db: string): string {
  const url = new URL(uri);
  url.pathname = `/${db}`;
  return url.toString();
}
