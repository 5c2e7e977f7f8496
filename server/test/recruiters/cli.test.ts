import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RECRUITER_TOKEN_PATTERN } from '../../../shared/recruiters.js';
import { makeDataDir, startCandorProcess, type CandorProcess } from '../support/candorProcess.js';
import { api } from '../support/recruiters.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ADMIN = 'recruiter-token-for-cli-tests-01';
const running: CandorProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill('SIGTERM')));
});

/** `npm run recruiter:add -- ...` (the same file through tsx). */
function recruiterAdd(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/recruiters/cli.ts', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function start(dataDir: string): Promise<CandorProcess> {
  const p = await startCandorProcess({ DATA_DIR: dataDir, RECRUITER_TOKEN: ADMIN, LOG_LEVEL: 'error', HTTP_RATE_LIMIT: '0' }, 60_000);
  running.push(p);
  return p;
}

describe('npm run recruiter:add', () => {
  it('with no server running: writes to the embedded data directory, prints only the token, and the server started later accepts it', async () => {
    const dataDir = makeDataDir();
    const added = await recruiterAdd(['--name', 'First Admin', '--role', 'admin'], { DATA_DIR: dataDir });
    expect(added.code, added.stderr).toBe(0);
    const token = added.stdout.trim();
    expect(token).toMatch(RECRUITER_TOKEN_PATTERN);
    expect(added.stderr).toContain('no server running');
    expect(added.stderr).not.toContain('First Admin');

    const server = await start(dataDir);
    expect((await api(server.url, 'GET', '/api/recruiters/me', token)).body).toMatchObject({ name: 'First Admin', role: 'admin' });
    // As an admin it can manage recruiters.
    expect((await api(server.url, 'GET', '/api/recruiters', token)).status).toBe(200);
  }, 90_000);

  it('while `npm start` owns the embedded database: goes through that server’s database, and the token works at once', async () => {
    const dataDir = makeDataDir();
    const server = await start(dataDir);
    const added = await recruiterAdd(['--name', 'Second Recruiter'], { DATA_DIR: dataDir });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/the embedded database of the running server \(pid \d+\)/);
    const token = added.stdout.trim();
    expect((await api(server.url, 'GET', '/api/recruiters/me', token)).body).toMatchObject({ name: 'Second Recruiter', role: 'recruiter' });
    const list = (await api(server.url, 'GET', '/api/recruiters', ADMIN)).body as { items: Array<{ name: string; createdBy: unknown }> };
    expect(list.items).toEqual([expect.objectContaining({ name: 'Second Recruiter', createdBy: null })]);
  }, 90_000);

  it('bad arguments exit 2 with the usage, and add nothing', async () => {
    const dataDir = makeDataDir();
    for (const args of [['--name', 'X', '--role', 'owner'], ['--nam', 'typo']]) {
      const r = await recruiterAdd(args, { DATA_DIR: dataDir });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
    }
  }, 60_000);
});
